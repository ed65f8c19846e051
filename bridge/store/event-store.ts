/** The event log: links, power-ups, replays, gaps, conflicts, door reports, pruning. */

import type Database from 'better-sqlite3';
import type { StoredEvent } from './store-types.js';

export class EventStore {
  constructor(private readonly db: Database.Database) {}

  add(e: { atMs: number; deviceId?: string; path?: string; kind: string; detail?: unknown }): void {
    this.db
      .prepare('INSERT INTO events (at_ms, device_id, path, kind, detail) VALUES (?, ?, ?, ?, ?)')
      .run(e.atMs, e.deviceId ?? null, e.path ?? null, e.kind, JSON.stringify(e.detail ?? {}));
  }

  /**
   * Events, newest first: of one device, of kinds starting with a prefix (`link.`, `power_up.`), with an id
   * below `beforeId` (to page back), at most `limit`.
   */
  list(q: { deviceId?: string; kindPrefix?: string; beforeId?: number; limit: number }): StoredEvent[] {
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

  /** The last recorded door state of every cell, and when it was reported. */
  doorStates(): Array<{ cellId: string; open: boolean; atMs: number }> {
    const rows = this.db
      .prepare("SELECT at_ms AS atMs, detail FROM events WHERE kind = 'cell.door' ORDER BY id")
      .all() as Array<{ atMs: number; detail: string }>;
    const last = new Map<string, { open: boolean; atMs: number }>();
    for (const r of rows) {
      const d = JSON.parse(r.detail) as { cellId: string; open: boolean };
      last.set(d.cellId, { open: d.open, atMs: r.atMs });
    }
    return [...last].map(([cellId, d]) => ({ cellId, ...d }));
  }

  /** Deletes events before `beforeMs`; returns how many. */
  pruneBefore(beforeMs: number): number {
    return this.db.prepare('DELETE FROM events WHERE at_ms < ?').run(beforeMs).changes;
  }
}
