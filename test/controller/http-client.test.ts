/**
 * The controller contract over HTTP and socket.io (controller/http-client.ts) against a real listening
 * bridge (loopback, port 0) on the fake board's mock binding and a manual clock: every BridgeClient method,
 * its errors naming the route and the bridge's code, and the events arriving over socket.io.
 */

import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../bridge/index.js';
import type { BridgeEvents, ControllerRecord, ReadingView } from '../../controller/contract.js';
import { createHttpBridgeClient, HttpBridgeClientError, type HttpBridgeClient } from '../../controller/http-client.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until } from '../helpers/wait.js';

const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const VIEWER = 'cbt_viewer-token-for-tests-0000000000000000';
const SN = 'GB-0001';
const CELL = 'cell-1';

/** The next event of a kind for which `predicate` holds. */
function next<K extends keyof BridgeEvents>(client: HttpBridgeClient, event: K, predicate: (p: BridgeEvents[K]) => boolean = () => true): Promise<BridgeEvents[K]> {
  return new Promise((resolve) => {
    const off = client.on(event, (p) => {
      if (!predicate(p)) return;
      off();
      resolve(p);
    });
  });
}

describe('the HTTP bridge client against a listening bridge', () => {
  let app: FastifyInstance;
  let url: string;
  let board: FakeBoard;
  const clients: HttpBridgeClient[] = [];
  const client = (token: string | null = OPERATOR): HttpBridgeClient => {
    const c = createHttpBridgeClient({ url, ...(token !== null ? { token } : {}) });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    board = new FakeBoard('/dev/fake-gb-01', { serialNumber: SN });
    app = buildApp({
      dbPath: ':memory:',
      ports: [{ path: board.path }],
      binding: fakeBoardBinding([board]),
      cells: [{ id: CELL, deviceId: SN }],
      auth: { mode: 'tokens', tokens: [{ name: 'otto', role: 'operator', token: OPERATOR }, { name: 'vera', role: 'viewer', token: VIEWER }] },
      clock: new ManualClock(),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await until(() => app.devices.get(SN)?.state === 'open', 'the board identified', 2_000_000);
    await until(() => app.devices.queued(SN) === 0, 'STATUS answered', 2_000_000);
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await app?.close();
  });

  it('lists the cells and gives a cell\'s status with its board', async () => {
    const c = client();
    expect(await c.cellIds()).toContain(CELL);
    const s = await c.cellStatus(CELL);
    expect(s.cellId).toBe(CELL);
    expect(s.devices).toEqual([{ deviceId: SN, boardCell: null, kind: 'gasboard', capabilities: expect.arrayContaining(['valve.n2', 'valve.air', 'valve.scrub']) }]);
    expect(s.door).toBeNull();
  });

  it('saves a record and loads it back as saved', async () => {
    const c = client();
    const record: ControllerRecord = {
      controller: 'test-ctl',
      status: { state: 'ulo_hold', reason: 'holding ULO', o2SetpointKpa: 1.5, co2SetpointKpa: 1.2, breakPointO2Kpa: null, rq: null, atMs: app.clock.now() },
      memory: { version: 1, window: [1, 2, 3] },
      alarms: [{ code: 'dca_refused_leak', severity: 'warning', message: 'leak above the limit' }],
    };
    await c.saveRecord(CELL, record);
    const back = await c.loadRecord(CELL);
    expect(back).toMatchObject({ ...record, alarms: [expect.objectContaining({ code: 'dca_refused_leak' })], cellId: CELL, updatedBy: 'otto' });
    // The alarm it listed is the bridge's now; an empty list clears it.
    expect((await c.cellStatus(CELL)).alarms.map((a) => a.code)).toEqual(['dca_refused_leak']);
    await c.saveRecord(CELL, { ...record, alarms: [] });
    expect((await c.cellStatus(CELL)).alarms).toEqual([]);
  });

  it('rejects naming the route and the bridge\'s code', async () => {
    const err = await client().cellStatus('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpBridgeClientError);
    expect(err).toMatchObject({ route: 'GET /api/cells/nope/status', statusCode: 404, code: 'BRIDGE_ERR_NOT_FOUND' });
    expect((err as Error).message).toMatch(/^GET \/api\/cells\/nope\/status: 404 BRIDGE_ERR_NOT_FOUND: no cell "nope"/);

    const record: ControllerRecord = {
      controller: 'test-ctl',
      status: { state: 'x', reason: '', o2SetpointKpa: null, co2SetpointKpa: null, breakPointO2Kpa: null, rq: null, atMs: 0 },
      memory: {},
      alarms: [],
    };
    await expect(client(VIEWER).saveRecord(CELL, record)).rejects.toThrow(/^PUT \/api\/cells\/cell-1\/controller: 403 BRIDGE_ERR_FORBIDDEN/);
    await expect(client(null).saveRecord(CELL, record)).rejects.toThrow(/^PUT \/api\/cells\/cell-1\/controller: 401 BRIDGE_ERR_UNAUTHORIZED/);
  });

  it('says when the bridge cannot be reached, for every method; command() rejects only then', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const gone = createHttpBridgeClient({ url: `http://127.0.0.1:${port}`, token: OPERATOR });
    clients.push(gone);
    await expect(gone.cellIds()).rejects.toThrow(new RegExp(`^GET /api/cells: cannot reach the bridge at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
    await expect(gone.command(SN, { op: 'set_valve', valve: 'n2', on: false })).rejects.toThrow(/^POST \/api\/devices\/GB-0001\/commands: cannot reach the bridge/);
  });

  it('command(): the outcome of an ACK, a NAK, and an unknown device', async () => {
    const c = client();
    expect(await c.command(SN, { op: 'set_valve', valve: 'n2', on: true })).toEqual({ ok: true, status: 200, code: null, message: null });
    expect(board.received.at(-1)).toMatch(/^SET id=\d+ valve=n2 on=1\*/);
    board.answerSet = 'E_ARG';
    try {
      const nak = await c.command(SN, { op: 'set_valve', valve: 'air', on: false });
      expect(nak).toMatchObject({ ok: false, status: 409, code: 'BRIDGE_ERR_COMMAND_NAK' });
      expect(nak.message).toMatch(/E_ARG/);
    } finally {
      board.answerSet = 'ack';
    }
    const unknown = await c.command('NO-SUCH', { op: 'set_valve', valve: 'n2', on: false });
    expect(unknown).toMatchObject({ ok: false, status: 404, code: 'BRIDGE_ERR_DEVICE_NOT_FOUND' });
    expect(unknown.message).toMatch(/no device "NO-SUCH"/);
    // Not capable: a palletunit's setpoint to a gasboard.
    expect(await c.command(SN, { op: 'setpoint', o2Kpa: 1.5, co2Kpa: 1 })).toMatchObject({ ok: false, status: 409, code: 'BRIDGE_ERR_NOT_CAPABLE' });
  });

  it('delivers `cell` events over socket.io when a loading is PUT', async () => {
    const c = client();
    await c.connected();
    const got = next(c, 'cell', (e) => e.change === 'loading');
    const res = await fetch(`${url}/api/cells/${CELL}/loading`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lots: [{ id: 'L1', variety: 'Gala', tonnes: 50, harvestDate: '2026-09-10' }] }),
    });
    expect(res.status).toBe(200);
    expect(await got).toEqual({ cellId: CELL, change: 'loading' });
    expect((await c.cellStatus(CELL)).loading).toMatchObject({ totalTonnes: 50 });
  });

  it('delivers readings over socket.io, and readings() gives them back by time, paging past 10000', async () => {
    const c = client();
    await c.connected();
    const seen: ReadingView[] = [];
    c.on('reading', (r) => seen.push(r));
    const first = app.store.readings.count(SN);
    for (let i = 0; i < 3; i++) board.sendReading({ o2: (20.5 - i).toFixed(2), co2: '0.500' }, 60_000);
    await until(() => seen.length >= 3, 'three reading events', 2_000_000);
    expect(seen.map((r) => r.o2Kpa)).toEqual([20.5, 19.5, 18.5]);
    expect(seen.every((r) => r.cellId === CELL && r.deviceId === SN)).toBe(true);

    const all = await c.readings(CELL, 0, Number.MAX_SAFE_INTEGER);
    expect(all).toHaveLength(first + 3);
    expect(all.slice(-3).map((r) => r.measuredAtMs)).toEqual(seen.map((r) => r.measuredAtMs));
    const middle = await c.readings(CELL, seen[1]!.measuredAtMs, seen[1]!.measuredAtMs);
    expect(middle.map((r) => r.o2Kpa)).toEqual([19.5]);

    // More than one page: the client asks again after the last reading of a full one.
    const pages: string[] = [];
    const paging = createHttpBridgeClient({
      url,
      token: OPERATOR,
      fetch: async (input, init) => {
        const u = new URL(String(input));
        pages.push(u.searchParams.get('from')!);
        const from = Number(u.searchParams.get('from'));
        const page = Array.from({ length: from === 0 ? 10_000 : 5 }, (_, i) => ({ ...seen[0]!, seq: i, measuredAtMs: from + i }));
        return new Response(JSON.stringify({ cellId: CELL, fromMs: from, toMs: null, readings: page }), { status: 200 });
      },
    });
    clients.push(paging);
    const paged = await paging.readings(CELL, 0, 1_000_000);
    expect(paged).toHaveLength(10_005);
    expect(pages).toEqual(['0', '10000']);
  });

  it('after a lost connection socket.io reconnects with lastSeq; events resume, the missed ones are not replayed', async () => {
    const c = client();
    await c.connected();
    const seen: number[] = [];
    c.on('reading', (r) => seen.push(r.o2Kpa!));
    const sockets = (): number => app.io.sockets.sockets.size;
    const before = sockets();
    // The transport drops (as a network loss does): the client reconnects by itself, the server did not kick it.
    for (const s of app.io.sockets.sockets.values()) s.conn.close();
    await until(() => sockets() === 0, 'every socket gone', 50_000_000);
    board.sendReading({ o2: '15.00' }, 60_000);
    await until(() => app.store.readings.count(SN) > 0 && app.store.readings.latestOfCell(CELL)?.o2Kpa === 15, 'the missed reading stored', 2_000_000);
    await until(() => sockets() >= before, 'reconnected', 50_000_000);
    const back = [...app.io.sockets.sockets.values()].map((s) => (s.handshake.auth as { lastSeq?: unknown }).lastSeq);
    expect(back.every((seq) => typeof seq === 'number')).toBe(true);
    board.sendReading({ o2: '14.00' }, 60_000);
    await until(() => seen.includes(14), 'the next reading after the reconnect', 2_000_000);
    expect(seen).not.toContain(15);
  });

  it('a closed client refuses to open its event stream', async () => {
    const c = client();
    await c.close();
    await expect(c.connected()).rejects.toThrow(/closed/);
  });
});

describe('the HTTP bridge client against a bridge that protects reads', () => {
  it('connected() rejects with the bridge\'s code when the handshake is refused', async () => {
    const app = buildApp({ dbPath: ':memory:', clock: new ManualClock(), auth: { mode: 'tokens', protectReads: true, tokens: [{ name: 'otto', role: 'operator', token: OPERATOR }] } });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const bad = createHttpBridgeClient({ url, token: 'cbt_not-a-token-of-this-bridge-000000000000' });
      try {
        await expect(bad.connected()).rejects.toMatchObject({ route: 'socket.io handshake', code: 'BRIDGE_ERR_UNAUTHORIZED' });
      } finally {
        await bad.close();
      }
      const good = createHttpBridgeClient({ url, token: OPERATOR });
      try {
        expect((await good.connected()).missed).toBeNull();
      } finally {
        await good.close();
      }
    } finally {
      await app.close();
    }
  });
});
