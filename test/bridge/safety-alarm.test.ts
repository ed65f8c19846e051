/**
 * The person-safety alarm `door_open_low_o2` (issue 9): it fails safe (a door open while the cell's O2 is
 * unknown — board silent, lost, stale, or its reading flagged — raises it), it latches (only a plausible O2
 * above the limit and then an operator's reset clear it; a closed door alone does not), no admin setting
 * stretches it (a fixed age ceiling and hysteresis), and flagged readings are never used as real.
 *
 * The engine is driven directly on a store in memory; the app is built with `buildApp` on a fake board and a
 * manual clock, and its link events are either the device manager's own or emitted on `app.devices`.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, SqliteStore, type AuthOptions, type BridgeError, type DeviceState, type ReadingView } from '../../bridge/index.js';
import {
  AlarmEngine,
  SAFETY_HYSTERESIS_O2_KPA,
  SAFETY_O2_KPA,
  SAFETY_O2_MAX_AGE_MS,
  type AlarmView,
  type CellAlarmConfig,
} from '../../bridge/alarms/alarm-engine.js';
import { SAFETY_STARTUP_GRACE_MS } from '../../bridge/alarms/alarms-plugin.js';
import type { ReadingFlag } from '../../bridge/events.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until, waitForEvent } from '../helpers/wait.js';

const SN = 'GB-0001';
const CELL = 'cell-1';
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('person-safety alarm in the engine', () => {
  let store: SqliteStore;
  let config: CellAlarmConfig;
  let engine: AlarmEngine;
  let seq = 0;

  beforeEach(() => {
    store = new SqliteStore(':memory:');
    config = {};
    engine = new AlarmEngine(store, () => config);
    seq = 0;
  });
  afterEach(() => store.close());

  function reading(atMs: number, o2Kpa: number | null, flags: ReadingFlag[] = [], deviceId = SN, cellId = CELL): void {
    seq++;
    const r: ReadingView = { deviceId, seq, boardMs: seq * 1000, measuredAtMs: atMs, receivedAtMs: atMs, o2Kpa, co2Kpa: 0.04, tempC: 1.5, flags, cellId, boardCell: null };
    engine.onReading(cellId, r);
  }
  const active = (cellId = CELL): AlarmView[] => engine.list({ state: 'active', cellId });
  const kinds = (cellId = CELL): string[] => active(cellId).map((a) => a.kind);
  const safety = (): AlarmView | undefined => active().find((a) => a.kind === 'door_open_low_o2');
  function resetError(id: number, atMs: number): BridgeError {
    try {
      engine.reset(id, 'otto', atMs);
    } catch (err) {
      return err as BridgeError;
    }
    throw new Error(`reset of alarm ${id} was not refused`);
  }

  it.each<DeviceState>(['silent', 'lost', 'closed', 'identifying', 'opening'])(
    'raises it at once when the board goes "%s" with the door open, at the link event\u2019s time, naming the board',
    (state) => {
      reading(T0, 20.9);
      engine.setDoor(CELL, true, T0 + 500);
      expect(safety()).toBeUndefined();
      engine.onDeviceState(CELL, SN, state, T0 + 2000);
      expect(safety()).toMatchObject({ severity: 'safety', raisedAtMs: T0 + 2000, message: expect.stringContaining(`board ${SN} is "${state}": O2 unknown with the cell door open`) });
    },
  );

  it('raises it when the door opens while the board is already silent, and not while the door is closed', () => {
    reading(T0, 20.9);
    engine.onDeviceState(CELL, SN, 'silent', T0 + 1000);
    expect(kinds()).toEqual([]);
    engine.setDoor(CELL, true, T0 + 3000);
    expect(safety()).toMatchObject({ raisedAtMs: T0 + 3000, message: expect.stringContaining(`board ${SN} is "silent"`) });
  });

  it('keeps O2 unknown after the link is back until a new reading, and latches until reading and reset', () => {
    reading(T0, 20.9);
    engine.setDoor(CELL, true, T0 + 500);
    engine.onDeviceState(CELL, SN, 'lost', T0 + 1000);
    const id = safety()!.id;
    engine.onDeviceState(CELL, SN, 'open', T0 + 5000);
    expect(resetError(id, T0 + 5000)).toMatchObject({ code: 'BRIDGE_ERR_ALARM_SAFETY', statusCode: 409, message: expect.stringMatching(/door .* is open and O2 unknown/) });
    reading(T0 + 6000, 20.9);
    expect(safety()!.message).toContain('awaiting operator reset');
    expect(engine.reset(id, 'otto', T0 + 7000)).toMatchObject({ id, state: 'cleared', clearedAtMs: T0 + 7000, ackedBy: 'otto' });
    expect(kinds()).toEqual([]);
  });

  it('latches: a closed door alone does not clear it, a good O2 alone does not either, a reset after both does', () => {
    reading(T0, 20.9);
    engine.setDoor(CELL, true, T0 + 500);
    reading(T0 + 1000, 15);
    const raised = safety()!;
    expect(raised).toMatchObject({ raisedAtMs: T0 + 1000, value: 15, threshold: SAFETY_O2_KPA });

    engine.setDoor(CELL, false, T0 + 2000); // a person may be inside
    expect(safety()?.id).toBe(raised.id);
    expect(resetError(raised.id, T0 + 2500).message).toMatch(/O2 15 kPa .*door is closed; a person may be inside/);

    reading(T0 + 3000, 20.9);
    expect(safety()).toMatchObject({ id: raised.id, state: 'active', message: expect.stringContaining('condition over since') });
    // Acknowledging stays refused while it is active, even with the condition over.
    expect(() => engine.acknowledge(raised.id, 'otto', T0 + 3500)).toThrow(expect.objectContaining({ code: 'BRIDGE_ERR_ALARM_SAFETY' }));

    const cleared = engine.reset(raised.id, 'otto', T0 + 4000);
    expect(cleared).toMatchObject({ state: 'cleared', clearedAtMs: T0 + 4000, ackedBy: 'otto', ackedAtMs: T0 + 4000 });
    expect(store.alarms.get(raised.id)).toMatchObject({ state: 'cleared', ackedBy: 'otto' });
    expect(store.events.list({ kindPrefix: 'alarm.reset', limit: 10 })).toEqual([
      expect.objectContaining({ atMs: T0 + 4000, kind: 'alarm.reset', detail: expect.objectContaining({ alarmId: raised.id, cellId: CELL, by: 'otto' }) }),
    ]);
    expect(engine.reset(raised.id, 'otto', T0 + 5000)).toMatchObject({ state: 'cleared', clearedAtMs: T0 + 4000 }); // again: as it is
  });

  it('does not clear on a good O2 with the door still open, but a reset then does', () => {
    engine.setDoor(CELL, true, T0);
    reading(T0 + 1000, 15);
    const id = safety()!.id;
    reading(T0 + 2000, 20.9);
    expect(safety()?.id).toBe(id);
    expect(engine.reset(id, 'otto', T0 + 3000).state).toBe('cleared');
    reading(T0 + 4000, 20.9);
    expect(kinds()).toEqual([]);
  });

  it('refuses a reset while the condition persists, and when O2 went low again after being good', () => {
    engine.setDoor(CELL, true, T0);
    reading(T0 + 1000, 15);
    const id = safety()!.id;
    const open = resetError(id, T0 + 1500);
    expect(open).toMatchObject({ code: 'BRIDGE_ERR_ALARM_SAFETY', message: expect.stringContaining(`the door of cell "${CELL}" is open and O2 15 kPa`) });
    reading(T0 + 2000, SAFETY_O2_KPA + SAFETY_HYSTERESIS_O2_KPA / 2); // above the limit, inside the hysteresis
    expect(resetError(id, T0 + 2500).message).toMatch(/no plausible O2 at or above 19\.86 kPa/);
    reading(T0 + 3000, 20.9);
    engine.setDoor(CELL, false, T0 + 3500);
    reading(T0 + 4000, 12); // the cell is pulled down again while someone may still be inside
    expect(resetError(id, T0 + 4500).code).toBe('BRIDGE_ERR_ALARM_SAFETY');
    reading(T0 + 5000, 20.9);
    expect(engine.reset(id, 'otto', T0 + 5500).state).toBe('cleared');
  });

  it('takes an impossible O2 for unknown: 999 neither ends the condition nor raises o2_high, \u22125 raises no o2_low', () => {
    config = { o2LowKpa: 1, o2HighKpa: 22 };
    engine.setDoor(CELL, true, T0);
    reading(T0 + 1000, 15);
    const id = safety()!.id;
    reading(T0 + 2000, 999, ['o2_impossible']);
    expect(kinds()).toEqual(['door_open_low_o2']);
    expect(safety()!.message).not.toContain('awaiting operator reset');
    expect(resetError(id, T0 + 2500).message).toContain('flagged o2_impossible');

    reading(T0 + 3000, 20.9);
    engine.reset(id, 'otto', T0 + 3500);
    engine.setDoor(CELL, false, T0 + 4000);
    reading(T0 + 5000, -5, ['o2_impossible']);
    expect(kinds()).toEqual([]);
    engine.setDoor(CELL, true, T0 + 6000); // the last O2 is not real: unknown, so unsafe
    expect(safety()).toMatchObject({ raisedAtMs: T0 + 6000, value: null, message: expect.stringContaining('O2 unknown (reading flagged o2_impossible: -5 kPa)') });
  });

  it('lets an impossible O2 count toward sensor_stale', () => {
    config = { staleAfterMs: 5000 };
    reading(T0, 20.9);
    for (let i = 1; i <= 6; i++) reading(T0 + i * 1000, 999, ['o2_impossible']);
    expect(kinds()).toEqual(['sensor_stale']);
  });

  it('ignores a reading with a board time in the future: no bench time, no false stale alarm', () => {
    config = { staleAfterMs: 5000 };
    reading(T0, 20.9, [], 'GB-0002', 'cell-2');
    reading(T0, 20.9);
    reading(T0 + 10 * 86_400_000, 20.9, ['time_future'], 'GB-0002', 'cell-2');
    expect(engine.benchMs).toBe(T0);
    reading(T0 + 1000, 20.9);
    reading(T0 + 1000, 20.9, [], 'GB-0002', 'cell-2');
    expect(engine.benchMs).toBe(T0 + 1000);
    expect([...kinds(), ...kinds('cell-2')]).toEqual([]);
  });

  it('takes a reading with a future time for unknown O2 with the door open (fail-safe), at the time it was received', () => {
    reading(T0, 20.9);
    engine.setDoor(CELL, true, T0 + 500);
    engine.onReading(CELL, { deviceId: SN, seq: 99, boardMs: 1, measuredAtMs: T0 + 86_400_000, receivedAtMs: T0 + 1000, o2Kpa: 20.9, co2Kpa: 0.04, tempC: 1.5, flags: ['time_future'], cellId: CELL, boardCell: null });
    expect(safety()).toMatchObject({ raisedAtMs: T0 + 1000, message: expect.stringContaining('board time in the future') });
    expect(engine.benchMs).toBe(T0 + 500);
  });

  it('caps the age of O2 it believes at SAFETY_O2_MAX_AGE_MS whatever staleAfterMs says; sensor_stale keeps the setting', () => {
    config = { staleAfterMs: 86_400_000 };
    reading(T0, 20.9);
    engine.setDoor(CELL, true, T0 + SAFETY_O2_MAX_AGE_MS - 60_000);
    expect(kinds()).toEqual([]);
    engine.setDoor(CELL, false, T0 + SAFETY_O2_MAX_AGE_MS - 30_000);
    engine.setDoor(CELL, true, T0 + SAFETY_O2_MAX_AGE_MS + 1000);
    expect(safety()).toMatchObject({ message: expect.stringContaining(`no plausible O2 for more than ${SAFETY_O2_MAX_AGE_MS} ms`) });
    expect(kinds()).not.toContain('sensor_stale');
  });

  it('raises it when another board\u2019s readings make an open door\u2019s O2 too old', () => {
    config = { staleAfterMs: 86_400_000 };
    reading(T0, 20.9);
    engine.setDoor(CELL, true, T0 + 1000);
    reading(T0 + SAFETY_O2_MAX_AGE_MS + 1000, 20.9, [], 'GB-0002', 'cell-2');
    expect(safety()).toMatchObject({ raisedAtMs: T0 + SAFETY_O2_MAX_AGE_MS + 1000 });
  });

  it('uses the fixed hysteresis: an admin\u2019s 0 kPa does not end it early, an admin\u2019s 5 kPa does not keep it', () => {
    config = { hysteresisO2Kpa: 0 };
    engine.setDoor(CELL, true, T0);
    reading(T0 + 1000, 15);
    const id = safety()!.id;
    reading(T0 + 2000, SAFETY_O2_KPA + 0.05);
    expect(safety()?.id).toBe(id);
    expect(resetError(id, T0 + 2500).code).toBe('BRIDGE_ERR_ALARM_SAFETY');
    config = { hysteresisO2Kpa: 5 };
    reading(T0 + 3000, 20.9);
    expect(engine.reset(id, 'otto', T0 + 3500).state).toBe('cleared');
  });

  it('comes back latched after a restart: a closed door clears nothing, a new plausible O2 and a reset do', () => {
    engine.setDoor(CELL, true, T0);
    reading(T0 + 1000, 15);
    reading(T0 + 2000, 20.9); // condition over before the restart ...
    const id = safety()!.id;
    engine = new AlarmEngine(store, () => config); // ... but a restarted engine has no O2 yet
    expect(safety()?.id).toBe(id);
    engine.setDoor(CELL, false, T0 + 3000);
    expect(safety()?.id).toBe(id);
    expect(resetError(id, T0 + 3500).code).toBe('BRIDGE_ERR_ALARM_SAFETY');
    reading(T0 + 4000, 20.9);
    expect(engine.reset(id, 'otto', T0 + 4500).state).toBe('cleared');
  });

  it('raises it for a door left open across a restart when no reading comes (checkOpenDoors)', () => {
    reading(T0, 20.9);
    engine.setDoor(CELL, true, T0 + 1000);
    engine = new AlarmEngine(store, () => config);
    engine.checkOpenDoors(T0 + 40_000);
    expect(safety()).toMatchObject({ raisedAtMs: T0 + 40_000, message: expect.stringContaining('O2 unknown (no reading yet)') });
  });

  it('refuses to reset an alarm that does not latch, and an unknown one', () => {
    config = { o2LowKpa: 1 };
    reading(T0, 0.5);
    const low = active()[0]!;
    expect(resetError(low.id, T0 + 1)).toMatchObject({ code: 'BRIDGE_ERR_BAD_PARAMS', statusCode: 400 });
    expect(resetError(999, T0 + 1)).toMatchObject({ code: 'BRIDGE_ERR_ALARM_NOT_FOUND', statusCode: 404 });
  });
});

const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const VIEWER = 'cbt_viewer-token-for-tests-0000000000000000';
const auth: AuthOptions = {
  mode: 'tokens',
  tokens: [
    { name: 'otto', role: 'operator', token: OPERATOR },
    { name: 'vera', role: 'viewer', token: VIEWER },
  ],
};

describe('person-safety alarm in the app', () => {
  let app: FastifyInstance | undefined;
  let clock: ManualClock;
  let boards: FakeBoard[];
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-safety-'));

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(dbPath = ':memory:', opts: { boards?: number; alarms?: CellAlarmConfig } = {}): Promise<FastifyInstance> {
    clock = new ManualClock(T0);
    boards = Array.from({ length: opts.boards ?? 1 }, (_, i) => new FakeBoard(`/dev/fake-gb-0${i + 1}`, { serialNumber: `GB-000${i + 1}`, boardMs: 5000 }));
    const a = buildApp({
      ports: boards.map((b) => ({ path: b.path })),
      binding: fakeBoardBinding(boards),
      dbPath,
      clock,
      auth,
      cells: boards.map((b, i) => ({ id: `cell-${i + 1}`, deviceId: b.serialNumber, alarms: opts.alarms ?? { staleAfterMs: 5000 } })),
    });
    app = a;
    await a.ready();
    for (const b of boards) await until(() => a.devices.get(b.serialNumber)?.state === 'open' && a.devices.queued(b.serialNumber) === 0, `${b.serialNumber} open`);
    return a;
  }

  async function reading(a: FastifyInstance, o2: string, board = boards[0]!, afterMs = 1000): Promise<ReadingView> {
    const s = board.sendReading({ o2 }, afterMs);
    await until(() => a.store.readings.maxSeq(board.serialNumber, a.devices.get(board.serialNumber)?.powerUp ?? 1) >= s, `reading ${s} stored`);
    return a.store.readings.query({ deviceId: board.serialNumber, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 10_000 }).find((r) => r.seq === s)! as ReadingView;
  }

  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  const door = (a: FastifyInstance, open: boolean, cell = CELL) => a.inject({ method: 'PUT', url: `/api/cells/${cell}/door`, payload: { open }, ...as(OPERATOR) });
  const reset = (a: FastifyInstance, id: number, token = OPERATOR) => a.inject({ method: 'POST', url: `/api/alarms/${id}/reset`, ...as(token) });
  async function active(a: FastifyInstance, cell = CELL): Promise<AlarmView[]> {
    return (await a.inject({ method: 'GET', url: `/api/alarms?cell=${cell}` })).json().alarms;
  }

  it('raises it when the board link goes "lost" with the door open, and latches it through the link coming back', async () => {
    const a = await start();
    await reading(a, '20.90');
    expect((await door(a, true)).statusCode).toBe(200);
    expect(await active(a)).toEqual([]);
    clock.advance(2000);
    const view = a.devices.get(SN)!;
    a.devices.emit('device', { ...view, state: 'lost' });
    const [alarm] = await active(a);
    expect(alarm).toMatchObject({ kind: 'door_open_low_o2', severity: 'safety', raisedAtMs: clock.now(), message: expect.stringContaining(`board ${SN} is "lost": O2 unknown with the cell door open`) });

    a.devices.emit('device', { ...view, state: 'open' });
    const refused = await reset(a, alarm!.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'BRIDGE_ERR_ALARM_SAFETY', message: expect.stringContaining('is open and O2 unknown') });
    await reading(a, '20.90');
    expect((await active(a))[0]!.message).toContain('awaiting operator reset');
    expect((await reset(a, alarm!.id, VIEWER)).statusCode).toBe(403);
    const ok = await reset(a, alarm!.id);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: alarm!.id, state: 'cleared', ackedBy: 'otto', clearedAtMs: clock.now() });
    expect(await active(a)).toEqual([]);
  });

  it('raises it when the device manager finds the board silent with the door open', async () => {
    const a = await start(':memory:', { alarms: {} }); // O2 stays fresh (5 min) over the 30 s of silence
    await reading(a, '20.90');
    await door(a, true);
    const silent = waitForEvent(a.devices, 'device', (d: { state: string }) => d.state === 'silent');
    clock.advance(30_000); // no frame for the link's silence limit
    await silent;
    expect(await active(a)).toEqual([expect.objectContaining({ kind: 'door_open_low_o2', message: expect.stringContaining(`board ${SN} is "silent"`) })]);
  });

  it('latches through the API: 409 while the door is open at low O2, a closed door alone clears nothing, O2 back and a reset do', async () => {
    const a = await start();
    await reading(a, '20.90');
    await door(a, true);
    const low = await reading(a, '15.00');
    const [alarm] = await active(a);
    expect(alarm).toMatchObject({ kind: 'door_open_low_o2', raisedAtMs: low.measuredAtMs });
    const refused = await reset(a, alarm!.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'BRIDGE_ERR_ALARM_SAFETY', message: expect.stringContaining(`the door of cell "${CELL}" is open and O2 15 kPa`) });

    await door(a, false);
    expect((await active(a)).map((x) => x.kind)).toEqual(['door_open_low_o2']);
    expect((await reset(a, alarm!.id)).json().code).toBe('BRIDGE_ERR_ALARM_SAFETY');
    await reading(a, '20.90');
    expect((await active(a)).map((x) => x.id)).toEqual([alarm!.id]);
    const ok = await reset(a, alarm!.id);
    expect(ok.json()).toMatchObject({ state: 'cleared', ackedBy: 'otto' });
    expect(a.store.events.list({ kindPrefix: 'alarm.reset', limit: 10 })[0]).toMatchObject({ kind: 'alarm.reset', detail: { alarmId: alarm!.id, by: 'otto' } });
    expect((await reset(a, 4242)).json().code).toBe('BRIDGE_ERR_ALARM_NOT_FOUND');
  });

  it('never uses an impossible O2 as real: 999 keeps it latched and raises no o2_high, \u22125 raises no o2_low', async () => {
    const a = await start(':memory:', { alarms: { o2LowKpa: 1, o2HighKpa: 22 } });
    await door(a, true);
    await reading(a, '15.00');
    const [alarm] = await active(a);
    const impossible = await reading(a, '999');
    expect(impossible.flags).toEqual(['o2_impossible']);
    expect((await active(a)).map((x) => x.kind)).toEqual(['door_open_low_o2']);
    expect((await reset(a, alarm!.id)).statusCode).toBe(409);

    await reading(a, '20.90');
    expect((await reset(a, alarm!.id)).statusCode).toBe(200);
    await door(a, false);
    await reading(a, '-5');
    expect(await active(a)).toEqual([]);
  });

  it('does not let a board time in the future move bench time nor make the other cells stale', async () => {
    const a = await start(':memory:', { boards: 2 });
    await reading(a, '20.90', boards[0]);
    const before = a.alarms.benchMs;
    const future = await reading(a, '20.90', boards[1], 3_600_000); // board 2's clock jumps an hour ahead
    expect(future.flags).toEqual(['time_future']);
    expect(a.alarms.benchMs).toBe(before);
    await reading(a, '20.90', boards[0]);
    expect([...(await active(a)), ...(await active(a, 'cell-2'))]).toEqual([]);
  });

  it('comes back from a restart still latched, and raises it for a door left open when no reading comes', async () => {
    const dbPath = join(dir, 'bench.sqlite');
    try {
      let a = await start(dbPath);
      await reading(a, '20.90');
      await door(a, true);
      await reading(a, '15.00');
      const [alarm] = await active(a);
      await a.close();

      a = await start(dbPath);
      expect((await active(a)).map((x) => x.id)).toEqual([alarm!.id]);
      await door(a, false);
      expect((await reset(a, alarm!.id)).statusCode).toBe(409);
      await reading(a, '20.90');
      expect((await reset(a, alarm!.id)).statusCode).toBe(200);
      await door(a, true);
      await a.close();
      app = undefined;

      // The bridge closing its ports is no alarm; a door left open with no board reporting is, after the grace.
      clock = new ManualClock(T0 + 60_000);
      a = buildApp({ ports: [], binding: fakeBoardBinding([]), dbPath, clock, auth, cells: [{ id: CELL, deviceId: SN }] });
      app = a;
      await a.ready();
      expect(await active(a)).toEqual([]);
      clock.advance(SAFETY_STARTUP_GRACE_MS);
      expect(await active(a)).toEqual([expect.objectContaining({ kind: 'door_open_low_o2', raisedAtMs: T0 + 60_000 + SAFETY_STARTUP_GRACE_MS })]);
    } finally {
      await app?.close();
      app = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
