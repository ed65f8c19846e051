/** The shapes the store's tables are read as. */

import type { ReadingView } from '../events.js';

/** A range of readings the store does not have: open (to be asked for) or lost (the board no longer has it). */
export interface SequenceGap {
  id: number;
  deviceId: string;
  boot: number;
  fromSeq: number;
  toSeq: number;
  state: 'open' | 'lost';
  reason: string | null;
  detectedAtMs: number;
  closedAtMs: number | null;
}

export interface StoredDevice {
  id: string;
  kind: string;
  firmwareVersion: string;
  protocolVersion: number;
  capabilities: string[];
  path: string;
  /** The bench's power-up number the device's readings are filed under now. */
  boot: number;
}

/** One power-up of a board as the bench decided it (bridge/devices/power-up.ts). */
export interface PowerUpRow {
  deviceId: string;
  /** The bench's number: readings.boot. */
  powerUp: number;
  /** The board's own boot counter, when it sent one. */
  boardBoot: number | null;
  /** For a lost range of board boots, the last of them. */
  boardBootLast: number | null;
  /** `lost`: board boots the bench never saw (shorter than the reconnect backoff, or while it was away). */
  state: 'seen' | 'lost';
  /** Bridge time at which the board powered up, as estimated at the handshake. */
  startedAtMs: number | null;
  detectedAtMs: number;
  reason: string;
}

/** The newest stored reading of one power-up: what the next handshake is judged against. */
export interface LastReading {
  seq: number;
  boardMs: number;
  measuredAtMs: number;
}

/** A reading that collided with a different stored one under the same (device, power-up, seq). */
export interface ReadingConflict {
  id: number;
  deviceId: string;
  boot: number;
  seq: number;
  detectedAtMs: number;
  stored: unknown;
  received: unknown;
  resolution: string;
}

/** What storing a reading came to: new, the same reading again, or a different one under its key. */
export type InsertOutcome = 'new' | 'duplicate' | 'conflict';

export interface StoredEvent {
  id: number;
  atMs: number;
  deviceId: string | null;
  path: string | null;
  kind: string;
  detail: unknown;
}

/** An API token as stored: never the token itself. */
export interface StoredToken {
  id: number;
  name: string;
  role: string;
  createdAtMs: number;
  lastUsedMs: number | null;
  revokedAtMs: number | null;
}

/** A reading as stored: the client's view plus the boot it belongs to. */
export interface ReadingRow extends ReadingView {
  boot: number;
}

export interface ReadingQuery {
  deviceId: string;
  fromMs: number;
  toMs: number;
  limit: number;
}

/** One transmission of an operator's command, as the audit log keeps it. */
export interface CommandRow {
  id: number;
  deviceId: string;
  op: string;
  args: unknown;
  sentAtMs: number;
  finishedAtMs: number | null;
  outcome: 'ack' | 'nak' | 'timeout' | 'lost' | null;
  nakCode: string | null;
  retryOf: number | null;
  actor: string | null;
}

/** One notification of an alarm change, sent or failed. */
export interface NotificationRow {
  id: number;
  alarmId: number;
  channel: string;
  target: string;
  event: string;
  atMs: number;
  outcome: 'sent' | 'failed';
  error: string | null;
}

/** A run: a named span of bench time. */
export interface RunRow {
  id: number;
  name: string;
  startedAtMs: number;
  endedAtMs: number | null;
  startedBy: string | null;
  detail: unknown;
}

/** A manual control measurement and the stored sensor reading it was compared with. */
export interface ManualMeasurementRow {
  id: number;
  cellId: string;
  deviceId: string | null;
  measuredAtMs: number;
  o2Kpa: number | null;
  co2Kpa: number | null;
  tempC: number | null;
  sensorSeq: number | null;
  sensorO2Kpa: number | null;
  sensorCo2Kpa: number | null;
  sensorTempC: number | null;
  enteredBy: string;
  enteredAtMs: number;
  note: string | null;
}
