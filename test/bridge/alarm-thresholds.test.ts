/**
 * An admin changes a cell's alarm thresholds at run time: only an admin may, bad values are refused
 * naming the field, the new threshold takes effect on the next reading, and it survives a restart.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AuthOptions } from '../../bridge/index.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until } from '../helpers/wait.js';
import { openApp } from '../helpers/fake-bench.js';

const PATH = '/dev/fake-gb-01';
const SN = 'GB-0001';
const CELL = 'cell-1';
const ADMIN = 'cbt_admin-token-for-tests-0000000000000000';
const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const auth: AuthOptions = {
  mode: 'tokens',
  tokens: [
    { name: 'ada', role: 'admin', token: ADMIN },
    { name: 'otto', role: 'operator', token: OPERATOR },
  ],
};

describe('per-cell alarm thresholds set by an admin', () => {
  let app: FastifyInstance | undefined;
  let board: FakeBoard;
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-thresholds-'));

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(dbPath: string): Promise<FastifyInstance> {
    board = new FakeBoard(PATH, { serialNumber: SN, boardMs: 5000 });
    const a = buildApp({
      ports: [{ path: PATH }],
      binding: fakeBoardBinding([board]),
      dbPath,
      clock: new ManualClock(),
      auth,
      cells: [{ id: CELL, deviceId: SN, alarms: { o2LowKpa: 1.0 } }],
    });
    app = a;
    await openApp(a, SN);
    return a;
  }

  function put(a: FastifyInstance, body: object, token?: string) {
    return a.inject({
      method: 'PUT',
      url: `/api/cells/${CELL}/alarm-thresholds`,
      payload: body,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  }

  async function activeKinds(a: FastifyInstance): Promise<string[]> {
    return (await a.inject({ method: 'GET', url: `/api/alarms?cell=${CELL}` })).json().alarms.map((x: { kind: string }) => x.kind);
  }

  async function reading(a: FastifyInstance, o2: string): Promise<void> {
    const seq = board.sendReading({ o2 });
    await until(() => a.store.readings.maxSeq(SN, 1) >= seq, `reading ${seq} stored`);
  }

  it('lets only an admin replace them, and refuses bad values naming the field', async () => {
    const a = await start(':memory:');
    expect((await put(a, { o2LowKpa: 0.6 })).statusCode).toBe(401);
    const op = await put(a, { o2LowKpa: 0.6 }, OPERATOR);
    expect(op.statusCode).toBe(403);
    expect(op.json().code).toBe('BRIDGE_ERR_FORBIDDEN');

    const negative = await put(a, { o2LowKpa: -1 }, ADMIN);
    expect(negative.statusCode).toBe(400);
    expect(negative.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'o2LowKpa' });
    const unknown = await put(a, { o2LowPercent: 1 }, ADMIN);
    expect(unknown.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'o2LowPercent' });
    const crossed = await put(a, { o2LowKpa: 3, o2HighKpa: 2 }, ADMIN);
    expect(crossed.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'o2LowKpa' });
    const noCell = await a.inject({ method: 'PUT', url: '/api/cells/cell-9/alarm-thresholds', payload: {}, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(noCell.statusCode).toBe(404);

    // The configured threshold is in force until the admin changes it.
    expect((await a.inject({ method: 'GET', url: `/api/cells/${CELL}/alarm-thresholds` })).json()).toMatchObject({ o2LowKpa: 1.0 });
  });

  it('applies a new threshold from the next reading on, and keeps it across a restart', async () => {
    const dbPath = join(dir, 'bench.sqlite');
    try {
      let a = await start(dbPath);
      await reading(a, '0.80');
      expect(await activeKinds(a)).toEqual(['o2_low']);

      const res = await put(a, { o2LowKpa: 0.6, hysteresisO2Kpa: 0.05 }, ADMIN);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ o2LowKpa: 0.6, hysteresisO2Kpa: 0.05 });
      await reading(a, '0.70'); // above 0.6 + 0.05: clears under the new threshold
      expect(await activeKinds(a)).toEqual([]);
      await reading(a, '0.55');
      expect(await activeKinds(a)).toEqual(['o2_low']);

      await a.close();
      app = undefined;
      a = await start(dbPath);
      expect((await a.inject({ method: 'GET', url: `/api/cells/${CELL}/alarm-thresholds` })).json()).toMatchObject({ o2LowKpa: 0.6, hysteresisO2Kpa: 0.05 });
    } finally {
      await app?.close();
      app = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
