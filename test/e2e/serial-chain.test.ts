/**
 * The whole serial path with every part real: the gasboard host firmware as a process on a kernel PTY,
 * the bridge reading it through serialport's native binding, SQLite on disk, and a socket.io client on
 * the bridge's HTTP server. The plant is stepped by hand (a manual ticker), never by the wall clock.
 */

import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadingView } from '../../bridge/index.js';
import { HilBench } from '../../rig/index.js';
import { advanceUntilO2Drops, postValve, startBenchWithClient, type BenchWithClient } from '../helpers/bench-with-client.js';
import { waitForEvent } from '../helpers/wait.js';

// No skip when the firmware is missing: `npm test` runs `cellbench setup`, which builds it, and
// HostBoard.start names the missing binary and the command that builds it.
describe('serial chain: host firmware ↔ PTY ↔ bridge ↔ SQLite and socket.io', () => {
  let env: BenchWithClient;
  let dir: string;
  let bench: HilBench;
  let socket: BenchWithClient['socket'];
  let readings: ReadingView[];

  beforeAll(async () => {
    env = await startBenchWithClient(
      {
        cells: [{ serialNumber: 'GB-0042', plant: { seed: 7 } }],
        periodMs: 50,
        timeScale: 60,
        tickMs: 100,
      },
      'cellbench-e2e-',
    );
    ({ dir, bench, socket, readings } = env);
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('publishes the board PTY, identifies the board, and streams its readings to a socket.io client', async () => {
    expect(existsSync(join(dir, 'run', 'GB-0042'))).toBe(true);
    const [first] = await waitForEvent<[ReadingView]>(socket as never, 'reading');
    expect(first.deviceId).toBe('GB-0042');
    // The default cell starts at air: what the board measured is what the plant's sensors said.
    expect(first.o2Kpa).toBeGreaterThan(19);
    expect(first.o2Kpa).toBeLessThan(22);
    expect(first.co2Kpa).toBeGreaterThanOrEqual(0);
    expect(first.tempC).not.toBeNull();
    await waitForEvent<[ReadingView]>(socket as never, 'reading', (r) => r.seq >= first.seq + 3);
    const seqs = readings.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const res = await fetch(`${bench.url}/api/devices`);
    const { devices } = (await res.json()) as { devices: Array<{ id: string; state: string; kind: string }> };
    expect(devices).toEqual([expect.objectContaining({ id: 'GB-0042', state: 'open', kind: 'gasboard' })]);
  });

  it('round-trips a valve command to its ACK, and the open N2 valve lowers the plant O2', async () => {
    const cell = bench.cells[0]!;
    const outputs = waitForEvent<[{ n2: boolean }]>(cell.board, 'outputs', (o) => o.n2);
    const res = await postValve(bench.url, 'GB-0042', 'n2', true);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'ack' });
    await outputs;
    expect(cell.plant.actuators.n2).toBe(true);

    // 600 ticks of 6 plant-seconds: one hour of purging.
    const { afterKpa, beforeKpa, low } = await advanceUntilO2Drops(env, 600, 1);
    expect(afterKpa).toBeLessThan(beforeKpa - 1);
    expect(low.o2Kpa!).toBeLessThan(beforeKpa - 1);
  });

  it('finds the readings the client saw in SQLite, each (board, seq) exactly once', async () => {
    const seen = readings.filter((r) => r.deviceId === 'GB-0042');
    expect(seen.length).toBeGreaterThan(3);
    const db = new Database(join(dir, 'bench.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT seq, o2_kpa AS o2Kpa FROM readings WHERE device_id = ? ORDER BY seq').all('GB-0042') as Array<{ seq: number; o2Kpa: number | null }>;
      const bySeq = new Map(rows.map((r) => [r.seq, r.o2Kpa]));
      for (const r of seen) expect(bySeq.get(r.seq)).toBe(r.o2Kpa);
      expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
      const cmd = db.prepare("SELECT op, outcome FROM commands WHERE device_id = 'GB-0042'").all();
      expect(cmd).toEqual([{ op: 'set_valve', outcome: 'ack' }]);
    } finally {
      db.close();
    }
    const totals = bench.totals();
    expect(totals.rejected).toBe(0);
    expect(totals.stored).toBeGreaterThanOrEqual(seen.length);
  });
});
