/**
 * Plant time as epoch milliseconds: the clock a bridge runs on when the boards run on plant time (`hil` with
 * `boardClock: 'plant'`, and the `fast` mode). It reads a virtual clock and maps its time onto the run's start,
 *
 *     now() = runStartEpochMs + (virtual.now() − virtual time when this clock was made)
 *
 * and its timers are the virtual clock's, so a reading's time, an alarm's time, a retention cut-off and
 * `now()` all run at plant speed together. It keeps the clock contract (time/clock.ts); its handles are the
 * virtual clock's. Nothing here reads the wall clock: the run's start is given.
 */
import type { Clock, TimerHandle } from '../../time/index.js';
import { SimulatorError } from '../simulator-error.js';
import type { VirtualClock } from './virtual-clock.js';

export interface PlantEpochClockOptions {
  /** The plant's virtual clock. Required. */
  clock: VirtualClock;
  /** Epoch ms that the virtual clock's current time maps to (the run's start). Required, finite. */
  runStartEpochMs: number;
}

export interface PlantEpochClock extends Clock {
  /** Epoch ms that the virtual clock's time at creation maps to. */
  readonly runStartEpochMs: number;
  /** Epoch ms of a virtual time (e.g. plant ms since the run's start, on a clock made at virtual 0). */
  toEpochMs(virtualMs: number): number;
}

export function createPlantEpochClock(options: PlantEpochClockOptions): PlantEpochClock {
  const { clock, runStartEpochMs } = options;
  if (!Number.isFinite(runStartEpochMs)) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"runStartEpochMs" must be a finite number: ${runStartEpochMs}`);
  }
  const virtualStartMs = clock.now();
  const toEpochMs = (virtualMs: number): number => runStartEpochMs + (virtualMs - virtualStartMs);
  return {
    runStartEpochMs,
    toEpochMs,
    now: () => toEpochMs(clock.now()),
    setTimeout: (fn: () => void, delayMs: number): TimerHandle => clock.setTimeout(fn, delayMs),
    clearTimeout: (handle: TimerHandle): void => clock.clearTimeout(handle),
  };
}
