/**
 * Tokens and roles on the REST routes, through inject(): 401 without or with an unknown token, 403 for a
 * role too low or in read-only mode, the open bench, hashed storage, and the failure rate limit.
 */

import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, hashToken, startBridge, type AuthOptions } from '../../bridge/index.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { openApp } from '../helpers/fake-bench.js';

const PATH = '/dev/fake-gb-01';
const SN = 'GB-0001';
const ADMIN = 'cbt_admin-token-for-tests-0000000000000000';
const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const VIEWER = 'cbt_viewer-token-for-tests-0000000000000000';
const tokens: AuthOptions['tokens'] = [
  { name: 'ada', role: 'admin', token: ADMIN },
  { name: 'otto', role: 'operator', token: OPERATOR },
  { name: 'vera', role: 'viewer', token: VIEWER },
];
const valve = { op: 'set_valve', valve: 'n2', on: true };

describe('auth on the REST routes', () => {
  let app: FastifyInstance | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(auth: AuthOptions): Promise<FastifyInstance> {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    app = buildApp({ ports: [{ path: PATH }], binding: fakeBoardBinding([board]), dbPath: ':memory:', clock: new ManualClock(), auth });
    await openApp(app, SN);
    return app;
  }

  function post(a: FastifyInstance, token?: string) {
    return a.inject({
      method: 'POST',
      url: `/api/devices/${SN}/commands`,
      payload: valve,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  }

  it('answers a write without a token 401 and with an unknown token 401, a viewer 403, an operator 200', async () => {
    const a = await start({ mode: 'tokens', tokens });
    const none = await post(a);
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('BRIDGE_ERR_UNAUTHORIZED');
    const unknown = await post(a, 'cbt_nobody-knows-this-token-0000000000000');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().code).toBe('BRIDGE_ERR_UNAUTHORIZED');
    const viewer = await post(a, VIEWER);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().code).toBe('BRIDGE_ERR_FORBIDDEN');
    const operator = await post(a, OPERATOR);
    expect(operator.statusCode).toBe(200);
    const audit = await a.inject({ method: 'GET', url: `/api/commands?device=${SN}` });
    expect(audit.json().commands[0]).toMatchObject({ op: 'set_valve', args: { valve: 'n2', on: true }, outcome: 'ack', actor: 'otto' });
    // Reads stay open unless protectReads is set.
    expect((await a.inject({ method: 'GET', url: '/api/devices' })).statusCode).toBe(200);
  });

  it('protects reads with a viewer token when protectReads is set', async () => {
    const a = await start({ mode: 'tokens', tokens, protectReads: true });
    const none = await a.inject({ method: 'GET', url: '/api/devices' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('BRIDGE_ERR_UNAUTHORIZED');
    const ok = await a.inject({ method: 'GET', url: '/api/devices', headers: { authorization: `Bearer ${VIEWER}` } });
    expect(ok.statusCode).toBe(200);
  });

  it('lets an admin make, list and revoke tokens, and keeps only their SHA-256', async () => {
    const a = await start({ mode: 'tokens', tokens });
    const byOperator = await a.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'ci', role: 'operator' }, headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(byOperator.statusCode).toBe(403);
    expect(byOperator.json().code).toBe('BRIDGE_ERR_FORBIDDEN');

    const made = await a.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'ci', role: 'operator' }, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(made.statusCode).toBe(201);
    const { id, token } = made.json() as { id: number; token: string };
    expect(token).toMatch(/^cbt_[A-Za-z0-9_-]{43}$/);
    const raw = JSON.stringify(a.store.db.prepare('SELECT * FROM tokens').all());
    expect(raw).not.toContain(token);
    expect(raw).toContain(hashToken(token));

    expect((await post(a, token)).statusCode).toBe(200);
    const list = await a.inject({ method: 'GET', url: '/api/tokens', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(list.json().tokens).toEqual([expect.objectContaining({ id, name: 'ci', role: 'operator', revokedAtMs: null })]);
    expect(JSON.stringify(list.json())).not.toContain(token);

    const del = await a.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(del.statusCode).toBe(204);
    expect((await post(a, token)).json().code).toBe('BRIDGE_ERR_UNAUTHORIZED');
    const again = await a.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: { authorization: `Bearer ${ADMIN}` } });
    expect(again.json().code).toBe('BRIDGE_ERR_TOKEN_NOT_FOUND');
  });

  it('refuses every write in read-only demo mode, whoever asks', async () => {
    const a = await start({ mode: 'read-only', tokens });
    for (const token of [undefined, OPERATOR, ADMIN]) {
      const res = await post(a, token);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('BRIDGE_ERR_READ_ONLY');
    }
    expect((await a.inject({ method: 'GET', url: `/api/devices/${SN}` })).statusCode).toBe(200);
  });

  it('runs as an open bench without tokens, where only admin routes need one', async () => {
    const a = await start({ mode: 'open' });
    expect((await post(a)).statusCode).toBe(200);
    const audit = await a.inject({ method: 'GET', url: '/api/commands' });
    expect(audit.json().commands[0].actor).toBe('open-bench');
    const tokensRes = await a.inject({ method: 'GET', url: '/api/tokens' });
    expect(tokensRes.statusCode).toBe(401);
  });

  it('rate-limits repeated failures per address with 429 BRIDGE_ERR_RATE_LIMITED, never a good token', async () => {
    const a = await start({ mode: 'tokens', tokens, maxFailures: 3 });
    for (let i = 0; i < 3; i++) expect((await post(a, 'cbt_wrong-wrong-wrong-wrong-wrong-wrong-00')).statusCode).toBe(401);
    const limited = await post(a, 'cbt_wrong-wrong-wrong-wrong-wrong-wrong-00');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('BRIDGE_ERR_RATE_LIMITED');
    expect((await post(a, OPERATOR)).statusCode).toBe(200);
    // Another address is not affected.
    const other = await a.inject({ method: 'POST', url: `/api/devices/${SN}/commands`, payload: valve, remoteAddress: '127.0.0.2', headers: { authorization: `Bearer ${OPERATOR}` } });
    expect(other.statusCode).toBe(200);
  });

  it('refuses to listen beyond loopback as an open bench (BRIDGE_ERR_NOT_LOOPBACK)', async () => {
    await expect(startBridge({ host: '0.0.0.0', port: 0, dbPath: ':memory:' })).rejects.toMatchObject({ code: 'BRIDGE_ERR_NOT_LOOPBACK' });
  });
});
