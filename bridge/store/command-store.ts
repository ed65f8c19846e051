/** The command audit log: every transmission of an operator's command, its outcome, its retries, who asked. */

import type Database from 'better-sqlite3';
import type { CommandRow } from './store-types.js';

export class CommandStore {
  constructor(private readonly db: Database.Database) {}

  sent(cmd: { id: number; deviceId: string; op: string; args: unknown; sentAtMs: number; retryOf?: number; actor?: string }): void {
    this.db
      .prepare('INSERT INTO commands (id, device_id, op, args, sent_at_ms, retry_of, actor) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(cmd.id, cmd.deviceId, cmd.op, JSON.stringify(cmd.args), cmd.sentAtMs, cmd.retryOf ?? null, cmd.actor ?? null);
  }

  finished(id: number, outcome: 'ack' | 'nak' | 'timeout' | 'lost', atMs: number, nakCode?: string): void {
    this.db
      .prepare('UPDATE commands SET outcome = ?, finished_at_ms = ?, nak_code = ? WHERE id = ?')
      .run(outcome, atMs, nakCode ?? null, id);
  }

  /** The command audit log, newest first. */
  list(deviceId: string | undefined, limit: number): CommandRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, device_id AS deviceId, op, args, sent_at_ms AS sentAtMs, finished_at_ms AS finishedAtMs, outcome,
                nak_code AS nakCode, retry_of AS retryOf, actor
         FROM commands ${deviceId ? 'WHERE device_id = @deviceId' : ''} ORDER BY id DESC LIMIT @limit`,
      )
      .all({ deviceId, limit }) as Array<Omit<CommandRow, 'args'> & { args: string }>;
    return rows.map((r) => ({ ...r, args: JSON.parse(r.args) as unknown }));
  }

  /** The largest command id ever used, so ids stay unique across bridge restarts. */
  lastId(): number {
    const row = this.db.prepare('SELECT max(id) AS id FROM commands').get() as { id: number | null };
    return row.id ?? 0;
  }
}
