/**
 * The API's errors: authentication before body validation, a failure limit that never locks out a valid
 * token, no coercion of bad body types (while query strings keep their numbers), impossible and far-future
 * dates refused naming the field, and a BRIDGE_ERR_* code on every error, Fastify's own included.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { io, type Socket } from 'socket.io-client';
import { buildApp, startBridge, type AuthOptions, type ClientToServerEvents, type ServerToClientEvents } from '../../bridge/index.js';
import { fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { waitForEvent } from '../helpers/wait.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const ADMIN = 'cbt_admin-token-for-tests-0000000000000000';
const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const VIEWER = 'cbt_viewer-token-for-tests-0000000000000000';
const WRONG = 'cbt_wrong-wrong-wrong-wrong-wrong-wrong-00';
const tokens: AuthOptions['tokens'] = [
  { name: 'ada', role: 'admin', token: ADMIN },
  { name: 'otto', role: 'operator', token: OPERATOR },
  { name: 'vera', role: 'viewer', token: VIEWER },
];
const CELL = 'cell-1';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function makeApp(auth: AuthOptions): FastifyInstance {
  return buildApp({
    dbPath: ':memory:',
    clock: new ManualClock(),
    binding: fakeBoardBinding([]),
    cells: [{ id: CELL, deviceId: 'GB-0001' }],
    auth,
  });
}

describe('authentication before body validation', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = makeApp({ mode: 'tokens', tokens });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it.each<[string, InjectOptions]>([
    ['a body the schema refuses', { method: 'POST', url: '/api/devices/GB-0001/commands', payload: { op: 'open_door' } }],
    ['malformed JSON', { method: 'POST', url: '/api/devices/GB-0001/commands', headers: { 'content-type': 'application/json' }, payload: '{"op":' }],
    ['an unsupported media type', { method: 'POST', url: '/api/runs', headers: { 'content-type': 'text/plain' }, payload: 'name=x' }],
    ['bad params', { method: 'POST', url: '/api/runs/zero/end' }],
    ['a body the schema refuses, on an admin route', { method: 'PUT', url: `/api/cells/${CELL}/alarm-thresholds`, payload: { o2LowKpa: 'low' } }],
  ])('answers an anonymous caller with %s 401, not 400', async (_what, req) => {
    const res = await app.inject(req);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('BRIDGE_ERR_UNAUTHORIZED');
  });

  it('still sees the route role: a viewer gets 403 for a bad body on an operator route, an operator 400', async () => {
    const req: InjectOptions = { method: 'POST', url: '/api/devices/GB-0001/commands', payload: { op: 'open_door' } };
    const viewer = await app.inject({ ...req, headers: bearer(VIEWER) });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().code).toBe('BRIDGE_ERR_FORBIDDEN');
    const operator = await app.inject({ ...req, headers: bearer(OPERATOR) });
    expect(operator.statusCode).toBe(400);
    expect(operator.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'op' });
    const adminRoute = await app.inject({ method: 'PUT', url: `/api/cells/${CELL}/alarm-thresholds`, payload: { o2LowKpa: 'low' }, headers: bearer(OPERATOR) });
    expect(adminRoute.json().code).toBe('BRIDGE_ERR_FORBIDDEN');
  });

  it('says "an operator" and "an admin" in its messages', async () => {
    const messages = [
      (await app.inject({ method: 'POST', url: '/api/runs', payload: { name: 'x' } })).json().message,
      (await app.inject({ method: 'GET', url: '/api/tokens' })).json().message,
      (await app.inject({ method: 'POST', url: '/api/runs', payload: { name: 'x' }, headers: bearer(VIEWER) })).json().message,
      (await app.inject({ method: 'GET', url: '/api/tokens', headers: bearer('cbt_not-a-known-token-000000000000000000') })).json().message,
    ] as string[];
    expect(messages[0]).toMatch(/needs an operator token/);
    expect(messages[1]).toMatch(/needs an admin token/);
    expect(messages[2]).toMatch(/needs an operator token/);
    expect(messages[3]).toMatch(/needs an admin token/);
    for (const m of messages) expect(m).not.toMatch(/\ba (operator|admin)\b|needs (operator|admin)\b/);
  });
});

describe('the failed-auth limit', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = makeApp({ mode: 'tokens', tokens, maxFailures: 3 });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const run = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/runs', payload: { name: 'r' }, headers });

  it('refuses further failed attempts with 429, never a valid token', async () => {
    for (let i = 0; i < 3; i++) expect((await run(bearer(WRONG))).statusCode).toBe(401);
    const limited = await run(bearer(WRONG));
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('BRIDGE_ERR_RATE_LIMITED');
    expect((await run({})).statusCode).toBe(429);
    // A valid token passes whatever the address did before, and does not count as a failure.
    expect((await run(bearer(OPERATOR))).statusCode).toBe(201);
    const tooLow = await run(bearer(VIEWER));
    expect(tooLow.statusCode).toBe(403);
    expect(tooLow.json().code).toBe('BRIDGE_ERR_FORBIDDEN');
    expect((await run(bearer(OPERATOR))).statusCode).toBe(201);
    expect((await run(bearer(WRONG))).statusCode).toBe(429);
  });
});

describe('the failed-auth limit over socket.io', () => {
  it('refuses further failed socket commands with 429, never a socket with a valid token', async () => {
    const bridge = await startBridge({ port: 0, dbPath: ':memory:', clock: new ManualClock(), binding: fakeBoardBinding([]), auth: { mode: 'tokens', tokens, maxFailures: 2 } });
    const sockets: Client[] = [];
    const connect = async (token: string): Promise<Client> => {
      const socket: Client = io(bridge.url, { transports: ['websocket'], reconnection: false, auth: { token } });
      sockets.push(socket);
      await waitForEvent(socket as never, 'snapshot');
      return socket;
    };
    const command = { deviceId: 'GB-0404', op: 'set_valve', valve: 'air', on: true } as const;
    try {
      const wrong = await connect(WRONG);
      expect(await wrong.emitWithAck('command', command)).toMatchObject({ ok: false, code: 'BRIDGE_ERR_UNAUTHORIZED' });
      expect(await wrong.emitWithAck('command', command)).toMatchObject({ ok: false, code: 'BRIDGE_ERR_UNAUTHORIZED' });
      expect(await wrong.emitWithAck('command', command)).toMatchObject({ ok: false, code: 'BRIDGE_ERR_RATE_LIMITED' });
      // Past authentication: the device is unknown, which is what an operator should hear.
      const operator = await connect(OPERATOR);
      expect(await operator.emitWithAck('command', command)).toMatchObject({ ok: false, code: 'BRIDGE_ERR_DEVICE_NOT_FOUND' });
    } finally {
      for (const s of sockets) s.close();
      await bridge.close();
    }
  });
});

describe('no coercion of body types; query strings and params keep their numbers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = makeApp({ mode: 'tokens', tokens });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    ['PUT', `/api/cells/${CELL}/alarm-thresholds`, { o2LowKpa: null }, 'o2LowKpa'],
    ['PUT', `/api/cells/${CELL}/alarm-thresholds`, { tempHighC: '8' }, 'tempHighC'],
    ['PUT', `/api/cells/${CELL}/alarm-thresholds`, { staleAfterMs: true }, 'staleAfterMs'],
    ['PUT', `/api/cells/${CELL}/door`, { open: null }, 'open'],
    ['PUT', `/api/cells/${CELL}/door`, { open: 'false' }, 'open'],
    ['PUT', `/api/cells/${CELL}/door`, { open: 0 }, 'open'],
    ['PUT', `/api/cells/${CELL}/cal-gas`, { bottleBar: '150' }, 'bottleBar'],
    ['POST', '/api/devices/GB-0001/commands', { op: 'set_valve', valve: 'n2', on: 'true' }, 'on'],
    ['POST', '/api/runs', { name: 42 }, 'name'],
  ])('%s %s %j is 400 BRIDGE_ERR_BAD_BODY naming %s', async (method, url, payload, fieldName) => {
    const res = await app.inject({ method: method as 'PUT', url, payload, headers: bearer(ADMIN) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: fieldName });
    expect(res.json().message).toContain(fieldName);
  });

  it('keeps the cell as it was after refusing null thresholds', async () => {
    await app.inject({ method: 'PUT', url: `/api/cells/${CELL}/alarm-thresholds`, payload: { o2LowKpa: null }, headers: bearer(ADMIN) });
    expect((await app.inject({ method: 'GET', url: `/api/cells/${CELL}/alarm-thresholds` })).json()).toEqual({});
  });

  it('reads numbers from the query string and the path', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/commands?limit=10' })).statusCode).toBe(200);
    const bad = await app.inject({ method: 'GET', url: '/api/commands?limit=ten' });
    expect(bad.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_QUERY', field: 'limit' });
    const del = await app.inject({ method: 'DELETE', url: '/api/tokens/77', headers: bearer(ADMIN) });
    expect(del.json().code).toBe('BRIDGE_ERR_TOKEN_NOT_FOUND');
    const ended = await app.inject({ method: 'POST', url: '/api/runs/77/end', headers: bearer(OPERATOR) });
    expect(ended.json().code).toBe('BRIDGE_ERR_NOT_FOUND');
  });
});

describe('dates: real calendar dates, not far in the future', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = makeApp({ mode: 'tokens', tokens });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const door = (at: string) => app.inject({ method: 'PUT', url: `/api/cells/${CELL}/door`, payload: { open: false, at }, headers: bearer(OPERATOR) });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-02-29T12:00:00Z',
    '2026-04-31T00:00:00.000Z',
    '2026-13-01T00:00:00Z',
    '2026-11-00T00:00:00Z',
    '2026-11-21T24:00:00Z',
    '2026-11-21T12:60:00Z',
    '2026-11-21T12:00:00+25:00',
    '2026-11-21T12:00:00Zjunk',
  ])('refuses the body time %s with 400 BRIDGE_ERR_BAD_BODY naming the field', async (at) => {
    const res = await door(at);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'at' });
    expect(res.json().message).toContain('"at"');
  });

  it.each(['2099-01-01T00:00:00Z', '2026-11-22T12:00:00Z', String(Date.UTC(2027, 0, 1)), '999999999999999'])(
    'refuses the far-future body time %s (the bench clock is 2026-11-21T12:00Z)',
    async (at) => {
      const res = await door(at);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'at' });
      expect(res.json().message).toMatch(/future|after/);
    },
  );

  it('names the field of the other body times too', async () => {
    const cal = await app.inject({ method: 'PUT', url: `/api/cells/${CELL}/calibration`, payload: { calibratedAt: '2026-02-30T08:00:00Z', intervalDays: 30 }, headers: bearer(OPERATOR) });
    expect(cal.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'calibratedAt' });
    const manual = await app.inject({ method: 'POST', url: `/api/cells/${CELL}/manual-measurements`, payload: { measuredAt: '2030-01-01T00:00:00Z', o2Kpa: 1 }, headers: bearer(OPERATOR) });
    expect(manual.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: 'measuredAt' });
  });

  it('takes a real leap day, a time with an offset, epoch ms, and a time a little ahead of the bench clock', async () => {
    for (const at of ['2024-02-29T12:00:00Z', '2026-11-21T13:00:00+01:00', '2026-11-21T12:05:00.123Z', String(Date.UTC(2026, 10, 21, 11))]) {
      const res = await door(at);
      expect(res.statusCode, at).toBe(200);
    }
  });

  it.each([
    ['from=2026-02-30T00:00:00Z', 'from'],
    ['to=2026-13-01T00:00:00Z', 'to'],
    ['to=2026-06-31T00:00:00Z', 'to'],
  ])('refuses the query %s with 400 BRIDGE_ERR_BAD_QUERY naming the field', async (query, fieldName) => {
    const res = await app.inject({ method: 'GET', url: `/api/cells/${CELL}/readings.csv?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_QUERY', field: fieldName });
  });

  it('keeps a far-future upper bound of a query as "no upper bound"', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/cells/${CELL}/readings.csv?to=2099-12-31T23:59:59Z` });
    expect(res.statusCode).toBe(200);
  });
});

describe("every error carries a BRIDGE_ERR_* code, Fastify's own included", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = makeApp({ mode: 'open' });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it.each<[string, number, string, InjectOptions, RegExp]>([
    ['a bad URL', 400, 'BRIDGE_ERR_BAD_URL', { method: 'GET', url: '/api/%zz' }, /%zz/],
    ['a path parameter over the limit (414)', 414, 'BRIDGE_ERR_URI_TOO_LONG', { method: 'GET', url: `/api/devices/${'x'.repeat(200)}` }, /xxxx/],
    ['an unsupported media type', 415, 'BRIDGE_ERR_UNSUPPORTED_MEDIA_TYPE', { method: 'POST', url: '/api/runs', headers: { 'content-type': 'text/plain' }, payload: 'name=x' }, /text\/plain.*application\/json/],
    ['a form body', 415, 'BRIDGE_ERR_UNSUPPORTED_MEDIA_TYPE', { method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=x' }, /x-www-form-urlencoded/],
    ['an unknown route', 404, 'BRIDGE_ERR_NOT_FOUND', { method: 'GET', url: '/api/nothing' }, /\/api\/nothing/],
    ['an unknown method', 404, 'BRIDGE_ERR_NOT_FOUND', { method: 'PATCH', url: '/api/devices' }, /PATCH/],
    ['malformed JSON', 400, 'BRIDGE_ERR_BAD_BODY', { method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json' }, payload: '{"name":' }, /JSON/],
    ['an empty JSON body', 400, 'BRIDGE_ERR_BAD_BODY', { method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json' }, payload: '' }, /empty/],
    ['a __proto__ key', 400, 'BRIDGE_ERR_BAD_BODY', { method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json' }, payload: '{"name":"x","__proto__":{"a":1}}' }, /./],
    ['a bad Content-Length', 400, 'BRIDGE_ERR_BAD_BODY', { method: 'POST', url: '/api/runs', headers: { 'content-type': 'application/json', 'content-length': '3' }, payload: '{"name":"x"}' }, /./],
  ])('%s is %i %s', async (_what, status, code, req, message) => {
    const res = await app.inject(req);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body).toMatchObject({ statusCode: status, code, error: expect.any(String) });
    expect(body.message).toMatch(message);
  });
});
