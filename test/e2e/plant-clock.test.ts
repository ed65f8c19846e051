/**
 * Bench time with `boardClock: 'plant'`: the host-firmware board counts plant time (T lines from the plant),
 * and the bridge runs on the plant's clock as epoch ms from the run's start, so a reading's time and the
 * bridge's `clock.now()` run at plant speed together. The plant is moved by a manual ticker (each tick 100
 * wall ms of a 60× bench: 6 plant seconds); the test waits on events, never on the wall clock.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceView, ReadingView } from '../../bridge/index.js';
import { HilBench } from '../../rig/index.js';
import { ManualTicker } from '../helpers/manual-ticker.js';
import { waitForEvent } from '../helpers/wait.js';

const RUN_START_MS = Date.UTC(2026, 10, 21, 6, 0, 0);
const PERIOD_MS = 6000;
const PLANT_STEP_MS = 100 * 60;
/** Longer than the bridge's 60 s tolerance for board times in its future: a bridge on wall time would flag these. */
const TICKS = 15;

describe('bench time on the plant clock (HilBench boardClock: plant)', () => {
  let dir: string;
  let bench: HilBench;
  const ticker = new ManualTicker();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-plant-clock-'));
    bench = new HilBench({
      cells: [{ serialNumber: 'GB-0061', plant: { seed: 3 } }],
      boardClock: 'plant',
      timeScale: 60,
      tickMs: 100,
      periodMs: PERIOD_MS,
      runStartEpochMs: RUN_START_MS,
      runDir: join(dir, 'run'),
      dbPath: join(dir, 'bench.sqlite'),
      port: 0,
      ticker,
    });
    await bench.start();
    // The handshake needs no plant time: wait for it on the bridge's events before the first tick.
    const devices = bench.bridge!.app.devices;
    const isOpen = (d: DeviceView): boolean => d.id === 'GB-0061' && d.state === 'open';
    if (!devices.list().some(isOpen)) await waitForEvent<[DeviceView]>(devices, 'device', isOpen);
  });

  afterAll(async () => {
    await bench?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hands the bridge the plant clock: epoch ms from the run start, at plant time', () => {
    const clock = bench.bridge!.app.clock;
    expect(clock).toBe(bench.bridgeClock);
    expect(bench.plantClock.now()).toBe(0);
    expect(clock.now()).toBe(RUN_START_MS);
  });

  it('stamps readings at plant speed, and clock.now() agrees with them within one period', async () => {
    const devices = bench.bridge!.app.devices;
    const clock = bench.bridge!.app.clock;
    const seen: Array<{ reading: ReadingView; bridgeNowMs: number; plantMs: number }> = [];
    let lastSeq = -1;
    for (let i = 0; i < TICKS; i++) {
      const next = waitForEvent<[ReadingView]>(devices, 'reading', (r) => r.deviceId === 'GB-0061' && r.seq > lastSeq);
      ticker.tick();
      const [reading] = await next;
      lastSeq = reading.seq;
      seen.push({ reading, bridgeNowMs: clock.now(), plantMs: bench.plantClock.now() });
    }
    // The ticker's wall time moved 1.5 s; plant time, and the bridge's clock with it, 15 × 6 s.
    expect(ticker.nowMs()).toBe(TICKS * 100);
    expect(bench.plantClock.now()).toBe(TICKS * PLANT_STEP_MS);
    expect(clock.now()).toBe(RUN_START_MS + TICKS * PLANT_STEP_MS);
    for (const { reading, bridgeNowMs, plantMs } of seen) {
      expect(bridgeNowMs).toBe(RUN_START_MS + plantMs);
      expect(Math.abs(bridgeNowMs - reading.measuredAtMs)).toBeLessThanOrEqual(PERIOD_MS);
      expect(Math.abs(reading.receivedAtMs - reading.measuredAtMs)).toBeLessThanOrEqual(PERIOD_MS);
      expect(reading.flags ?? []).toEqual([]);
    }
    // Measured times advance by a plant step per tick (one reading per step at this period).
    const measured = seen.map((s) => s.reading.measuredAtMs);
    const steps = measured.slice(1).map((m, i) => m - measured[i]!);
    for (const step of steps) expect(step).toBe(PLANT_STEP_MS);
    expect(measured.at(-1)! - measured[0]!).toBe((TICKS - 1) * PLANT_STEP_MS);
  });
});
