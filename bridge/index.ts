/** The bridge: a Fastify server between serial boards and clients, with SQLite storage and socket.io. */
export { buildApp, type BridgeOptions } from './app.js';
export { startBridge, isLoopback, type ServeOptions, type RunningBridge } from './server.js';
export { Authenticator, hashToken, newToken, ROLES, type Actor, type AuthMode, type AuthOptions, type Role } from './auth/auth.js';
export { CellMap, type CellConfig } from './cells.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { BridgeError, type BridgeErrorCode, type ErrorBody } from './errors.js';
export { EventHub, type BridgeEvent } from './event-hub.js';
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
  SocketCommand,
  SocketCommandResult,
  SocketHandshakeAuth,
} from './events.js';
export type { Binding } from './devices/binding.js';
export { FaultInjector, type FaultPlan, type PathFaults, type FaultStats, type FaultInjectorOptions } from './devices/fault-binding.js';
export type { SequenceGap } from './store/sqlite-store.js';
export type { DiscoveryOptions } from './devices/port-discovery.js';
export { AlarmEngine, SAFETY_O2_KPA, ALARM_KINDS, type CellAlarmConfig } from './alarms/alarm-engine.js';
export { Notifier, type NotificationOptions } from './alarms/notifier.js';
export { RigIoBoard, type RigIoOptions } from './rig-io/rig-io-board.js';
export type { RigIoConfig } from './rig-io/rig-io-plugin.js';
export type { AlarmChange, AlarmKind, AlarmSeverity, AlarmView } from './events.js';
