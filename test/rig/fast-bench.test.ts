/**
 * The fast bench (rig/fast-bench.ts): plant, wasm firmware, the real bridge and a controller in lockstep on
 * one virtual clock. No wall clock: a plant day runs in well under a second of CPU. Skipped, with the reason
 * printed, where clang/wasm-ld are missing.
 */

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFastBench, DEFAULT_RUN_START_EPOCH_MS, type FastBench, type FastBenchOptions } from '../../rig/index.js';
import { missingTools } from '../helpers/required-tools.js';
import { buildWasm, WASM_TOOLS } from '../helpers/wasm-build.js';

const noWasm = missingTools('fast bench', WASM_TOOLS);

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

describe.skipIf(noWasm !== undefined)('fast bench', () => {
  let bench: FastBench | undefined;

  beforeAll(buildWasm);

  afterEach(async () => {
    await bench?.close();
    bench = undefined;
  });

  async function started(options: FastBenchOptions): Promise<FastBench> {
    bench = createFastBench(options);
    await bench.start();
    return bench;
  }

  it('stores a reading a minute through the real bridge, at plant time', async () => {
    const b = await started({ cells: [{ serialNumber: 'GB-F1' }], controller: 'none' });
    await b.runFor(DAY_MS);
    const count = b.app.store.readings.count('GB-F1');
    expect(count).toBeGreaterThanOrEqual(1438);
    expect(count).toBeLessThanOrEqual(1440);
    const res = await b.app.inject({ method: 'GET', url: '/api/devices/GB-F1/readings?limit=5' });
    expect(res.statusCode).toBe(200);
    const readings = (res.json() as { readings: Array<{ measuredAtMs: number; o2Kpa: number | null; co2Kpa: number | null }> }).readings;
    expect(readings.length).toBeGreaterThan(0);
    for (const r of readings) {
      const plantMs = r.measuredAtMs - DEFAULT_RUN_START_EPOCH_MS;
      // Measured when the board's modules were read: one CO2 poll (1 s) before each minute.
      expect(plantMs).toBeGreaterThan(0);
      expect(plantMs).toBeLessThanOrEqual(DAY_MS);
      expect((plantMs + 1000) % 60_000).toBe(0);
      expect(r.o2Kpa).toBeGreaterThan(19);
      expect(r.co2Kpa).not.toBeNull();
    }
    expect(b.app.clock.now()).toBe(DEFAULT_RUN_START_EPOCH_MS + DAY_MS);
    expect(b.app.devices.list().find((d) => d.id === 'GB-F1')?.state).toBe('open');
    // Told the board's period (one a minute), the bridge never took it for silent between two readings.
    expect(b.app.store.events.list({ kindPrefix: 'link.silent', limit: 10 })).toEqual([]);
    expect(b.app.store.events.list({ kindPrefix: 'readings.replayed', limit: 10 })).toEqual([]);
    const rec = b.record();
    expect(rec.cells[0]!.rows).toHaveLength(25);
    expect(rec.cells[0]!.rows.at(-1)!.h).toBe(24);
    // The run's moments (a CO2 poll and a reading each minute, and the bridge's timers), and where the wall
    // time went: every part's share adds up to the total.
    const t = b.timings();
    expect(t.moments).toBeGreaterThanOrEqual(2 * 1440);
    const parts = [t.plantMs, t.modulesMs, t.firmwareMs, t.bridgeMs, t.controllerMs, t.benchMs];
    for (const ms of parts) expect(ms).toBeGreaterThanOrEqual(0);
    expect(t.firmwareMs).toBeGreaterThan(0);
    expect(t.bridgeMs).toBeGreaterThan(0);
    expect(parts.reduce((a, x) => a + x, 0)).toBeCloseTo(t.totalMs, 6);
  });

  it('a valve command from the in-process client reaches the plant: N2 on, true O2 falls', async () => {
    const b = await started({ cells: [{ serialNumber: 'GB-F2' }], controller: 'none' });
    await b.runFor(HOUR_MS);
    const before = b.cell('GB-F2').plant.truth().o2Kpa;
    const outcome = await b.client.command('GB-F2', { op: 'set_valve', valve: 'n2', on: true });
    expect(outcome).toEqual({ ok: true, status: 200, code: null, message: null });
    expect(b.cell('GB-F2').plant.actuators.n2).toBe(true);
    await b.runFor(6 * HOUR_MS);
    const after = b.cell('GB-F2').plant.truth().o2Kpa;
    expect(after).toBeLessThan(before - 1);
    const refused = await b.client.command('NO-SUCH', { op: 'set_valve', valve: 'n2', on: false });
    expect(refused.ok).toBe(false);
    expect(refused.status).toBe(404);
    expect(refused.code).toBe('BRIDGE_ERR_DEVICE_NOT_FOUND');
  });

  it('gives the same record for the same seed, byte for byte', async () => {
    async function once(seed: number): Promise<string> {
      const b = createFastBench({ cells: [{ serialNumber: 'GB-D1' }, { serialNumber: 'GB-D2', id: 'cell-2' }], controller: 'none', seed });
      try {
        await b.start();
        await b.runFor(2 * HOUR_MS);
        await b.client.command('GB-D1', { op: 'set_valve', valve: 'n2', on: true });
        await b.runFor(4 * HOUR_MS);
        return JSON.stringify(b.record());
      } finally {
        await b.close();
      }
    }
    const a = await once(3);
    const b2 = await once(3);
    const c = await once(4);
    expect(b2).toBe(a);
    expect(c).not.toBe(a);
  });

  it('refuses bad options, naming them', () => {
    expect(() => createFastBench({ cells: [] })).toThrow(/"cells"/);
    expect(() => createFastBench({ cells: [{ serialNumber: 'GB-1' }], periodMs: 1500 })).toThrow(/"periodMs".*1500/);
    expect(() => createFastBench({ cells: [{ serialNumber: 'GB 1' }] })).toThrow(/serialNumber/);
  });

  it('with the reference controller pulls a gasboard cell down toward ULO and saves its record through the bridge', async (ctx) => {
    const probe = await started({ cells: [{ serialNumber: 'GB-P' }], controller: 'none' });
    const status = await probe.app.inject({ method: 'GET', url: '/api/cells/GB-P/status' });
    await probe.close();
    bench = undefined;
    if (status.statusCode === 404) {
      console.log('reference-controller fast bench test skipped: the bridge has no GET /api/cells/:id/status yet (controller routes, issue 11)');
      ctx.skip();
    }
    const b = await started({ cells: [{ serialNumber: 'GB-R1' }], controller: 'reference', seed: 5 });
    await b.runFor(4 * DAY_MS);
    expect(b.cell('GB-R1').plant.truth().o2Kpa).toBeLessThan(10);
    const record = await b.client.loadRecord('GB-R1');
    expect(record).not.toBeNull();
    expect(record!.controller).toBe('cellbench-rq-dca');
    expect(b.decisions.length).toBeGreaterThan(0);
  });
});
