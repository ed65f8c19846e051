/**
 * What people record about a cell, kept as it was entered: airtightness tests, loadings, partial
 * unloadings and the analyser's calibration. Each entry is one row (its body as JSON); the newest of a
 * kind is what is in force, and the older ones are the cell's history.
 */

import type Database from 'better-sqlite3';

export type CellRecordKind = 'leak_test' | 'loading' | 'unloading' | 'calibration';

export interface CellRecordRow {
  id: number;
  cellId: string;
  kind: CellRecordKind;
  body: unknown;
  /** When it happened (bridge time). */
  atMs: number;
  enteredBy: string;
  enteredAtMs: number;
}

interface RawRow extends Omit<CellRecordRow, 'body'> {
  body: string;
}

const COLUMNS = 'id, cell_id AS cellId, kind, body, at_ms AS atMs, entered_by AS enteredBy, entered_at_ms AS enteredAtMs';

export class CellRecordStore {
  private readonly insertStmt;
  private readonly latestStmt;
  private readonly afterStmt;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare('INSERT INTO cell_records (cell_id, kind, body, at_ms, entered_by, entered_at_ms) VALUES (?, ?, ?, ?, ?, ?)');
    this.latestStmt = db.prepare(`SELECT ${COLUMNS} FROM cell_records WHERE cell_id = ? AND kind = ? ORDER BY id DESC LIMIT 1`);
    this.afterStmt = db.prepare(`SELECT ${COLUMNS} FROM cell_records WHERE cell_id = ? AND kind = ? AND id > ? ORDER BY id`);
  }

  add(r: Omit<CellRecordRow, 'id'>): CellRecordRow {
    const id = Number(this.insertStmt.run(r.cellId, r.kind, JSON.stringify(r.body), r.atMs, r.enteredBy, r.enteredAtMs).lastInsertRowid);
    return { id, ...r };
  }

  /** The newest entry of a kind for a cell: the one in force. */
  latest(cellId: string, kind: CellRecordKind): CellRecordRow | undefined {
    const row = this.latestStmt.get(cellId, kind) as RawRow | undefined;
    return row && parse(row);
  }

  /** A cell's entries of a kind made after entry `afterId`, oldest first (the unloadings since a loading). */
  after(cellId: string, kind: CellRecordKind, afterId: number): CellRecordRow[] {
    return (this.afterStmt.all(cellId, kind, afterId) as RawRow[]).map(parse);
  }

  /** The newest entry of a kind of every cell. */
  latestOfKind(kind: CellRecordKind): CellRecordRow[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM cell_records WHERE id IN (SELECT max(id) FROM cell_records WHERE kind = ? GROUP BY cell_id) ORDER BY cell_id`)
      .all(kind) as RawRow[];
    return rows.map(parse);
  }
}

function parse(r: RawRow): CellRecordRow {
  return { ...r, body: JSON.parse(r.body) as unknown };
}
