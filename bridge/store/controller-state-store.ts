/**
 * The record a DCA controller keeps per cell (`PUT /api/cells/:id/controller`): its status, its memory to
 * resume from and the alarms it holds. One row per cell, replaced on every save (a controller may save
 * once per reading in lockstep, so this is one upsert on a primary key and nothing else).
 */

import type Database from 'better-sqlite3';

export interface ControllerStateRow {
  cellId: string;
  controller: string;
  state: string;
  /** The record as the controller sent it (status, memory, alarms). */
  body: unknown;
  updatedAtMs: number;
  updatedBy: string;
}

interface RawRow extends Omit<ControllerStateRow, 'body'> {
  body: string;
}

const COLUMNS = 'cell_id AS cellId, controller, state, body, updated_at_ms AS updatedAtMs, updated_by AS updatedBy';

export class ControllerStateStore {
  private readonly upsertStmt;
  private readonly getStmt;
  private readonly listStmt;

  constructor(db: Database.Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO controller_states (cell_id, controller, state, body, updated_at_ms, updated_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(cell_id) DO UPDATE SET controller = excluded.controller, state = excluded.state, body = excluded.body,
         updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM controller_states WHERE cell_id = ?`);
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM controller_states ORDER BY cell_id`);
  }

  /** Saves a cell's record, given as its JSON text (the route has it serialised once already). */
  put(cellId: string, controller: string, state: string, bodyJson: string, atMs: number, by: string): void {
    this.upsertStmt.run(cellId, controller, state, bodyJson, atMs, by);
  }

  get(cellId: string): ControllerStateRow | undefined {
    const row = this.getStmt.get(cellId) as RawRow | undefined;
    return row && { ...row, body: JSON.parse(row.body) as unknown };
  }

  list(): ControllerStateRow[] {
    return (this.listStmt.all() as RawRow[]).map((row) => ({ ...row, body: JSON.parse(row.body) as unknown }));
  }
}
