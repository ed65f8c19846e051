/**
 * Readings and what accounts for the ones that are missing: sequence gaps (open, to be replayed; lost, with
 * the reason) and conflicts (a reading that collided with a different stored one). Readings are kept
 * exactly once per (device, power-up, seq); the reading column list is written once (READING_COLUMNS).
 */

import type Database from 'better-sqlite3';
import type { ReadingFlag, ReadingView } from '../events.js';
import type { InsertOutcome, LastReading, ReadingConflict, ReadingQuery, ReadingRow, SequenceGap } from './store-types.js';

function flagsColumn(flags: readonly ReadingFlag[] | undefined): string | null {
  return flags && flags.length > 0 ? flags.join(',') : null;
}

/** Same reading: the board's time and every value equal (a replayed RD is byte for byte the live one). */
export function sameReading(a: { boardMs: number; o2Kpa: number | null; co2Kpa: number | null; tempC: number | null }, b: typeof a): boolean {
  return a.boardMs === b.boardMs && a.o2Kpa === b.o2Kpa && a.co2Kpa === b.co2Kpa && a.tempC === b.tempC;
}

/** The reading columns as the store reads them: written once, used by every query of readings. */
const READING_COLUMNS = `device_id AS deviceId, boot, seq, board_ms AS boardMs, measured_at_ms AS measuredAtMs,
  received_at_ms AS receivedAtMs, o2_kpa AS o2Kpa, co2_kpa AS co2Kpa, temp_c AS tempC, flags,
  cell_id AS cellId, board_cell AS boardCell`;

/** A row as SQLite gives it back: flags still a column, the cell NULL on rows from before cells were kept. */
type RawReadingRow = Omit<ReadingRow, 'flags' | 'cellId'> & { flags: string | null; cellId: string | null };

export class ReadingStore {
  private readonly insertReadingStmt: Database.Statement;
  private pendingReadings: Array<[ReadingRow, ((outcome: InsertOutcome) => void) | undefined]> = [];
  private flushScheduled = false;
  /** `flush` for setImmediate, made once rather than a closure per turn. */
  private readonly flushLater = (): void => this.flush();
  private readonly insertBatch: (batch: Array<[ReadingRow, unknown]>) => InsertOutcome[];
  private readonly storedReadingStmt: Database.Statement;
  private readonly queryReadingsStmt: Database.Statement;
  /**
   * The cell of a reading stored before cells were kept (cell_id NULL): the app sets it to the
   * configuration's (bridge/cells.ts). Default: the device's own cell.
   */
  legacyCellOf: (deviceId: string, boardCell: number | null) => string = (deviceId) => deviceId;

  /**
   * @param historyChanged told after every write of a device's gaps or conflicts (undefined: maybe any
   *   device's), so that the counts kept of them (DeviceStore.historyCounts) are counted again.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly historyChanged: (deviceId?: string) => void = () => undefined,
  ) {
    this.insertReadingStmt = this.db.prepare(
      `INSERT OR IGNORE INTO readings (device_id, boot, seq, board_ms, measured_at_ms, received_at_ms, o2_kpa, co2_kpa, temp_c, flags, cell_id, board_cell)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    // Positional parameters: no object is built per reading on the ingest path.
    const inserted = this.insertReadingStmt.run(
      row.deviceId, row.boot, row.seq, row.boardMs, row.measuredAtMs, row.receivedAtMs,
      row.o2Kpa, row.co2Kpa, row.tempC, flagsColumn(row.flags), row.cellId, row.boardCell ?? null,
    );
    if (inserted.changes === 1) return 'new';
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

  /** Stores a reading now: `new`, `duplicate` (the same reading was stored before) or `conflict`. */
  insert(row: ReadingRow): InsertOutcome {
    this.flush();
    return this.writeReading(row);
  }

