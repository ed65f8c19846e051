/**
 * What the bridge tells its clients: the shapes served by the REST API and the typed socket.io event map.
 * dashboards/ imports these types; nothing else of the bridge.
 */

/** Where a board's connection stands. `lost` is a board that was open and whose link went away. */
export type DeviceState = 'opening' | 'identifying' | 'open' | 'lost' | 'closed';

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
}

export interface DeviceView {
  /** The board's serial number: a board is the same device on whatever path it appears. */
  id: string;
  kind: string;
  firmwareVersion: string;
  protocolVersion: number;
  capabilities: string[];
  path: string;
  state: DeviceState;
  counters: LinkCounters;
  lastReading: ReadingView | null;
}

export interface BridgeSnapshot {
  devices: DeviceView[];
  /** Bridge time (epoch ms) at which the snapshot was taken. */
  atMs: number;
}

/** Events the bridge emits to socket.io clients. */
export interface ServerToClientEvents {
  /** Sent once on every (re)connect, before any other event. */
  snapshot: (snapshot: BridgeSnapshot) => void;
  reading: (reading: ReadingView) => void;
  device: (device: DeviceView) => void;
}

/**
 * Events clients may send: none yet. Commands go through REST; socket commands and per-device rooms come
 * with auth (issue 5).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}
