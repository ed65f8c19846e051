/** API tokens as the store keeps them: never the token itself, only its SHA-256 (bridge/auth/auth.ts). */

import type Database from 'better-sqlite3';
import type { StoredToken } from './store-types.js';

export class TokenStore {
  constructor(private readonly db: Database.Database) {}

  add(t: { name: string; role: string; hash: string; atMs: number }): number {
    const r = this.db
      .prepare('INSERT INTO tokens (name, role, hash, created_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT(hash) DO UPDATE SET name = excluded.name, role = excluded.role, revoked_at_ms = NULL')
      .run(t.name, t.role, t.hash, t.atMs);
    return Number(r.lastInsertRowid);
  }

  /** The live (not revoked) token with this hash. */
  byHash(hash: string): StoredToken | undefined {
    return this.db
      .prepare(`SELECT id, name, role, created_at_ms AS createdAtMs, last_used_ms AS lastUsedMs, revoked_at_ms AS revokedAtMs
                FROM tokens WHERE hash = ? AND revoked_at_ms IS NULL`)
      .get(hash) as StoredToken | undefined;
  }

  touch(id: number, atMs: number): void {
    this.db.prepare('UPDATE tokens SET last_used_ms = ? WHERE id = ?').run(atMs, id);
  }

  list(): StoredToken[] {
    return this.db
      .prepare(`SELECT id, name, role, created_at_ms AS createdAtMs, last_used_ms AS lastUsedMs, revoked_at_ms AS revokedAtMs
                FROM tokens ORDER BY id`)
      .all() as StoredToken[];
  }

  /** Revokes a token; false when there is no live token with that id. */
  revoke(id: number, atMs: number): boolean {
    return this.db.prepare('UPDATE tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL').run(atMs, id).changes === 1;
  }
}
