/**
 * What the bridge tells its clients: the shapes served by the REST API and the typed socket.io event map.
 * dashboards/ imports these types; nothing else of the bridge.
 */

import type { ActuatorName } from '../firmware/protocol/board-facts.js';

/** The protocol's facts the dashboard draws its controls from (firmware/protocol/board-facts.ts). */
export { ACTUATOR_LABELS, actuatorsOf, RD_DECIMALS, type ActuatorName } from '../firmware/protocol/board-facts.js';

/**
 * Where a board's connection stands. `lost` is a board that was open and whose link went away; `silent`
 * is a board whose port stays open but that stopped talking (no line for a few periods, or it reset and
 * sent an unsolicited `ID`): the bridge greets it again with HELLO, and until it answers its values are
 * unknown.
 */
export type DeviceState = 'opening' | 'identifying' | 'open' | 'silent' | 'lost' | 'closed';

/**
 * Why a stored reading is not to be used as real: a value outside what is physically possible (O2 below 0
 * or above 25 kPa, CO2 below 0 or above 100 kPa, temperature outside −40…+60 °C), or a board time too far
 * in the future of the bridge's clock. A flagged reading is stored and counted, never used by alarms or a
 * controller.
 */
export type ReadingFlag = 'o2_impossible' | 'co2_impossible' | 'temp_impossible' | 'time_future';

/** Per-device link counters. Every line received is in exactly one of `frames` or `rejected`. */
export interface LinkCounters {
  /** Lines that decoded to a valid board message. */
  frames: number;
  /** Readings newly stored (a replayed duplicate is a frame but not stored). */
  stored: number;
  /** Lines skipped: bad checksum, bad syntax, too long, or a frame that is not a valid board message. */
  rejected: number;
  /** ERR frames: the board rejected something the bridge sent. */
  boardErrors: number;
  /** Readings stored flagged (ReadingFlag): impossible values or a time in the future. */
  flagged?: number;
  /** Readings that collided with a different stored reading under the same (power-up, seq). */
  conflicts?: number;
  /** Readings recorded as lost: sequence gaps the board could no longer replay. */
  lostReadings?: number;
  /** Power-ups of the board the bench has filed readings under, and board boots it never saw. */
  powerUps?: number;
  lostPowerUps?: number;
}

/** One reading as clients see it. Times are epoch milliseconds; `measuredAtMs` is when the board measured. */
export interface ReadingView {
  deviceId: string;
  seq: number;
  boardMs: number;
  measuredAtMs: number;
  receivedAtMs: number;
  o2Kpa: number | null;
  co2Kpa: number | null;
  tempC: number | null;
  /** Empty for a plausible reading; see ReadingFlag. */
  flags?: ReadingFlag[];
  /** The bench cell whose gas was measured (bridge/cells.ts). */
  cellId: string;
  /** The board's cell number (RD's `cell`, a sampling manifold's 1–8); null when the board sends none. */
  boardCell: number | null;
}

export interface DeviceView {
  /** The board's serial number: a board is the same device on whatever path it appears. */
  id: string;
  /** The cell the board measures (configured; by default the device id); with a manifold, its cell 1's. */
  cellId: string;
  /** Every cell the board measures: the configured ones and those its readings named (a manifold). */
  cellIds?: string[];
  kind: string;
  firmwareVersion: string;
  protocolVersion: number;
  capabilities: string[];
  path: string;
  state: DeviceState;
  /** The bench's power-up number its readings are filed under now (bridge/devices/power-up.ts). */
  powerUp?: number;
  /** The boot counter the board reported in its last ID, if it sends one. */
  boardBoot?: number | null;
  /**
   * Device counters are kept in the store and go on across bridge restarts; `GET /api/health` totals count
   * since this bridge process started.
   */
  counters: LinkCounters;
  lastReading: ReadingView | null;
}

