/**
 * The bench's store: SQLite in WAL mode through better-sqlite3. Readings are kept exactly once per
 * (device, power-up, seq), where the power-up is the bench's own number (`boot` in the tables: see
 * bridge/devices/power-up.ts; the board's boot counter is kept beside it as evidence). Devices, power-ups,
 * commands, link events, gaps and conflicts are kept beside them.
 *
 * The file (and the folder it creates) are readable by their owner only: the store holds API token
 * hashes, the audit trail and who did what.
 */

import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LinkCounters, ReadingFlag, ReadingView } from '../events.js';

/** Each entry migrates the schema from its index to the next version; user_version is the count applied. */
const MIGRATIONS: string[] = [
  `
CREATE TABLE devices (
  id               TEXT PRIMARY KEY,          -- the board's serial number
  kind             TEXT NOT NULL,
  firmware_version TEXT NOT NULL,
  protocol_version INTEGER NOT NULL,
  capabilities     TEXT NOT NULL,             -- JSON array
  path             TEXT NOT NULL,
  boot             INTEGER NOT NULL,          -- counts the board's power-ups seen by the bench
  first_seen_ms    INTEGER NOT NULL,
  last_seen_ms     INTEGER NOT NULL
);
CREATE TABLE readings (
  device_id      TEXT NOT NULL REFERENCES devices(id),
  boot           INTEGER NOT NULL,
  seq            INTEGER NOT NULL,
  board_ms       INTEGER NOT NULL,
  measured_at_ms INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  o2_kpa         REAL,
  co2_kpa        REAL,
  temp_c         REAL,
  PRIMARY KEY (device_id, boot, seq)
) WITHOUT ROWID;
CREATE INDEX readings_by_time ON readings (device_id, measured_at_ms);
CREATE TABLE commands (
  id             INTEGER PRIMARY KEY,         -- the id sent to the board
  device_id      TEXT NOT NULL,
  op             TEXT NOT NULL,
  args           TEXT NOT NULL,               -- JSON
  sent_at_ms     INTEGER NOT NULL,
  finished_at_ms INTEGER,
  outcome        TEXT,                        -- ack | nak | timeout | lost
  nak_code       TEXT
);
CREATE TABLE events (
  id        INTEGER PRIMARY KEY,
  at_ms     INTEGER NOT NULL,
  device_id TEXT,
  path      TEXT,
  kind      TEXT NOT NULL,
  detail    TEXT NOT NULL                     -- JSON
);
`,
  // 2: reconnect and replay (issue 5): sequence gaps, retries and who sent a command.
  `
ALTER TABLE commands ADD COLUMN retry_of INTEGER;  -- the attempt this one repeats after a timeout
ALTER TABLE commands ADD COLUMN actor TEXT;        -- who asked: a token's name, or 'bridge'
CREATE TABLE sequence_gaps (
  id             INTEGER PRIMARY KEY,
  device_id      TEXT NOT NULL,
  boot           INTEGER NOT NULL,
  from_seq       INTEGER NOT NULL,
  to_seq         INTEGER NOT NULL,              -- inclusive; at most MAX_REPLAY_READINGS wide
  state          TEXT NOT NULL,                 -- open: to be replayed | lost: the board no longer has it
  reason         TEXT,
  detected_at_ms INTEGER NOT NULL,
  closed_at_ms   INTEGER
);
CREATE INDEX sequence_gaps_open ON sequence_gaps (device_id, boot, state);
`,
  // 3: API tokens (issue 5). Only a SHA-256 of each token is kept; the token itself is shown once.
  `
CREATE TABLE tokens (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL,                 -- viewer | operator | admin
  hash           TEXT NOT NULL UNIQUE,          -- hex SHA-256 of the token
  created_at_ms  INTEGER NOT NULL,
  last_used_ms   INTEGER,
  revoked_at_ms  INTEGER
);
`,
  // 4: alarms, notifications, manual control measurements, runs (issue 5).
  `
CREATE TABLE alarms (
  id             INTEGER PRIMARY KEY,
  cell_id        TEXT NOT NULL,
  device_id      TEXT,
  kind           TEXT NOT NULL,                 -- o2_low, o2_high, co2_high, temp_low, temp_high, sensor_stale,
                                                -- calibration_due, cal_gas_low, calibration_drift, door_open_low_o2
  severity       TEXT NOT NULL,                 -- warning | critical | safety
  state          TEXT NOT NULL,                 -- active | cleared
  raised_at_ms   INTEGER NOT NULL,              -- the reading time that raised it
  cleared_at_ms  INTEGER,                       -- the reading time that cleared it
  acked_at_ms    INTEGER,
  acked_by       TEXT,
  value          REAL,
  threshold      REAL,
  message        TEXT NOT NULL
);
CREATE INDEX alarms_by_cell ON alarms (cell_id, kind, state);
CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY,
  alarm_id   INTEGER NOT NULL,
  channel    TEXT NOT NULL,                     -- webhook | email | sms
  target     TEXT NOT NULL,
  event      TEXT NOT NULL,                     -- raised | cleared
  at_ms      INTEGER NOT NULL,
  outcome    TEXT NOT NULL,                     -- sent | failed
  error      TEXT
);
CREATE TABLE manual_measurements (
  id             INTEGER PRIMARY KEY,
  cell_id        TEXT NOT NULL,
  device_id      TEXT,
  measured_at_ms INTEGER NOT NULL,
  o2_kpa         REAL,
  co2_kpa        REAL,
  temp_c         REAL,
  sensor_seq     INTEGER,                       -- the stored reading it was compared with
  sensor_o2_kpa  REAL,
  sensor_co2_kpa REAL,
  sensor_temp_c  REAL,
  entered_by     TEXT NOT NULL,
  entered_at_ms  INTEGER NOT NULL,
  note           TEXT
);
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  started_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER,
  started_by    TEXT,
  detail        TEXT NOT NULL                   -- JSON
);
`,
  // v5: alarm thresholds an admin set at run time, per cell (they override the configured ones).
  `
CREATE TABLE cell_alarm_thresholds (
  cell_id       TEXT PRIMARY KEY,
  config        TEXT NOT NULL,                  -- JSON CellAlarmConfig
  set_at_ms     INTEGER NOT NULL,
  set_by        TEXT NOT NULL
);
`,
  // v6 (issue 9): the bench decides what a power-up is. readings.boot and devices.boot are from now on the
  // bench's power-up number; power_ups maps each to the board's own boot counter (evidence, not the key).
  // Readings carry plausibility flags; a stored (device, power-up, seq) that a different reading collides
  // with is a conflict row; link counters outlive the bridge process.
  `
CREATE TABLE power_ups (
  device_id       TEXT NOT NULL,
  power_up        INTEGER NOT NULL,             -- the bench's number, 1, 2, ... per device
  board_boot      INTEGER,                      -- the boot counter the board reported (NULL: it sent none)
  board_boot_last INTEGER,                      -- for a lost range of board boots: the last one
  state           TEXT NOT NULL,                -- seen | lost (board boots the bench never saw)
  started_at_ms   INTEGER,                      -- bridge time the board powered up (handshake time − board time)
  detected_at_ms  INTEGER NOT NULL,
  reason          TEXT NOT NULL,
  PRIMARY KEY (device_id, power_up)
) WITHOUT ROWID;
INSERT INTO power_ups (device_id, power_up, board_boot, state, started_at_ms, detected_at_ms, reason)
  SELECT device_id, boot, boot, 'seen', NULL, min(received_at_ms), 'from a store before power-ups (schema 5)'
  FROM readings GROUP BY device_id, boot;
INSERT OR IGNORE INTO power_ups (device_id, power_up, board_boot, state, started_at_ms, detected_at_ms, reason)
  SELECT id, boot, boot, 'seen', NULL, last_seen_ms, 'from a store before power-ups (schema 5)' FROM devices;
ALTER TABLE readings ADD COLUMN flags TEXT;     -- NULL: plausible; else comma-separated ReadingFlag
ALTER TABLE devices ADD COLUMN counters TEXT;   -- JSON LinkCounters, saved as they change
CREATE TABLE reading_conflicts (
  id              INTEGER PRIMARY KEY,
  device_id       TEXT NOT NULL,
  boot            INTEGER NOT NULL,             -- the power-up the stored reading is filed under
  seq             INTEGER NOT NULL,
  detected_at_ms  INTEGER NOT NULL,
  stored          TEXT NOT NULL,                -- JSON: the row already in the store
  received        TEXT NOT NULL,                -- JSON: the reading that collided with it
  resolution      TEXT NOT NULL                 -- what the bench did about it
);
CREATE INDEX reading_conflicts_by_device ON reading_conflicts (device_id, id);
CREATE INDEX events_by_device ON events (device_id, id);
`,
  // v7 (issue 10): a reading keeps its cell. A board with a sampling manifold measures several cells, and
  // says which in RD's `cell` (board_cell); cell_id is the bench cell it was filed under when it arrived.
  // Rows from before keep NULL in both: they are the cell their device measured (the configuration's).
  `
ALTER TABLE readings ADD COLUMN cell_id TEXT;
ALTER TABLE readings ADD COLUMN board_cell INTEGER;
CREATE INDEX readings_by_cell ON readings (cell_id, measured_at_ms);
`,
];