  /**
   * Queues a reading; every reading queued in one turn of the event loop is written in one transaction
   * (a commit per reading costs more than the rest of the ingest). `done` hears what storing it came to. Every
   * method that reads readings flushes first, so callers never see the queue. A crash loses at most one
   * turn's readings, which are past the last committed seq and so are asked for again by replay.
   */
  queue(row: ReadingRow, done?: (outcome: InsertOutcome) => void): void {
    this.pendingReadings.push([row, done]);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushLater);
    }
  }

  /** Writes the queued readings now. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pendingReadings.length === 0 || !this.db.open) return;
    const batch = this.pendingReadings;
    this.pendingReadings = [];
    if (batch.length === 1) {
      // One reading (a turn of a board at one a minute): its one write is a transaction of its own, and the
      // BEGIN and COMMIT around it would cost as much again. A conflict writes only its record.
      const [row, done] = batch[0]!;
      const outcome = this.writeReading(row);
      done?.(outcome);
      return;
    }
    const results = this.insertBatch(batch);
    for (let i = 0; i < batch.length; i++) batch[i]![1]?.(results[i]!);
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

  /** The stored reading with the highest seq of one power-up. */
  last(deviceId: string, boot: number): LastReading | undefined {
    this.flush();
    return this.db
      .prepare('SELECT seq, board_ms AS boardMs, measured_at_ms AS measuredAtMs FROM readings WHERE device_id = ? AND boot = ? ORDER BY seq DESC LIMIT 1')
      .get(deviceId, boot) as LastReading | undefined;
  }

  /** The stored reading under one (device, power-up, seq), if any. */
  get(deviceId: string, boot: number, seq: number): ReadingRow | undefined {
    this.flush();
    const r = this.storedReadingStmt.get(deviceId, boot, seq) as RawReadingRow | undefined;
    return r ? this.fromRaw(r) : undefined;
  }

  query(q: ReadingQuery): ReadingView[] {
    this.flush();
    return (this.queryReadingsStmt.all(q) as RawReadingRow[]).map((r) => this.fromRaw(r));
  }

  count(deviceId?: string): number {
    this.flush();
    const row = deviceId
      ? this.db.prepare('SELECT count(*) AS n FROM readings WHERE device_id = ?').get(deviceId)
      : this.db.prepare('SELECT count(*) AS n FROM readings').get();
    return (row as { n: number }).n;
  }

  /**
   * A cell's readings in a time range, oldest first, one row at a time (for CSV export): those filed under
   * the cell, and the rows from before cells were kept of `legacyDeviceIds` (the devices the configuration
   * gives the cell) whose legacy cell it is.
   */
  *iterateCell(cellId: string, legacyDeviceIds: string[], fromMs: number, toMs: number): IterableIterator<ReadingRow> {
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

  /** A cell's readings measured in [fromMs, toMs], oldest first, at most `limit` (rows filed under the cell). */
  queryCell(cellId: string, fromMs: number, toMs: number, limit: number): ReadingRow[] {
    this.flush();
    this.cellQueryStmt ??= this.db.prepare(
      `SELECT ${READING_COLUMNS} FROM readings WHERE cell_id = ? AND measured_at_ms BETWEEN ? AND ?
       ORDER BY measured_at_ms, device_id, boot, seq LIMIT ?`,
    );
    return (this.cellQueryStmt.all(cellId, fromMs, toMs, limit) as RawReadingRow[]).map((r) => this.fromRaw(r));
  }

  /** A cell's newest reading (by measurement time), undefined when it has none. */
  latestOfCell(cellId: string): ReadingRow | undefined {
    this.flush();
    this.cellLatestStmt ??= this.db.prepare(`SELECT ${READING_COLUMNS} FROM readings WHERE cell_id = ? ORDER BY measured_at_ms DESC LIMIT 1`);
    const r = this.cellLatestStmt.get(cellId) as RawReadingRow | undefined;
    return r ? this.fromRaw(r) : undefined;
  }

  /** Whether any reading was filed under the cell (one index probe). */
  hasCell(cellId: string): boolean {
    this.flush();
    this.cellExistsStmt ??= this.db.prepare('SELECT 1 FROM readings WHERE cell_id = ? LIMIT 1');
    return this.cellExistsStmt.get(cellId) !== undefined;
  }

  private cellQueryStmt: Database.Statement | undefined;
  private cellLatestStmt: Database.Statement | undefined;
  private cellExistsStmt: Database.Statement | undefined;

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
  at(deviceId: string, atMs: number, cellId?: string): ReadingRow | undefined {
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

  addGap(g: { deviceId: string; boot: number; fromSeq: number; toSeq: number; state: 'open' | 'lost'; reason?: string; atMs: number }): number {
    const r = this.db
      .prepare(
        `INSERT INTO sequence_gaps (device_id, boot, from_seq, to_seq, state, reason, detected_at_ms, closed_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(g.deviceId, g.boot, g.fromSeq, g.toSeq, g.state, g.reason ?? null, g.atMs, g.state === 'lost' ? g.atMs : null);
    this.historyChanged(g.deviceId);
    return Number(r.lastInsertRowid);
  }

  /** Removes a gap that was filled. */
  deleteGap(id: number): void {
    this.db.prepare('DELETE FROM sequence_gaps WHERE id = ?').run(id);
    this.historyChanged();
  }

  /** Marks (part of) an open gap lost: the range becomes `fromSeq..toSeq` and the state `lost`. */
  loseGap(id: number, fromSeq: number, toSeq: number, reason: string, atMs: number): void {
    this.db
      .prepare("UPDATE sequence_gaps SET from_seq = ?, to_seq = ?, state = 'lost', reason = ?, closed_at_ms = ? WHERE id = ?")
      .run(fromSeq, toSeq, reason, atMs, id);
    this.historyChanged();
  }

  gaps(deviceId: string, state?: 'open' | 'lost'): SequenceGap[] {
    const sql = `SELECT id, device_id AS deviceId, boot, from_seq AS fromSeq, to_seq AS toSeq, state, reason,
                        detected_at_ms AS detectedAtMs, closed_at_ms AS closedAtMs
                 FROM sequence_gaps WHERE device_id = ? ${state ? 'AND state = ?' : ''} ORDER BY boot, from_seq`;
    return (state ? this.db.prepare(sql).all(deviceId, state) : this.db.prepare(sql).all(deviceId)) as SequenceGap[];
  }

  addConflict(c: { deviceId: string; boot: number; seq: number; atMs: number; stored: unknown; received: unknown; resolution: string }): number {
    const id = Number(
      this.db
        .prepare('INSERT INTO reading_conflicts (device_id, boot, seq, detected_at_ms, stored, received, resolution) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(c.deviceId, c.boot, c.seq, c.atMs, JSON.stringify(c.stored), JSON.stringify(c.received), c.resolution).lastInsertRowid,
    );
    this.historyChanged(c.deviceId);
    return id;
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

  /**
   * Deletes readings measured before `beforeMs`. The newest reading of every (device, power-up) is kept
   * whatever its age: it is where the next replay starts.
   */
  pruneBefore(beforeMs: number): number {
    this.flush();
    return this.db
      .prepare(
        `DELETE FROM readings WHERE measured_at_ms < ? AND seq <> (
           SELECT max(r2.seq) FROM readings r2 WHERE r2.device_id = readings.device_id AND r2.boot = readings.boot)`,
      )
      .run(beforeMs).changes;
  }
}
