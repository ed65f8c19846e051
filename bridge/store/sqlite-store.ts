/**
 * The bench's store: SQLite in WAL mode through better-sqlite3. Readings are kept exactly once per
 * (device, boot, seq); devices, commands and link events are kept beside them.
 */

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ReadingView } from '../events.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
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
`;

export interface StoredDevice {
  id: string;
  kind: string;
  firmwareVersion: string;
  protocolVersion: number;
  capabilities: string[];
  path: string;
  boot: number;
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

export class SqliteStore {
  readonly db: Database.Database;
  private readonly insertReadingStmt: Database.Statement;
  private readonly lastBoardMsStmt: Database.Statement;
  private readonly queryReadingsStmt: Database.Statement;

  /** @param path a file path, or ':memory:' for a store that lives as long as the process. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across a process crash in WAL mode; only a power cut may lose the last commits,
    // which the boards can replay.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.insertReadingStmt = this.db.prepare(
      `INSERT OR IGNORE INTO readings (device_id, boot, seq, board_ms, measured_at_ms, received_at_ms, o2_kpa, co2_kpa, temp_c)
       VALUES (@deviceId, @boot, @seq, @boardMs, @measuredAtMs, @receivedAtMs, @o2Kpa, @co2Kpa, @tempC)`,
    );
    this.lastBoardMsStmt = this.db.prepare(
      'SELECT board_ms AS boardMs FROM readings WHERE device_id = ? AND boot = ? ORDER BY seq DESC LIMIT 1',
    );
    this.queryReadingsStmt = this.db.prepare(
      `SELECT device_id AS deviceId, seq, board_ms AS boardMs, measured_at_ms AS measuredAtMs,
              received_at_ms AS receivedAtMs, o2_kpa AS o2Kpa, co2_kpa AS co2Kpa, temp_c AS tempC
       FROM readings WHERE device_id = @deviceId AND measured_at_ms >= @fromMs AND measured_at_ms <= @toMs
       ORDER BY measured_at_ms, boot, seq LIMIT @limit`,
    );
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version === SCHEMA_VERSION) return;
    if (version !== 0) {
      throw new Error(`store schema version ${version} is not known to this bridge (expects ${SCHEMA_VERSION})`);
    }
    this.db.exec('BEGIN');
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    this.db.exec('COMMIT');
  }

  /**
   * Records a board's handshake and returns its boot number. A board whose clock in the handshake is
   * behind the last reading stored for its current boot has been powered up again: its sequence numbers
   * start over, so it gets a new boot number and its readings cannot collide with the old ones.
   */
  upsertDevice(
    identity: Omit<StoredDevice, 'boot'>,
    handshakeBoardMs: number,
    atMs: number,
  ): StoredDevice {
    const row = this.db.prepare('SELECT boot FROM devices WHERE id = ?').get(identity.id) as { boot: number } | undefined;
    let boot = row?.boot ?? 1;
    if (row) {
      const last = this.lastBoardMsStmt.get(identity.id, row.boot) as { boardMs: number } | undefined;
      if (last && handshakeBoardMs < last.boardMs) boot += 1;
    }
    this.db
      .prepare(
        `INSERT INTO devices (id, kind, firmware_version, protocol_version, capabilities, path, boot, first_seen_ms, last_seen_ms)
         VALUES (@id, @kind, @firmwareVersion, @protocolVersion, @capabilities, @path, @boot, @atMs, @atMs)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, firmware_version = excluded.firmware_version,
           protocol_version = excluded.protocol_version, capabilities = excluded.capabilities,
           path = excluded.path, boot = excluded.boot, last_seen_ms = excluded.last_seen_ms`,
      )
      .run({ ...identity, capabilities: JSON.stringify(identity.capabilities), boot, atMs });
    return { ...identity, boot };
  }

  /** Stores a reading; returns false when that (device, boot, seq) was stored before. */
  insertReading(row: ReadingRow): boolean {
    return this.insertReadingStmt.run(row).changes === 1;
  }

  queryReadings(q: ReadingQuery): ReadingView[] {
    return this.queryReadingsStmt.all(q) as ReadingView[];
  }

  countReadings(deviceId?: string): number {
    const row = deviceId
      ? this.db.prepare('SELECT count(*) AS n FROM readings WHERE device_id = ?').get(deviceId)
      : this.db.prepare('SELECT count(*) AS n FROM readings').get();
    return (row as { n: number }).n;
  }

  commandSent(cmd: { id: number; deviceId: string; op: string; args: unknown; sentAtMs: number }): void {
    this.db
      .prepare('INSERT INTO commands (id, device_id, op, args, sent_at_ms) VALUES (?, ?, ?, ?, ?)')
      .run(cmd.id, cmd.deviceId, cmd.op, JSON.stringify(cmd.args), cmd.sentAtMs);
  }

  commandFinished(id: number, outcome: 'ack' | 'nak' | 'timeout' | 'lost', atMs: number, nakCode?: string): void {
    this.db
      .prepare('UPDATE commands SET outcome = ?, finished_at_ms = ?, nak_code = ? WHERE id = ?')
      .run(outcome, atMs, nakCode ?? null, id);
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

  close(): void {
    if (this.db.open) this.db.close();
  }
}
