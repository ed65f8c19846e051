/** Alarms, their notifications, and the alarm thresholds an admin set at run time. */

import type Database from 'better-sqlite3';
import type { AlarmView } from '../events.js';
import type { NotificationRow } from './store-types.js';

export class AlarmStore {
  constructor(private readonly db: Database.Database) {}

  raise(a: { cellId: string; deviceId: string | null; kind: string; code?: string | null; severity: string; atMs: number; value: number | null; threshold: number | null; message: string }): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO alarms (cell_id, device_id, kind, code, severity, state, raised_at_ms, value, threshold, message)
           VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)`,
        )
        .run(a.cellId, a.deviceId, a.kind, a.code ?? null, a.severity, a.atMs, a.value, a.threshold, a.message).lastInsertRowid,
    );
  }

  clear(id: number, atMs: number): void {
    this.db.prepare("UPDATE alarms SET state = 'cleared', cleared_at_ms = ? WHERE id = ?").run(atMs, id);
  }

  ack(id: number, by: string, atMs: number): void {
    this.db.prepare('UPDATE alarms SET acked_at_ms = ?, acked_by = ? WHERE id = ?').run(atMs, by, id);
  }

  private static readonly ALARM_COLUMNS = `id, cell_id AS cellId, device_id AS deviceId, kind, code, severity, state, raised_at_ms AS raisedAtMs,
    cleared_at_ms AS clearedAtMs, acked_at_ms AS ackedAtMs, acked_by AS ackedBy, value, threshold, message`;

  get(id: number): AlarmView | undefined {
    return this.db.prepare(`SELECT ${AlarmStore.ALARM_COLUMNS} FROM alarms WHERE id = ?`).get(id) as AlarmView | undefined;
  }

  /** Alarms, newest first: the active ones, or all. */
  list(state: 'active' | 'all', cellId?: string, limit = 1000): AlarmView[] {
    const where = [state === 'active' ? "state = 'active'" : '1', cellId ? 'cell_id = @cellId' : '1'].join(' AND ');
    return this.db.prepare(`SELECT ${AlarmStore.ALARM_COLUMNS} FROM alarms WHERE ${where} ORDER BY id DESC LIMIT @limit`).all({ ...(cellId ? { cellId } : {}), limit }) as AlarmView[];
  }

  addNotification(n: { alarmId: number; channel: string; target: string; event: string; atMs: number; outcome: 'sent' | 'failed'; error?: string }): void {
    this.db
      .prepare('INSERT INTO notifications (alarm_id, channel, target, event, at_ms, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(n.alarmId, n.channel, n.target, n.event, n.atMs, n.outcome, n.error ?? null);
  }

  notifications(alarmId?: number): NotificationRow[] {
    const sql = `SELECT id, alarm_id AS alarmId, channel, target, event, at_ms AS atMs, outcome, error FROM notifications ${alarmId ? 'WHERE alarm_id = ?' : ''} ORDER BY id`;
    return (alarmId ? this.db.prepare(sql).all(alarmId) : this.db.prepare(sql).all()) as NotificationRow[];
  }

  /** Saves the thresholds an admin set for a cell (replacing earlier ones). */
  saveThresholds(cellId: string, config: object, atMs: number, by: string): void {
    this.db
      .prepare(
        `INSERT INTO cell_alarm_thresholds (cell_id, config, set_at_ms, set_by) VALUES (?, ?, ?, ?)
         ON CONFLICT(cell_id) DO UPDATE SET config = excluded.config, set_at_ms = excluded.set_at_ms, set_by = excluded.set_by`,
      )
      .run(cellId, JSON.stringify(config), atMs, by);
  }

  /** Every cell's thresholds set at run time. */
  thresholds(): Array<{ cellId: string; config: Record<string, number> }> {
    const rows = this.db.prepare('SELECT cell_id AS cellId, config FROM cell_alarm_thresholds ORDER BY cell_id').all() as Array<{ cellId: string; config: string }>;
    return rows.map((r) => ({ cellId: r.cellId, config: JSON.parse(r.config) as Record<string, number> }));
  }
}
