/** The clock contract every folder runs on (types only, so it adds no dependency on another folder's code). */
export type { Clock, TimerHandle } from './clock.js';
