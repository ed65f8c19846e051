/**
 * The store through the API: CSV export per cell and time range, runs, and retention on the clock.
 */

import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BridgeOptions } from '../../bridge/index.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until } from '../helpers/wait.js';
import { openApp } from '../helpers/fake-bench.js';

const PATH = '/dev/fake-gb-01';
const SN = 'GB-0001';

describe('store: CSV, runs, retention', () => {
  let app: FastifyInstance | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(board: FakeBoard, clock: ManualClock, extra: Partial<BridgeOptions> = {}): Promise<FastifyInstance> {
    app = buildApp({ ports: [{ path: PATH }], binding: fakeBoardBinding([board]), dbPath: ':memory:', clock, cells: [{ id: 'cell-7', deviceId: SN }], ...extra });
    await openApp(app, SN);
    return app;
  }

  it('exports a cell\u2019s readings in a time range as CSV, NA as empty', async () => {
    const clock = new ManualClock();
    const board = new FakeBoard(PATH, { serialNumber: SN, boardMs: 5000 });
    const a = await start(board, clock);
    const t0 = clock.now(); // board t=5000
    board.sendReading({ o2: '20.90', co2: '0.040', temp: '1.50' }); // t0+1000
    board.sendReading({ o2: 'NA', co2: '0.050', temp: '1.60' }); // t0+2000
    board.sendReading({ o2: '20.70', co2: '0.060', temp: '1.70' }); // t0+3000
    await until(() => a.store.readings.count(SN) === 3, 'stored');

    const cells = await a.inject({ method: 'GET', url: '/api/cells' });
    expect(cells.json().cells).toEqual([{ id: 'cell-7', deviceIds: [SN] }]);

    const res = await a.inject({ method: 'GET', url: `/api/cells/cell-7/readings.csv?from=${t0 + 2000}&to=${new Date(t0 + 3000).toISOString()}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trimEnd().split('\n');
    expect(lines[0]).toBe('cell_id,device_id,boot,seq,measured_at,measured_at_ms,received_at_ms,o2_kpa,co2_kpa,temp_c,flags,board_cell');
    expect(lines.slice(1).map((l) => l.split(',').filter((_, i) => [0, 1, 3, 7, 8, 9].includes(i)))).toEqual([
      ['cell-7', SN, '2', '', '0.05', '1.6'],
      ['cell-7', SN, '3', '20.7', '0.06', '1.7'],
    ]);
    expect(lines[1]!.split(',')[4]).toBe(new Date(t0 + 2000).toISOString());

    expect((await a.inject({ method: 'GET', url: '/api/cells/cell-99/readings.csv' })).json().code).toBe('BRIDGE_ERR_NOT_FOUND');
    expect((await a.inject({ method: 'GET', url: '/api/cells/cell-7/readings.csv?from=later' })).json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_QUERY', field: 'from' });
  });

  it('records runs', async () => {
    const a = await start(new FakeBoard(PATH, { serialNumber: SN }), new ManualClock());
    const made = await a.inject({ method: 'POST', url: '/api/runs', payload: { name: 'leak test', detail: { cell: 'cell-7' } } });
    expect(made.statusCode).toBe(201);
    const { id } = made.json();
    expect((await a.inject({ method: 'POST', url: `/api/runs/${id}/end` })).statusCode).toBe(204);
    expect((await a.inject({ method: 'POST', url: `/api/runs/${id}/end` })).json().code).toBe('BRIDGE_ERR_NOT_FOUND');
    const runs = (await a.inject({ method: 'GET', url: '/api/runs' })).json().runs;
    expect(runs).toEqual([expect.objectContaining({ id, name: 'leak test', startedBy: 'open-bench', detail: { cell: 'cell-7' } })]);
    expect(runs[0].endedAtMs).not.toBeNull();
  });

  it('prunes readings past their retention on the clock, keeping the newest of each boot', async () => {
    const clock = new ManualClock();
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const a = await start(board, clock, { retention: { readingsDays: 1, everyMs: 3_600_000 } });
    for (let i = 0; i < 3; i++) board.sendReading();
    await until(() => a.store.readings.count(SN) === 3, 'stored');
    clock.advance(2 * 86_400_000); // two days on: the hourly prune runs
    expect(a.store.readings.seqsStored(SN, 1)).toEqual([3]);
    const ev = a.store.db.prepare("SELECT detail FROM events WHERE kind = 'store.pruned'").get() as { detail: string };
    expect(JSON.parse(ev.detail).readings).toBe(2);
  });
});
