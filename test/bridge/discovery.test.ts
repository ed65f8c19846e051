/**
 * Discovery: serial paths found by pattern and found again on the clock (hot-plug), a symlink and its
 * target opened once, and a failing port list (no udevadm) that is reported, not fatal. Real PTYs.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoDetect } from '@serialport/bindings-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type Binding } from '../../bridge/index.js';
import { expandGlob } from '../../bridge/devices/port-discovery.js';
import { FakeBoard } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { attachBoardToPty, PtyPair } from '../helpers/pty-pair.js';
import { until, waitForEvent } from '../helpers/wait.js';

describe('discovery of serial paths by pattern, with hot-plug', () => {
  let dir: string;
  const pairs: PtyPair[] = [];
  const detach: Array<() => Promise<void>> = [];
  let app: FastifyInstance;
  const clock = new ManualClock();
  const rejected: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-disc-'));
    const first = new PtyPair(dir, 'gb1');
    await first.start();
    pairs.push(first);
    detach.push(await attachBoardToPty(new FakeBoard('pty', { serialNumber: 'GB-0101' }), first.boardPath));
    const native = autoDetect();
    const noUdev = { ...native, list: async () => Promise.reject(new Error('spawn udevadm ENOENT')) } as unknown as Binding;
    app = buildApp({ binding: noUdev, dbPath: ':memory:', clock, discovery: { globs: [join(dir, '*-host')], list: true, rescanMs: 2000 } });
    app.devices.on('rejected', (_path, code) => rejected.push(code));
    const opened = waitForEvent(app.devices, 'device', (d: { state: string }) => d.state === 'open');
    await app.ready();
    await opened;
  });

  afterAll(async () => {
    await app?.close();
    for (const d of detach) await d();
    for (const p of pairs) await p.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('expands patterns in the last path part only', () => {
    expect(expandGlob(join(dir, 'gb1-*')).sort()).toEqual([join(dir, 'gb1-board'), join(dir, 'gb1-host')]);
    expect(expandGlob('/no/such/dir/tty*')).toEqual([]);
    expect(() => expandGlob('/dev/*/tty0')).toThrow(/only the last part/);
  });

  it('finds the board present at start, and one plugged in later on the next rescan', async () => {
    expect(app.devices.list().map((d) => d.id)).toEqual(['GB-0101']);
    expect(rejected.filter((c) => c === 'E_LIST')).toHaveLength(1);

    const second = new PtyPair(dir, 'gb2');
    await second.start();
    pairs.push(second);
    detach.push(await attachBoardToPty(new FakeBoard('pty', { serialNumber: 'GB-0102' }), second.boardPath));
    const opened = waitForEvent(app.devices, 'device', (d: { id: string; state: string }) => d.id === 'GB-0102' && d.state === 'open');
    clock.advance(2000);
    await opened;
    expect(app.devices.list().map((d) => [d.id, d.path])).toEqual([
      ['GB-0101', join(dir, 'gb1-host')],
      ['GB-0102', join(dir, 'gb2-host')],
    ]);
    clock.advance(2000);
    await until(() => app.devices.ports().length === 2, 'still two ports');
    expect(rejected.filter((c) => c === 'E_LIST')).toHaveLength(1); // reported once, not every rescan
  });
});