const SCHEMA_VERSION = MIGRATIONS.length;

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

function flagsColumn(flags: readonly ReadingFlag[] | undefined): string | null {
  return flags && flags.length > 0 ? flags.join(',') : null;
}

/** Same reading: the board's time and every value equal (a replayed RD is byte for byte the live one). */
function sameReading(a: { boardMs: number; o2Kpa: number | null; co2Kpa: number | null; tempC: number | null }, b: typeof a): boolean {
  return a.boardMs === b.boardMs && a.o2Kpa === b.o2Kpa && a.co2Kpa === b.co2Kpa && a.tempC === b.tempC;
}

/** The reading columns as the store reads them: written once, used by every query of readings. */
const READING_COLUMNS = `device_id AS deviceId, boot, seq, board_ms AS boardMs, measured_at_ms AS measuredAtMs,
  received_at_ms AS receivedAtMs, o2_kpa AS o2Kpa, co2_kpa AS co2Kpa, temp_c AS tempC, flags,
  cell_id AS cellId, board_cell AS boardCell`;

/** A row as SQLite gives it back: flags still a column, the cell NULL on rows from before cells were kept. */
type RawReadingRow = Omit<ReadingRow, 'flags' | 'cellId'> & { flags: string | null; cellId: string | null };

export interface ReadingQuery {
  deviceId: string;
  fromMs: number;
  toMs: number;
  limit: number;
}

