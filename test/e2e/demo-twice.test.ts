/**
 * The bench's first promise on its most ordinary path (issue 9): `cellbench demo` run twice on one
 * database stores every reading of both runs, each run under its own power-up per board. The real
 * command: host firmware processes on kernel PTYs, the simulator's sensor modules, the bridge and SQLite.
 * Each run stops by itself (`--for`); the test waits for the process to exit, not on a clock of its own.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function demo(dbPath: string): Promise<{ frames: number; stored: number; rejected: number; stdout: string }> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['bin/cellbench.mjs', 'demo', '--for', '4s', '--cells', '2', '--port', '0', '--db', dbPath],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return fail(new Error(`demo failed: ${err.message}\n${stderr}`));
        const m = /frames received=(\d+) stored=(\d+) rejected=(\d+)/.exec(stdout);
        if (!m) return fail(new Error(`no summary line in:\n${stdout}`));
        done({ frames: Number(m[1]), stored: Number(m[2]), rejected: Number(m[3]), stdout });
      },
    );
  });
}

describe('cellbench demo twice on one database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-demo-twice-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores every reading of both runs, under two power-ups per board', async () => {
    const dbPath = join(dir, 'state', 'bench.sqlite');
    const run1 = await demo(dbPath);
    const run2 = await demo(dbPath);
    expect(run1.stored).toBeGreaterThan(0);
    expect(run2.stored).toBeGreaterThan(0);

    const db = new Database(dbPath, { readonly: true });
    try {
      const total = (db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
      expect(total).toBe(run1.stored + run2.stored);
      for (const sn of ['GB-0001', 'GB-0002']) {
        const powerUps = db.prepare("SELECT power_up AS powerUp, board_boot AS boardBoot FROM power_ups WHERE device_id = ? AND state = 'seen' ORDER BY power_up").all(sn) as Array<{ powerUp: number; boardBoot: number }>;
        expect(powerUps.map((p) => p.powerUp)).toEqual([1, 2]);
        for (const p of powerUps) {
          // Every reading the board took in that run, from seq 1 on, with no hole: nothing lost.
          const seqs = (db.prepare('SELECT seq FROM readings WHERE device_id = ? AND boot = ? ORDER BY seq').all(sn, p.powerUp) as Array<{ seq: number }>).map((r) => r.seq);
          expect(seqs.length, `${sn} power-up ${p.powerUp}`).toBeGreaterThan(0);
          expect(seqs, `${sn} power-up ${p.powerUp}`).toEqual(seqs.map((_, i) => i + 1));
        }
        expect((db.prepare("SELECT count(*) AS n FROM sequence_gaps WHERE device_id = ?").get(sn) as { n: number }).n).toBe(0);
        // No reading of the second run was taken for one of the first: no conflict either.
        expect((db.prepare('SELECT count(*) AS n FROM reading_conflicts WHERE device_id = ?').get(sn) as { n: number }).n).toBe(0);
      }
    } finally {
      db.close();
    }
    // The database is its owner's only.
    expect(statSync(dbPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
  }, 120_000);
});
