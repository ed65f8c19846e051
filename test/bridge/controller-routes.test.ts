/**
 * The routes a DCA controller uses besides readings and commands, through the real app and store: a cell's
 * status, its leak test, loading and unloading, and the controller's record with the alarms it holds; the
 * `cell` events they publish; and what outlives a bridge restart (door, calibration, records).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type AuthOptions } from '../../bridge/index.js';
import type { BridgeEvent } from '../../bridge/event-hub.js';
import { runPressureDecayTest } from '../../simulator/index.js';
import { ManualClock } from '../helpers/manual-clock.js';

const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const VIEWER = 'cbt_viewer-token-for-tests-0000000000000000';
const tokens: AuthOptions = { mode: 'tokens', tokens: [{ name: 'otto', role: 'operator', token: OPERATOR }, { name: 'vera', role: 'viewer', token: VIEWER }] };
const T0 = Date.UTC(2026, 8, 15);

const apps: FastifyInstance[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dbPath = ':memory:', clock = new ManualClock(T0)): Promise<FastifyInstance> {
  const app = buildApp({ dbPath, clock, cells: [{ id: 'cell-1', deviceId: 'GB-1' }], auth: tokens });
  apps.push(app);
  await app.ready();
  return app;
}

function send(app: FastifyInstance, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, token = OPERATOR) {
  return app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), headers: { authorization: `Bearer ${token}` } });
}

const record = (state: string, alarms: unknown[] = [], memory: object = { version: 1 }) => ({
  controller: 'test-ctl',
  status: { state, reason: `in ${state}`, o2SetpointKpa: 1.2, co2SetpointKpa: 1.5, breakPointO2Kpa: null, rq: null, atMs: T0 + 60_000 },
  memory,
  alarms,
});

describe('cell status', () => {
  it('lists the cell\'s board and nothing recorded yet', async () => {
    const app = await start();
    const res = await send(app, 'GET', '/api/cells/cell-1/status');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      cellId: 'cell-1',
      devices: [{ deviceId: 'GB-1', boardCell: null, kind: null, capabilities: [] }],
      door: null, calibration: null, leakTest: null, loading: null, lastReading: null, alarms: [],
    });
    const none = await send(app, 'GET', '/api/cells/nope/status');
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toMatch(/no cell "nope"/);
  });

  it('gives the door and the calibration as last recorded, each with its time', async () => {
    const app = await start();
    expect((await send(app, 'PUT', '/api/cells/cell-1/door', { open: true, at: String(T0 + 5000) })).statusCode).toBe(200);
    expect((await send(app, 'PUT', '/api/cells/cell-1/calibration', { calibratedAt: String(T0), intervalDays: 30 })).statusCode).toBe(200);
    const s = (await send(app, 'GET', '/api/cells/cell-1/status')).json();
    expect(s.door).toEqual({ open: true, atMs: T0 + 5000 });
    expect(s.calibration).toEqual({ calibratedAtMs: T0, dueAtMs: T0 + 30 * 86_400_000 });
  });
});

describe('leak test', () => {
  it('turns a pressure-decay half time into the equivalent leak area by the orifice law', async () => {
    const app = await start();
    // 500 m³ free, from 250 Pa, half time 10 min, Cd 0.61, ρ 1.29 kg/m³, p_atm 101325 Pa:
    // A = (2V / (p·Cd)) · √(ρ/2) · (√p0 − √(p0/2)) / t½ = 1.003 cm² (worked by hand).
    const res = await send(app, 'PUT', '/api/cells/cell-1/leak-test', { method: 'pressure-decay', grossVolumeM3: 500, halfTimeMin: 10, p0Pa: 250 });
    expect(res.statusCode).toBe(200);
    const t = res.json();
    expect(t.leakAreaCm2).toBeCloseTo(1.003, 3);
    expect(t.leakAreaCm2Per100M3).toBeCloseTo(0.2006, 4);
    expect(t).toMatchObject({ method: 'pressure-decay', freeVolumeM3: 500, halfTimeMin: 10, p0Pa: 250, atMs: T0, enteredBy: 'otto' });
    expect((await send(app, 'GET', '/api/cells/cell-1/status')).json().leakTest).toEqual(t);
  });

  it('gives back the leak area of a simulated room from the half time its decay test recorded', async () => {
    const app = await start();
    // The simulator integrates the orifice law step by step and reads t½ off the record, as a tester does.
    const test = runPressureDecayTest({ grossVolumeM3: 180, freeVolumeM3: 99, leakAreaCm2: 0.18, p0Pa: 250 });
    const res = await send(app, 'PUT', '/api/cells/cell-1/leak-test', { method: 'pressure-decay', grossVolumeM3: 180, freeVolumeM3: 99, halfTimeMin: test.halfTimeS! / 60, p0Pa: 250 });
    expect(res.json().leakAreaCm2).toBeCloseTo(0.18, 2);
    expect(Math.abs(res.json().leakAreaCm2 / 0.18 - 1)).toBeLessThan(0.01);
  });

  it('names what a test is missing or has wrong', async () => {
    const app = await start();
    const noHalf = await send(app, 'PUT', '/api/cells/cell-1/leak-test', { method: 'pressure-decay', grossVolumeM3: 500, p0Pa: 250 });
    expect(noHalf.statusCode).toBe(400);
    expect(noHalf.json()).toMatchObject({ field: 'halfTimeMin' });
    const noArea = await send(app, 'PUT', '/api/cells/cell-1/leak-test', { method: 'closed-cell', grossVolumeM3: 500 });
    expect(noArea.json()).toMatchObject({ statusCode: 400, field: 'leakAreaCm2' });
    const bigger = await send(app, 'PUT', '/api/cells/cell-1/leak-test', { method: 'closed-cell', grossVolumeM3: 500, freeVolumeM3: 600, leakAreaCm2: 0.2 });
    expect(bigger.json()).toMatchObject({ statusCode: 400, field: 'freeVolumeM3' });
    const viewer = await send(app, 'PUT', '/api/cells/cell-1/leak-test', { method: 'closed-cell', grossVolumeM3: 500, leakAreaCm2: 0.2 }, VIEWER);
    expect(viewer.statusCode).toBe(403);
  });
});

describe('loading and unloading', () => {
  const lots = [
    { id: 'L1', variety: 'Gala', tonnes: 60, harvestDate: '2026-09-10', orchard: 'north' },
    { id: 'L2', variety: 'Gala', tonnes: 40, harvestDate: '2026-09-12' },
  ];

  it('keeps the lots, totals the tonnes, and counts what was unloaded since', async () => {
    const clock = new ManualClock(T0);
    const app = await start(':memory:', clock);
    const loaded = await send(app, 'PUT', '/api/cells/cell-1/loading', { lots, at: String(T0) });
    expect(loaded.statusCode).toBe(200);
    expect(loaded.json()).toEqual({
      lots: [lots[0], { ...lots[1], orchard: null }], totalTonnes: 100, loadedAtMs: T0, unloadedTonnes: 0, lastUnloadingAtMs: null, enteredBy: 'otto',
    });
    clock.advance(86_400_000);
    const out = await send(app, 'POST', '/api/cells/cell-1/unloading', { tonnes: 30 });
    expect(out.json()).toMatchObject({ unloadedTonnes: 30, lastUnloadingAtMs: T0 + 86_400_000 });
    const tooMuch = await send(app, 'POST', '/api/cells/cell-1/unloading', { tonnes: 71 });
    expect(tooMuch.json()).toMatchObject({ statusCode: 400, field: 'tonnes' });
    expect(tooMuch.json().message).toMatch(/70 t left/);
    // A new loading starts afresh.
    const again = await send(app, 'PUT', '/api/cells/cell-1/loading', { lots: [lots[0]] });
    expect(again.json()).toMatchObject({ totalTonnes: 60, unloadedTonnes: 0, lastUnloadingAtMs: null });
  });

  it('refuses an unloading with no loading, and a lot listed twice', async () => {
    const app = await start();
    const none = await send(app, 'POST', '/api/cells/cell-1/unloading', { tonnes: 1 });
    expect(none.statusCode).toBe(409);
    const twice = await send(app, 'PUT', '/api/cells/cell-1/loading', { lots: [lots[0], lots[0]] });
    expect(twice.json()).toMatchObject({ statusCode: 400, field: 'lots.1.id' });
    const badDate = await send(app, 'PUT', '/api/cells/cell-1/loading', { lots: [{ ...lots[0], harvestDate: '2026-13-45' }] });
    expect(badDate.json()).toMatchObject({ statusCode: 400, field: 'lots.0.harvestDate' });
  });
});

describe('controller record', () => {
  it('is null before a save, and comes back as saved', async () => {
    const app = await start();
    expect((await send(app, 'GET', '/api/cells/cell-1/controller')).json()).toEqual({ cellId: 'cell-1', record: null });
    const put = await send(app, 'PUT', '/api/cells/cell-1/controller', record('ulo_hold', [], { version: 1, setpoint: 1.2, window: [1, 2, 3] }));
    expect(put.statusCode).toBe(200);
    const got = (await send(app, 'GET', '/api/cells/cell-1/controller', undefined, VIEWER)).json();
    expect(got.record).toEqual({ ...record('ulo_hold', [], { version: 1, setpoint: 1.2, window: [1, 2, 3] }), cellId: 'cell-1', updatedAtMs: T0, updatedBy: 'otto' });
    const all = (await send(app, 'GET', '/api/controller')).json();
    expect(all.cells).toHaveLength(1);
    expect(all.cells[0]).toMatchObject({ cellId: 'cell-1', controller: 'test-ctl', status: { state: 'ulo_hold' } });
  });

  it('raises the alarms it lists as kind "controller" with their code, and clears those it leaves out', async () => {
    const app = await start();
    const events: BridgeEvent[] = [];
    app.events.subscribe((e) => events.push(e));
    const leak = { code: 'dca_refused_leak', severity: 'critical', message: 'leak 0.2 cm²/100 m³ over 0.1', value: 0.2, threshold: 0.1 };
    const put = await send(app, 'PUT', '/api/cells/cell-1/controller', record('ulo_hold', [leak]));
    expect(put.json()).toMatchObject({ raised: ['dca_refused_leak'], cleared: [] });
    const active = (await send(app, 'GET', '/api/alarms')).json().alarms;
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({ kind: 'controller', code: 'dca_refused_leak', severity: 'critical', cellId: 'cell-1', value: 0.2, threshold: 0.1 });
    // Saved again with the same alarm: nothing new.
    expect((await send(app, 'PUT', '/api/cells/cell-1/controller', record('ulo_hold', [leak]))).json()).toMatchObject({ raised: [], cleared: [] });
    const cleared = await send(app, 'PUT', '/api/cells/cell-1/controller', record('dca_search'));
    expect(cleared.json()).toMatchObject({ raised: [], cleared: ['dca_refused_leak'] });
    expect((await send(app, 'GET', '/api/alarms')).json().alarms).toHaveLength(0);
    expect(events.filter((e) => e.kind === 'alarm').map((e) => e.kind === 'alarm' && e.change)).toEqual(['raised', 'cleared']);
    // A change of state is news for dashboards; the same status saved again is not.
    expect(events.filter((e) => e.kind === 'cell').map((e) => e.kind === 'cell' && e.change.change)).toEqual(['controller', 'controller']);
  });

  it('refuses a person-safety alarm, a duplicated code, a memory over 64 KiB, and a viewer', async () => {
    const app = await start();
    const safety = await send(app, 'PUT', '/api/cells/cell-1/controller', record('ulo_hold', [{ code: 'x', severity: 'safety', message: 'm' }]));
    expect(safety.statusCode).toBe(400);
    expect(safety.json().field).toBe('alarms.0.severity');
    const a = { code: 'x', severity: 'warning', message: 'm' };
    expect((await send(app, 'PUT', '/api/cells/cell-1/controller', record('ulo_hold', [a, a]))).json()).toMatchObject({ statusCode: 400, field: 'alarms.1.code' });
    const big = await send(app, 'PUT', '/api/cells/cell-1/controller', record('ulo_hold', [], { blob: 'x'.repeat(70_000) }));
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toMatch(/"memory" is \d+ bytes/);
    expect((await send(app, 'PUT', '/api/cells/cell-1/controller', record('ulo_hold'), VIEWER)).statusCode).toBe(403);
    const noState = await send(app, 'PUT', '/api/cells/cell-1/controller', { ...record('ulo_hold'), status: { ...record('x').status, state: undefined } });
    expect(noState.json()).toMatchObject({ statusCode: 400, field: 'status.state' });
  });
});

describe('after a bridge restart', () => {
  it('keeps the door, the calibration due date, the records and the controller\'s alarms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellbench-ctl-routes-'));
    dirs.push(dir);
    const db = join(dir, 'bench.sqlite');
    const first = await start(db);
    await send(first, 'PUT', '/api/cells/cell-1/door', { open: true, at: String(T0 + 1000) });
    await send(first, 'PUT', '/api/cells/cell-1/calibration', { calibratedAt: String(T0), intervalDays: 1 });
    await send(first, 'PUT', '/api/cells/cell-1/leak-test', { method: 'closed-cell', grossVolumeM3: 400, leakAreaCm2: 0.3 });
    await send(first, 'PUT', '/api/cells/cell-1/controller', record('dca_hold', [{ code: 'dca_fault', severity: 'warning', message: 'm' }], { version: 1, step: 7 }));
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const second = await start(db, new ManualClock(T0 + 2 * 86_400_000));
    const s = (await send(second, 'GET', '/api/cells/cell-1/status')).json();
    expect(s.door).toEqual({ open: true, atMs: T0 + 1000 });
    expect(s.calibration).toEqual({ calibratedAtMs: T0, dueAtMs: T0 + 86_400_000 });
    expect(s.leakTest).toMatchObject({ leakAreaCm2: 0.3, leakAreaCm2Per100M3: 0.075 });
    expect(s.alarms.filter((a: { kind: string }) => a.kind === 'controller').map((a: { code: string }) => a.code)).toEqual(['dca_fault']);
    expect((await send(second, 'GET', '/api/cells/cell-1/controller')).json().record.memory).toEqual({ version: 1, step: 7 });
    // The reloaded alarm is the same one: saving without it clears it.
    expect((await send(second, 'PUT', '/api/cells/cell-1/controller', record('dca_hold'))).json().cleared).toEqual(['dca_fault']);
  });
});
