/** Runs (named spans of bench time) and the manual control measurements taken in them. */

import type Database from 'better-sqlite3';
import type { ManualMeasurementRow, RunRow } from './store-types.js';

export class RunStore {
  constructor(private readonly db: Database.Database) {}

  start(r: { name: string; atMs: number; by: string | null; detail: unknown }): number {
    return Number(
      this.db.prepare('INSERT INTO runs (name, started_at_ms, started_by, detail) VALUES (?, ?, ?, ?)').run(r.name, r.atMs, r.by, JSON.stringify(r.detail ?? {})).lastInsertRowid,
    );
  }

  end(id: number, atMs: number): boolean {
    return this.db.prepare('UPDATE runs SET ended_at_ms = ? WHERE id = ? AND ended_at_ms IS NULL').run(atMs, id).changes === 1;
  }

  list(): RunRow[] {
    const rows = this.db
      .prepare('SELECT id, name, started_at_ms AS startedAtMs, ended_at_ms AS endedAtMs, started_by AS startedBy, detail FROM runs ORDER BY id DESC')
      .all() as Array<{ id: number; name: string; startedAtMs: number; endedAtMs: number | null; startedBy: string | null; detail: string }>;
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as unknown }));
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

  manualMeasurements(cellId: string): ManualMeasurementRow[] {
    return this.db
      .prepare(
        `SELECT id, cell_id AS cellId, device_id AS deviceId, measured_at_ms AS measuredAtMs, o2_kpa AS o2Kpa, co2_kpa AS co2Kpa, temp_c AS tempC,
                sensor_seq AS sensorSeq, sensor_o2_kpa AS sensorO2Kpa, sensor_co2_kpa AS sensorCo2Kpa, sensor_temp_c AS sensorTempC,
                entered_by AS enteredBy, entered_at_ms AS enteredAtMs, note
         FROM manual_measurements WHERE cell_id = ? ORDER BY measured_at_ms DESC`,
      )
      .all(cellId) as ManualMeasurementRow[];
  }
}
