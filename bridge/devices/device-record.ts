/** What the device manager knows of one device while it runs: its link, power-up, counters and stream state. */

import type { LinkCounters, ReadingView } from '../events.js';
import type { ReadingRow } from '../store/sqlite-store.js';
import type { BoardConnection, ReadingMessage } from './board-connection.js';
import type { GapFiller } from './gap-filler.js';

/** Why a live reading is held until STATUS answers. */
export type Doubt = { kind: 'jump'; fromSeq: number } | { kind: 'conflict'; stored: ReadingRow };

export interface Device {
  id: string;
  connection: BoardConnection;
  /** The bench's power-up number its readings are filed under now (readings.boot). */
  boot: number;
  /** The boot counter the board sent in its last ID. */
  boardBoot: number | null;
  /** Board time to bridge time: measuredAtMs = boardMs + offsetMs, fixed at the handshake. */
  offsetMs: number;
  lastReading: ReadingView | null;
  /** When the last 'device' event for this device went out; counters ride on it at most once a second. */
  lastViewEmitMs: number;
  counters: LinkCounters;
  gaps: GapFiller;
  /** The highest seq stored or queued in this power-up. */
  maxSeq: number;
  /** What a live seq is judged against: the last believed live reading, or the last STATUS (bridge time). */
  ref: { seq: number; atMs: number } | undefined;
  /** The last live reading, for the board's period. */
  lastLive: { seq: number; boardMs: number } | undefined;
  /** Board time between readings, learned from consecutive live readings. */
  periodMs: number | undefined;
  /** Set while a doubtful live reading waits for STATUS; live readings arriving meanwhile wait behind it. */
  verifying: { held: Array<[ReadingMessage, number]>; cancelled: boolean } | undefined;
  /** The cells the board measures: the configured ones and every one its readings named. */
  cells: Set<string>;
}

/** Live readings that may wait for a STATUS at once; past that the newest are left to the replay. */
export const MAX_HELD_READINGS = 1024;
