/** The bridge: a Fastify server between serial boards and clients, with SQLite storage and socket.io. */
export { buildApp, type BridgeOptions } from './app.js';
export { startBridge, type ServeOptions, type RunningBridge } from './server.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { BridgeError, type BridgeErrorCode, type ErrorBody } from './errors.js';
export { SqliteStore, type ReadingRow } from './store/sqlite-store.js';
export type { PortConfig } from './devices/device-manager.js';
export type {
  BridgeSnapshot,
  ClientToServerEvents,
  DeviceState,
  DeviceView,
  LinkCounters,
  ReadingView,
  ServerToClientEvents,
} from './events.js';
export type { Binding } from './devices/binding.js';