export class SqliteStore {
  readonly db: Database.Database;
  private readonly insertReadingStmt: Database.Statement;
  private pendingReadings: Array<[ReadingRow, ((outcome: InsertOutcome) => void) | undefined]> = [];
  private flushScheduled = false;
  private readonly insertBatch: (batch: Array<[ReadingRow, unknown]>) => InsertOutcome[];
  private readonly storedReadingStmt: Database.Statement;
  private readonly queryReadingsStmt: Database.Statement;
  /**
   * The cell of a reading stored before cells were kept (cell_id NULL): the app sets it to the
   * configuration's (bridge/cells.ts). Default: the device's own cell.
   */
  legacyCellOf: (deviceId: string, boardCell: number | null) => string = (deviceId) => deviceId;

  /** @param path a file path, or ':memory:' for a store that lives as long as the process. */
  constructor(path: string) {
    if (path !== ':memory:' && path !== '') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Create the file owner-only before SQLite does (it would use the umask); -wal and -shm take the
      // database file's mode. An existing file is tightened too.
      closeSync(openSync(path, 'a', 0o600));
      chmodSync(path, 0o600);
    }
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across a process crash in WAL mode; only a power cut may lose the last commits,
    // which the boards can replay.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.insertReadingStmt = this.db.prepare(
      `INSERT OR IGNORE INTO readings (device_id, boot, seq, board_ms, measured_at_ms, received_at_ms, o2_kpa, co2_kpa, temp_c, flags, cell_id, board_cell)
       VALUES (@deviceId, @boot, @seq, @boardMs, @measuredAtMs, @receivedAtMs, @o2Kpa, @co2Kpa, @tempC, @flagsText, @cellId, @boardCell)`,
    );
    this.storedReadingStmt = this.db.prepare(`SELECT ${READING_COLUMNS} FROM readings WHERE device_id = ? AND boot = ? AND seq = ?`);
    this.insertBatch = this.db.transaction((batch: Array<[ReadingRow, unknown]>) => batch.map(([row]) => this.writeReading(row)));
    this.queryReadingsStmt = this.db.prepare(
      `SELECT ${READING_COLUMNS}
       FROM readings WHERE device_id = @deviceId AND measured_at_ms >= @fromMs AND measured_at_ms <= @toMs
       ORDER BY measured_at_ms, boot, seq LIMIT @limit`,
    );
  }

  /** A stored row as the API shows it: flags as a list, and a cell on every row. */
  private fromRaw(r: RawReadingRow): ReadingRow {
    return {
      ...r,
      flags: r.flags ? (r.flags.split(',') as ReadingFlag[]) : [],
      cellId: r.cellId ?? this.legacyCellOf(r.deviceId, r.boardCell),
    };
  }

  /**
   * One reading into the table. A row already under its (device, power-up, seq) is either the same reading
   * (a replay of one that arrived, a duplicate line: ignored) or a different one, which is a conflict:
   * recorded with both rows, never dropped in silence. The stored row stays as it was.
   */
  private writeReading(row: ReadingRow): InsertOutcome {
    const { flags, ...rest } = row;
    if (this.insertReadingStmt.run({ ...rest, flagsText: flagsColumn(flags), boardCell: row.boardCell ?? null }).changes === 1) return 'new';
    const stored = this.storedReadingStmt.get(row.deviceId, row.boot, row.seq) as RawReadingRow | undefined;
    if (!stored || sameReading(stored, row)) return 'duplicate';
    this.addConflict({
      deviceId: row.deviceId,
      boot: row.boot,
      seq: row.seq,
      atMs: row.receivedAtMs,
      stored: this.fromRaw(stored),
      received: row,
      resolution: 'kept the stored reading; the received one is only in this record',
    });
    return 'conflict';
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version === SCHEMA_VERSION) return;
    if (version > SCHEMA_VERSION) {
      throw new Error(`store schema version ${version} is newer than this bridge knows (${SCHEMA_VERSION}); use a newer bridge or another --db`);
    }
    const run = this.db.transaction(() => {
      for (let v = version; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
    run();
  }

  /**
   * Records a board's handshake under the power-up the bench decided (bridge/devices/power-up.ts) and
   * returns the device as stored.
   */
  upsertDevice(identity: Omit<StoredDevice, 'boot'>, atMs: number, powerUp: number): StoredDevice {
    this.flush();
    this.db
      .prepare(
        `INSERT INTO devices (id, kind, firmware_version, protocol_version, capabilities, path, boot, first_seen_ms, last_seen_ms)
         VALUES (@id, @kind, @firmwareVersion, @protocolVersion, @capabilities, @path, @boot, @atMs, @atMs)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, firmware_version = excluded.firmware_version,
           protocol_version = excluded.protocol_version, capabilities = excluded.capabilities,
           path = excluded.path, boot = excluded.boot, last_seen_ms = excluded.last_seen_ms`,
      )
      .run({ ...identity, capabilities: JSON.stringify(identity.capabilities), boot: powerUp, atMs });
    return { ...identity, boot: powerUp };
  }

  /** The device's newest power-up that the bench saw (not a lost one), if any. */
  lastPowerUp(deviceId: string): PowerUpRow | undefined {
    return this.db
      .prepare(`SELECT ${SqliteStore.POWER_UP_COLUMNS} FROM power_ups WHERE device_id = ? AND state = 'seen' ORDER BY power_up DESC LIMIT 1`)
      .get(deviceId) as PowerUpRow | undefined;
  }

  /** The highest power-up number the device has, seen or lost; 0 for a new device. */
  maxPowerUp(deviceId: string): number {
    const row = this.db.prepare('SELECT max(power_up) AS n FROM power_ups WHERE device_id = ?').get(deviceId) as { n: number | null };
    return row.n ?? 0;
  }

  addPowerUp(p: PowerUpRow): void {
    this.db
      .prepare(
        `INSERT INTO power_ups (device_id, power_up, board_boot, board_boot_last, state, started_at_ms, detected_at_ms, reason)
         VALUES (@deviceId, @powerUp, @boardBoot, @boardBootLast, @state, @startedAtMs, @detectedAtMs, @reason)`,
      )
      .run(p);
  }

  /** Every power-up of a device, oldest first. */
  powerUps(deviceId: string): PowerUpRow[] {
    return this.db.prepare(`SELECT ${SqliteStore.POWER_UP_COLUMNS} FROM power_ups WHERE device_id = ? ORDER BY power_up`).all(deviceId) as PowerUpRow[];
  }

  private static readonly POWER_UP_COLUMNS = `device_id AS deviceId, power_up AS powerUp, board_boot AS boardBoot, board_boot_last AS boardBootLast,
    state, started_at_ms AS startedAtMs, detected_at_ms AS detectedAtMs, reason`;

  /** The stored reading with the highest seq of one power-up. */
  lastReading(deviceId: string, boot: number): LastReading | undefined {
    this.flush();
    return this.db
      .prepare('SELECT seq, board_ms AS boardMs, measured_at_ms AS measuredAtMs FROM readings WHERE device_id = ? AND boot = ? ORDER BY seq DESC LIMIT 1')
      .get(deviceId, boot) as LastReading | undefined;
  }

  /** The stored reading under one (device, power-up, seq), if any. */
  storedReading(deviceId: string, boot: number, seq: number): ReadingRow | undefined {
    this.flush();
    const r = this.storedReadingStmt.get(deviceId, boot, seq) as RawReadingRow | undefined;
    return r ? this.fromRaw(r) : undefined;
  }

  addConflict(c: { deviceId: string; boot: number; seq: number; atMs: number; stored: unknown; received: unknown; resolution: string }): number {
    return Number(
      this.db
        .prepare('INSERT INTO reading_conflicts (device_id, boot, seq, detected_at_ms, stored, received, resolution) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(c.deviceId, c.boot, c.seq, c.atMs, JSON.stringify(c.stored), JSON.stringify(c.received), c.resolution).lastInsertRowid,
    );
  }

  /** A device's conflicts, newest first. */
  conflicts(deviceId: string, limit = 1000): ReadingConflict[] {
    const rows = this.db
      .prepare(
        `SELECT id, device_id AS deviceId, boot, seq, detected_at_ms AS detectedAtMs, stored, received, resolution
         FROM reading_conflicts WHERE device_id = ? ORDER BY id DESC LIMIT ?`,
      )
      .all(deviceId, limit) as Array<ReadingConflict & { stored: string; received: string }>;
    return rows.map((r) => ({ ...r, stored: JSON.parse(r.stored) as unknown, received: JSON.parse(r.received) as unknown }));
  }

  /** What the store's history says of a device: conflicts, readings recorded lost, power-ups. */
  deviceHistoryCounts(deviceId: string): { conflicts: number; lostReadings: number; powerUps: number; lostPowerUps: number } {
    const c = this.db.prepare('SELECT count(*) AS n FROM reading_conflicts WHERE device_id = ?').get(deviceId) as { n: number };
    const g = this.db
      .prepare("SELECT coalesce(sum(to_seq - from_seq + 1), 0) AS n FROM sequence_gaps WHERE device_id = ? AND state = 'lost'")
      .get(deviceId) as { n: number };
    const p = this.db
      .prepare("SELECT coalesce(sum(state = 'seen'), 0) AS seen, coalesce(sum(state = 'lost'), 0) AS lost FROM power_ups WHERE device_id = ?")
      .get(deviceId) as { seen: number; lost: number };
    return { conflicts: c.n, lostReadings: g.n, powerUps: p.seen, lostPowerUps: p.lost };
  }

  /** The counters saved for a device, or undefined for one never saved. */
  savedCounters(deviceId: string): Partial<LinkCounters> | undefined {
    const row = this.db.prepare('SELECT counters FROM devices WHERE id = ?').get(deviceId) as { counters: string | null } | undefined;
    return row?.counters ? (JSON.parse(row.counters) as Partial<LinkCounters>) : undefined;
  }

  saveCounters(deviceId: string, counters: LinkCounters): void {
    if (!this.db.open) return;
    this.db.prepare('UPDATE devices SET counters = ? WHERE id = ?').run(JSON.stringify(counters), deviceId);
  }

  /** Stores a reading now: `new`, `duplicate` (the same reading was stored before) or `conflict`. */
  insertReading(row: ReadingRow): InsertOutcome {
    this.flush();
    return this.writeReading(row);
  }

  /**
   * Queues a reading; every reading queued in one turn of the event loop is written in one transaction
   * (a commit per reading costs more than the rest of the ingest). `done` hears what storing it came to. Every
   * method that reads readings flushes first, so callers never see the queue. A crash loses at most one
   * turn's readings, which are past the last committed seq and so are asked for again by replay.
   */
  queueReading(row: ReadingRow, done?: (outcome: InsertOutcome) => void): void {
    this.pendingReadings.push([row, done]);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the queued readings now. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pendingReadings.length === 0 || !this.db.open) return;
    const batch = this.pendingReadings;
    this.pendingReadings = [];
    const results = this.insertBatch(batch);
    batch.forEach(([, done], i) => done?.(results[i]!));
  }

  /** Every device the store has seen. */
  deviceIds(): string[] {
    return (this.db.prepare('SELECT id FROM devices ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
  }

  /** The highest seq stored for a device in one boot; 0 when none. */
  maxSeq(deviceId: string, boot: number): number {
    this.flush();
    const row = this.db.prepare('SELECT max(seq) AS seq FROM readings WHERE device_id = ? AND boot = ?').get(deviceId, boot) as { seq: number | null };
    return row.seq ?? 0;
  }

  /** Readings stored for a device and boot with seq in from..to, in seq order (for tests and audits). */
  seqsStored(deviceId: string, boot: number, fromSeq = 0, toSeq = Number.MAX_SAFE_INTEGER): number[] {
    this.flush();
    return (
      this.db
        .prepare('SELECT seq FROM readings WHERE device_id = ? AND boot = ? AND seq BETWEEN ? AND ? ORDER BY seq')
        .all(deviceId, boot, fromSeq, toSeq) as Array<{ seq: number }>
    ).map((r) => r.seq);
  }

  addGap(g: { deviceId: string; boot: number; fromSeq: number; toSeq: number; state: 'open' | 'lost'; reason?: string; atMs: number }): number {
    const r = this.db
      .prepare(
        `INSERT INTO sequence_gaps (device_id, boot, from_seq, to_seq, state, reason, detected_at_ms, closed_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(g.deviceId, g.boot, g.fromSeq, g.toSeq, g.state, g.reason ?? null, g.atMs, g.state === 'lost' ? g.atMs : null);
    return Number(r.lastInsertRowid);
  }

  /** Removes a gap that was filled. */
  deleteGap(id: number): void {
    this.db.prepare('DELETE FROM sequence_gaps WHERE id = ?').run(id);
  }

  /** Marks (part of) an open gap lost: the range becomes `fromSeq..toSeq` and the state `lost`. */
  loseGap(id: number, fromSeq: number, toSeq: number, reason: string, atMs: number): void {
    this.db
      .prepare("UPDATE sequence_gaps SET from_seq = ?, to_seq = ?, state = 'lost', reason = ?, closed_at_ms = ? WHERE id = ?")
      .run(fromSeq, toSeq, reason, atMs, id);
  }

  gaps(deviceId: string, state?: 'open' | 'lost'): SequenceGap[] {
    const sql = `SELECT id, device_id AS deviceId, boot, from_seq AS fromSeq, to_seq AS toSeq, state, reason,
                        detected_at_ms AS detectedAtMs, closed_at_ms AS closedAtMs
                 FROM sequence_gaps WHERE device_id = ? ${state ? 'AND state = ?' : ''} ORDER BY boot, from_seq`;
    return (state ? this.db.prepare(sql).all(deviceId, state) : this.db.prepare(sql).all(deviceId)) as SequenceGap[];
  }

  addToken(t: { name: string; role: string; hash: string; atMs: number }): number {
    const r = this.db
      .prepare('INSERT INTO tokens (name, role, hash, created_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT(hash) DO UPDATE SET name = excluded.name, role = excluded.role, revoked_at_ms = NULL')
      .run(t.name, t.role, t.hash, t.atMs);
    return Number(r.lastInsertRowid);
  }

  /** The live (not revoked) token with this hash. */
  tokenByHash(hash: string): StoredToken | undefined {
    return this.db
      .prepare(`SELECT id, name, role, created_at_ms AS createdAtMs, last_used_ms AS lastUsedMs, revoked_at_ms AS revokedAtMs
                FROM tokens WHERE hash = ? AND revoked_at_ms IS NULL`)
      .get(hash) as StoredToken | undefined;
  }

  touchToken(id: number, atMs: number): void {
    this.db.prepare('UPDATE tokens SET last_used_ms = ? WHERE id = ?').run(atMs, id);
  }

  listTokens(): StoredToken[] {
    return this.db
      .prepare(`SELECT id, name, role, created_at_ms AS createdAtMs, last_used_ms AS lastUsedMs, revoked_at_ms AS revokedAtMs
                FROM tokens ORDER BY id`)
      .all() as StoredToken[];
  }

  /** Revokes a token; false when there is no live token with that id. */
  revokeToken(id: number, atMs: number): boolean {
    return this.db.prepare('UPDATE tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL').run(atMs, id).changes === 1;
  }

  queryReadings(q: ReadingQuery): ReadingView[] {
    this.flush();
    return (this.queryReadingsStmt.all(q) as RawReadingRow[]).map((r) => this.fromRaw(r));
  }

  countReadings(deviceId?: string): number {
    this.flush();
    const row = deviceId
      ? this.db.prepare('SELECT count(*) AS n FROM readings WHERE device_id = ?').get(deviceId)
      : this.db.prepare('SELECT count(*) AS n FROM readings').get();
    return (row as { n: number }).n;
  }

  commandSent(cmd: { id: number; deviceId: string; op: string; args: unknown; sentAtMs: number; retryOf?: number; actor?: string }): void {
    this.db
      .prepare('INSERT INTO commands (id, device_id, op, args, sent_at_ms, retry_of, actor) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(cmd.id, cmd.deviceId, cmd.op, JSON.stringify(cmd.args), cmd.sentAtMs, cmd.retryOf ?? null, cmd.actor ?? null);
  }

  commandFinished(id: number, outcome: 'ack' | 'nak' | 'timeout' | 'lost', atMs: number, nakCode?: string): void {
    this.db
      .prepare('UPDATE commands SET outcome = ?, finished_at_ms = ?, nak_code = ? WHERE id = ?')
      .run(outcome, atMs, nakCode ?? null, id);
  }

  /** The command audit log, newest first. */
  commands(deviceId: string | undefined, limit: number): Array<Record<string, unknown>> {
    const rows = this.db
      .prepare(
        `SELECT id, device_id AS deviceId, op, args, sent_at_ms AS sentAtMs, finished_at_ms AS finishedAtMs, outcome,
                nak_code AS nakCode, retry_of AS retryOf, actor
         FROM commands ${deviceId ? 'WHERE device_id = @deviceId' : ''} ORDER BY id DESC LIMIT @limit`,
      )
      .all({ deviceId, limit }) as Array<Record<string, unknown> & { args: string }>;
    return rows.map((r) => ({ ...r, args: JSON.parse(r.args) as unknown }));
  }

  /**
   * Deletes readings measured before `readingsBeforeMs` and events before `eventsBeforeMs`. The newest
   * reading of every (device, boot) is kept whatever its age: it is where the next replay starts.
   */
  prune(readingsBeforeMs: number | undefined, eventsBeforeMs: number | undefined): { readings: number; events: number } {
    this.flush();
    let readings = 0;
    let events = 0;
    const run = this.db.transaction(() => {
      if (readingsBeforeMs !== undefined) {
        readings = this.db
          .prepare(
            `DELETE FROM readings WHERE measured_at_ms < ? AND seq <> (
               SELECT max(r2.seq) FROM readings r2 WHERE r2.device_id = readings.device_id AND r2.boot = readings.boot)`,
          )
          .run(readingsBeforeMs).changes;
      }
      if (eventsBeforeMs !== undefined) events = this.db.prepare('DELETE FROM events WHERE at_ms < ?').run(eventsBeforeMs).changes;
    });
    run();
    return { readings, events };
  }

  /**
   * A cell's readings in a time range, oldest first, one row at a time (for CSV export): those filed under
   * the cell, and the rows from before cells were kept of `legacyDeviceIds` (the devices the configuration
   * gives the cell) whose legacy cell it is.
   */
  *iterateCellReadings(cellId: string, legacyDeviceIds: string[], fromMs: number, toMs: number): IterableIterator<ReadingRow> {
    this.flush();
    const marks = legacyDeviceIds.map(() => '?').join(', ');
    const legacy = legacyDeviceIds.length > 0 ? `OR (cell_id IS NULL AND device_id IN (${marks}))` : '';
    const rows = this.db
      .prepare(
        `SELECT ${READING_COLUMNS}
         FROM readings WHERE (cell_id = ? ${legacy}) AND measured_at_ms BETWEEN ? AND ?
         ORDER BY measured_at_ms, device_id, boot, seq`,
      )
      .iterate(cellId, ...legacyDeviceIds, fromMs, toMs) as IterableIterator<RawReadingRow>;
    for (const r of rows) {
      const row = this.fromRaw(r);
      if (row.cellId === cellId) yield row;
    }
  }

  /** Every (cell, device) pair readings were filed under. */
  cellDevices(): Array<{ cellId: string; deviceId: string }> {
    return this.db.prepare('SELECT DISTINCT cell_id AS cellId, device_id AS deviceId FROM readings WHERE cell_id IS NOT NULL ORDER BY 1, 2').all() as Array<{ cellId: string; deviceId: string }>;
  }

  /**
   * The stored reading of a device measured at or before `atMs`, the newest such, that still describes the
   * cell at `atMs`: flagged readings are passed over (they are not to be used as real), and a reading of an
   * earlier power-up is none when the board powered up again between it and `atMs` (a control measurement
   * is never compared with the previous run's sensor).
   */
  readingAt(deviceId: string, atMs: number, cellId?: string): ReadingRow | undefined {
    this.flush();
    // With a cell: that cell's readings (a manifold board measures several), and the rows from before cells
    // were kept, which are its legacy cell's.
    const r = this.db
      .prepare(
        `SELECT ${READING_COLUMNS}
         FROM readings WHERE device_id = ? AND measured_at_ms <= ? AND flags IS NULL ${cellId !== undefined ? 'AND (cell_id = ? OR cell_id IS NULL)' : ''}
         ORDER BY measured_at_ms DESC LIMIT 1`,
      )
      .get(...(cellId !== undefined ? [deviceId, atMs, cellId] : [deviceId, atMs])) as RawReadingRow | undefined;
    if (!r || (cellId !== undefined && this.fromRaw(r).cellId !== cellId)) return undefined;
    const restarted = this.db
      .prepare("SELECT 1 FROM power_ups WHERE device_id = ? AND state = 'seen' AND power_up > ? AND started_at_ms > ? AND started_at_ms <= ? LIMIT 1")
      .get(deviceId, r.boot, r.measuredAtMs, atMs);
    return restarted ? undefined : this.fromRaw(r);
  }

  startRun(r: { name: string; atMs: number; by: string | null; detail: unknown }): number {
    return Number(
      this.db.prepare('INSERT INTO runs (name, started_at_ms, started_by, detail) VALUES (?, ?, ?, ?)').run(r.name, r.atMs, r.by, JSON.stringify(r.detail ?? {})).lastInsertRowid,
    );
  }

  endRun(id: number, atMs: number): boolean {
    return this.db.prepare('UPDATE runs SET ended_at_ms = ? WHERE id = ? AND ended_at_ms IS NULL').run(atMs, id).changes === 1;
  }

  runs(): Array<{ id: number; name: string; startedAtMs: number; endedAtMs: number | null; startedBy: string | null; detail: unknown }> {
    const rows = this.db
      .prepare('SELECT id, name, started_at_ms AS startedAtMs, ended_at_ms AS endedAtMs, started_by AS startedBy, detail FROM runs ORDER BY id DESC')
      .all() as Array<{ id: number; name: string; startedAtMs: number; endedAtMs: number | null; startedBy: string | null; detail: string }>;
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as unknown }));
  }

  raiseAlarm(a: { cellId: string; deviceId: string | null; kind: string; severity: string; atMs: number; value: number | null; threshold: number | null; message: string }): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO alarms (cell_id, device_id, kind, severity, state, raised_at_ms, value, threshold, message)
           VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?)`,
        )
        .run(a.cellId, a.deviceId, a.kind, a.severity, a.atMs, a.value, a.threshold, a.message).lastInsertRowid,
    );
  }

  clearAlarm(id: number, atMs: number): void {
    this.db.prepare("UPDATE alarms SET state = 'cleared', cleared_at_ms = ? WHERE id = ?").run(atMs, id);
  }

  ackAlarm(id: number, by: string, atMs: number): void {
    this.db.prepare('UPDATE alarms SET acked_at_ms = ?, acked_by = ? WHERE id = ?').run(atMs, by, id);
  }

  private static readonly ALARM_COLUMNS = `id, cell_id AS cellId, device_id AS deviceId, kind, severity, state, raised_at_ms AS raisedAtMs,
    cleared_at_ms AS clearedAtMs, acked_at_ms AS ackedAtMs, acked_by AS ackedBy, value, threshold, message`;

  alarm(id: number): unknown {
    return this.db.prepare(`SELECT ${SqliteStore.ALARM_COLUMNS} FROM alarms WHERE id = ?`).get(id);
  }

  /** Alarms, newest first: the active ones, or all. */
  alarms(state: 'active' | 'all', cellId?: string, limit = 1000): unknown[] {
    const where = [state === 'active' ? "state = 'active'" : '1', cellId ? 'cell_id = @cellId' : '1'].join(' AND ');
    return this.db.prepare(`SELECT ${SqliteStore.ALARM_COLUMNS} FROM alarms WHERE ${where} ORDER BY id DESC LIMIT @limit`).all({ ...(cellId ? { cellId } : {}), limit });
  }

  /** The last recorded door state of every cell. */
  doorStates(): Array<{ cellId: string; open: boolean }> {
    const rows = this.db
      .prepare("SELECT detail FROM events WHERE kind = 'cell.door' ORDER BY id")
      .all() as Array<{ detail: string }>;
    const last = new Map<string, boolean>();
    for (const r of rows) {
      const d = JSON.parse(r.detail) as { cellId: string; open: boolean };
      last.set(d.cellId, d.open);
    }
    return [...last].map(([cellId, open]) => ({ cellId, open }));
  }

  notification(n: { alarmId: number; channel: string; target: string; event: string; atMs: number; outcome: 'sent' | 'failed'; error?: string }): void {
    this.db
      .prepare('INSERT INTO notifications (alarm_id, channel, target, event, at_ms, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(n.alarmId, n.channel, n.target, n.event, n.atMs, n.outcome, n.error ?? null);
  }

  notifications(alarmId?: number): unknown[] {
    const sql = `SELECT id, alarm_id AS alarmId, channel, target, event, at_ms AS atMs, outcome, error FROM notifications ${alarmId ? 'WHERE alarm_id = ?' : ''} ORDER BY id`;
    return alarmId ? this.db.prepare(sql).all(alarmId) : this.db.prepare(sql).all();
  }

  addManualMeasurement(m: {
    cellId: string; deviceId: string | null; measuredAtMs: number; o2Kpa: number | null; co2Kpa: number | null; tempC: number | null;
    sensorSeq: number | null; sensorO2Kpa: number | null; sensorCo2Kpa: number | null; sensorTempC: number | null; enteredBy: string; enteredAtMs: number; note: string | null;
  }): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO manual_measurements (cell_id, device_id, measured_at_ms, o2_kpa, co2_kpa, temp_c, sensor_seq, sensor_o2_kpa, sensor_co2_kpa, sensor_temp_c, entered_by, entered_at_ms, note)
           VALUES (@cellId, @deviceId, @measuredAtMs, @o2Kpa, @co2Kpa, @tempC, @sensorSeq, @sensorO2Kpa, @sensorCo2Kpa, @sensorTempC, @enteredBy, @enteredAtMs, @note)`,
        )
        .run(m).lastInsertRowid,
    );
  }

  manualMeasurements(cellId: string): unknown[] {
    return this.db
      .prepare(
        `SELECT id, cell_id AS cellId, device_id AS deviceId, measured_at_ms AS measuredAtMs, o2_kpa AS o2Kpa, co2_kpa AS co2Kpa, temp_c AS tempC,
                sensor_seq AS sensorSeq, sensor_o2_kpa AS sensorO2Kpa, sensor_co2_kpa AS sensorCo2Kpa, sensor_temp_c AS sensorTempC,
                entered_by AS enteredBy, entered_at_ms AS enteredAtMs, note
         FROM manual_measurements WHERE cell_id = ? ORDER BY measured_at_ms DESC`,
      )
      .all(cellId);
  }

  /** The largest command id ever used, so ids stay unique across bridge restarts. */
  lastCommandId(): number {
    const row = this.db.prepare('SELECT max(id) AS id FROM commands').get() as { id: number | null };
    return row.id ?? 0;
  }

  event(e: { atMs: number; deviceId?: string; path?: string; kind: string; detail?: unknown }): void {
    this.db
      .prepare('INSERT INTO events (at_ms, device_id, path, kind, detail) VALUES (?, ?, ?, ?, ?)')
      .run(e.atMs, e.deviceId ?? null, e.path ?? null, e.kind, JSON.stringify(e.detail ?? {}));
  }

  /**
   * Events, newest first: of one device, of kinds starting with a prefix (`link.`, `power_up.`), with an id
   * below `beforeId` (to page back), at most `limit`.
   */
  events(q: { deviceId?: string; kindPrefix?: string; beforeId?: number; limit: number }): StoredEvent[] {
    const where: string[] = [];
    if (q.deviceId !== undefined) where.push('device_id = @deviceId');
    if (q.kindPrefix !== undefined) where.push("substr(kind, 1, length(@kindPrefix)) = @kindPrefix");
    if (q.beforeId !== undefined) where.push('id < @beforeId');
    const rows = this.db
      .prepare(
        `SELECT id, at_ms AS atMs, device_id AS deviceId, path, kind, detail FROM events
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`,
      )
      .all({ ...q }) as Array<StoredEvent & { detail: string }>;
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as unknown }));
  }

  /** Saves the thresholds an admin set for a cell (replacing earlier ones). */
  saveCellThresholds(cellId: string, config: object, atMs: number, by: string): void {
    this.db
      .prepare(
        `INSERT INTO cell_alarm_thresholds (cell_id, config, set_at_ms, set_by) VALUES (?, ?, ?, ?)
         ON CONFLICT(cell_id) DO UPDATE SET config = excluded.config, set_at_ms = excluded.set_at_ms, set_by = excluded.set_by`,
      )
      .run(cellId, JSON.stringify(config), atMs, by);
  }

  /** Every cell's thresholds set at run time. */
  cellThresholds(): Array<{ cellId: string; config: Record<string, number> }> {
    const rows = this.db.prepare('SELECT cell_id AS cellId, config FROM cell_alarm_thresholds ORDER BY cell_id').all() as Array<{ cellId: string; config: string }>;
    return rows.map((r) => ({ cellId: r.cellId, config: JSON.parse(r.config) as Record<string, number> }));
  }

  close(): void {
    this.flush();
    if (this.db.open) this.db.close();
  }
}