export type AlarmKind =
  | 'o2_low'
  | 'o2_high'
  | 'co2_high'
  | 'temp_low'
  | 'temp_high'
  | 'sensor_stale'
  | 'calibration_due'
  | 'cal_gas_low'
  | 'calibration_drift'
  | 'door_open_low_o2'
  /** Raised and cleared by a DCA controller through its record (`PUT /api/cells/:id/controller`); `code` says which. */
  | 'controller';

export type AlarmSeverity = 'warning' | 'critical' | 'safety';

export interface AlarmView {
  id: number;
  cellId: string;
  deviceId: string | null;
  kind: AlarmKind;
  /** A controller alarm's code (e.g. `dca_refused_leak`); null for the bridge's own kinds. */
  code?: string | null;
  severity: AlarmSeverity;
  state: 'active' | 'cleared';
  raisedAtMs: number;
  clearedAtMs: number | null;
  ackedAtMs: number | null;
  ackedBy: string | null;
  value: number | null;
  threshold: number | null;
  message: string;
}

export type AlarmChange = 'raised' | 'cleared' | 'acked';

export interface BridgeSnapshot {
  devices: DeviceView[];
  /** Bridge time (epoch ms) at which the snapshot was taken. */
  atMs: number;
  /**
   * The sequence number of the last event sent before this snapshot. Every later event carries a higher
   * one, so a client can tell what it has seen.
   */
  seq: number;
  /**
   * Events this client missed while away: `seq` minus the `lastSeq` it gave in its handshake auth;
   * null when it gave none (a first connect) or one from another bridge run.
   */
  missed: number | null;
  /** The rooms this client receives events for: `all`, or `device:<id>` and `cell:<id>` rooms. */
  rooms: string[];
  /** Every active alarm. */
  alarms: AlarmView[];
}

/** What a socket client may send in `auth` when it connects (`io(url, { auth })`). */
export interface SocketHandshakeAuth {
  /** An API token; needed for commands (operator) and, when reads are protected, to connect at all. */
  token?: string;
  /** The `seq` of the last event the client saw, so the snapshot can say how many it missed. */
  lastSeq?: number;
}

/** A command sent over the socket: the REST command body (bridge/devices/command-body.ts) plus the device. */
export type SocketCommand = { deviceId: string } & (
  | { op: 'set_valve'; valve: ActuatorName; on: boolean; cell?: number }
  | { op: 'cal'; gas: 'o2' | 'co2'; point: 'zero' | 'span' | 'factory'; ref?: number }
  | { op: 'setpoint'; o2Kpa: number; co2Kpa: number }
  | { op: 'loop'; on: boolean }
);

export type SocketCommandResult =
  | { ok: true; commandId: number; outcome: 'ack'; cal?: number }
  | { ok: false; code: string; message: string };

/** Events the bridge emits to socket.io clients. Each event after the snapshot carries its `seq`. */
export interface ServerToClientEvents {
  /** Sent once on every (re)connect, before any other event. */
  snapshot: (snapshot: BridgeSnapshot) => void;
  reading: (reading: ReadingView, seq: number) => void;
  device: (device: DeviceView, seq: number) => void;
  /** An alarm raised, cleared or acknowledged. */
  alarm: (alarm: AlarmView, change: AlarmChange, seq: number) => void;
  /** A cell's facts changed (door, calibration, leak test, loading, unloading, its controller record). */
  cell: (change: CellChange, seq: number) => void;
}

/** Something that may change a cell's status (`GET /api/cells/:id/status`, `GET /api/cells/:id/controller`). */
export interface CellChange {
  cellId: string;
  change: 'door' | 'calibration' | 'leak_test' | 'loading' | 'unloading' | 'controller';
}

/** Events clients may send. */
export interface ClientToServerEvents {
  /**
   * Receive only the events of these devices and cells (rooms `device:<id>`, `cell:<id>`); both empty or
   * absent: everything again. Answers with the rooms now joined.
   */
  subscribe: (rooms: { devices?: string[]; cells?: string[] }, ack: (result: { rooms: string[] }) => void) => void;
  /** A command, checked like POST /api/devices/:id/commands (operator role); answered through `ack`. */
  command: (command: SocketCommand, ack: (result: SocketCommandResult) => void) => void;
}
