/**
 * A board's EEPROM outlives a run, as a real board's does (issue 9): `cellbench demo` keeps each board's
 * EEPROM under the state folder next to its database (`<db folder>/eeprom/GB-0001.eeprom`), owner-only,
 * so a board's boot counter rises from one demo run to the next; and a HilBench given a cell's
 * `eepromPath` hands it to the board, whose ID frame then says boot 1, then 2, across two benches with
 * different run folders. Every wait is on a process or bridge event; each run of the demo stops by
 * itself (`--for`) and the test waits for its exit.
 */

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeviceView } from '../../bridge/index.js';
import { HilBench } from '../../rig/index.js';
import { ManualTicker } from '../helpers/manual-ticker.js';
import { waitForEvent } from '../helpers/wait.js';

const ROOT = resolve(import.meta.dirname, '../..');

function demo(dbPath: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['bin/cellbench.mjs', 'demo', '--for', '3s', '--cells', '2', '--port', '0', '--db', dbPath],
      { cwd: ROOT, timeout: 60_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => (err ? fail(new Error(`demo failed: ${err.message}\n${stderr}`)) : done(stdout)),
    );
  });
}

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('cellbench demo keeps each board EEPROM next to its database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-demo-eeprom-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('boots count across runs (1, then 2, per board); folders 0700, EEPROM files 0600', async () => {
    const state = join(dir, 'state');
    const dbPath = join(state, 'bench.sqlite');
    await demo(dbPath);
    await demo(dbPath);

    for (const sn of ['GB-0001', 'GB-0002']) {
      const eeprom = join(state, 'eeprom', `${sn}.eeprom`);
      expect(existsSync(eeprom), eeprom).toBe(true);
      expect(mode(eeprom), eeprom).toBe(0o600);
    }
    expect(mode(join(state, 'eeprom'))).toBe(0o700);
    expect(mode(state)).toBe(0o700);

    // What each board said in its ID at each handshake, as the bridge recorded it.
    const db = new Database(dbPath, { readonly: true });
    try {
      for (const sn of ['GB-0001', 'GB-0002']) {
        const rows = db.prepare("SELECT board_boot AS boardBoot FROM power_ups WHERE device_id = ? AND state = 'seen' ORDER BY power_up").all(sn) as Array<{ boardBoot: number }>;
        expect(rows.map((r) => r.boardBoot), sn).toEqual([1, 2]);
      }
    } finally {
      db.close();
    }
  }, 150_000);
});

describe('HilBench with a cell eepromPath', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-bench-eeprom-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Brings a bench up in its own run folder (as each demo process has), returns the board boot its ID said. */
  async function bootOnce(run: string, eepromPath: string): Promise<number> {
    const bench = new HilBench({
      cells: [{ serialNumber: 'GB-0007', eepromPath }],
      runDir: join(dir, run),
      dbPath: join(dir, `${run}.sqlite`),
      port: 0,
      ticker: new ManualTicker(),
      periodMs: 200,
    });
    try {
      await bench.start();
      const devices = bench.bridge!.app.devices;
      const identified = (d: DeviceView | undefined): boolean => d?.id === 'GB-0007' && d.boardBoot !== null;
      if (!identified(devices.get('GB-0007'))) await waitForEvent<[DeviceView]>(devices, 'device', identified);
      // The same through the API.
      const res = await fetch(`${bench.url}/api/devices`);
      const { devices: list } = (await res.json()) as { devices: Array<{ id: string; boardBoot: number | null }> };
      const dev = list.find((d) => d.id === 'GB-0007');
      expect(dev?.boardBoot).toBe(devices.get('GB-0007')!.boardBoot);
      return dev!.boardBoot!;
    } finally {
      await bench.stop();
    }
  }

  it('the board counts its boots in that file: 1, then 2; the folder it made is 0700, the file 0600', async () => {
    const eepromPath = join(dir, 'state', 'eeprom', 'GB-0007.eeprom');
    expect(await bootOnce('run-1', eepromPath)).toBe(1);
    expect(await bootOnce('run-2', eepromPath)).toBe(2);
    expect(mode(eepromPath)).toBe(0o600);
    expect(mode(join(dir, 'state', 'eeprom'))).toBe(0o700);
    expect(mode(join(dir, 'state'))).toBe(0o700);
    // Nothing of the board's state was left in the run folders.
    expect(existsSync(join(dir, 'run-1', 'GB-0007.eeprom'))).toBe(false);
  }, 60_000);
});
