/**
 * The open bench (auth mode `open`, what `cellbench demo` runs) answers only requests and socket.io
 * handshakes whose Host is a loopback name and whose Origin, when there is one, is a loopback origin: a web
 * page the user visits must not open valves through a cross-origin request, a cross-origin WebSocket or a
 * DNS-rebinding name. Every response carries a content security policy that forbids framing. Tokens mode
 * leaves Origin and Host alone unless `localOnly` is set (a write needs a token a foreign page cannot have).
 */

import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { io, type Socket } from 'socket.io-client';
import {
  buildApp,
  startBridge,
  type AuthOptions,
  type BridgeSnapshot,
  type ClientToServerEvents,
  type RunningBridge,
  type ServerToClientEvents,
} from '../../bridge/index.js';
import { dashboardPlugin } from '../../dashboards/index.js';
import { fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { waitForEvent } from '../helpers/wait.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type ConnectError = Error & { data?: { code?: string } };
const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const operatorTokens: AuthOptions['tokens'] = [{ name: 'otto', role: 'operator', token: OPERATOR }];

/** A write that needs the operator role and reaches no board: 201 when it is let through. */
const startRun = { method: 'POST' as const, url: '/api/runs', payload: { name: 'probe' } };

describe('the open bench over HTTP: loopback Host and Origin only', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = buildApp({ dbPath: ':memory:', clock: new ManualClock(), binding: fakeBoardBinding([]) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(['localhost', 'localhost:8080', 'LOCALHOST:8080', '127.0.0.1', '127.0.0.1:8080', '127.1.2.3:9', '[::1]', '[::1]:8080'])(
    'lets a write with Host %s through',
    async (host) => {
      const res = await app.inject({ ...startRun, headers: { host } });
      expect(res.statusCode).toBe(201);
    },
  );

  it.each(['evil.example', 'evil.example:8080', '127.0.0.1.evil.example', 'localhost.evil.example:8080', '0.0.0.0:8080', '[::2]:8080', '192.168.1.20:8080', '127.0.0.1:80x'])(
    'refuses Host %s with 403 BRIDGE_ERR_BAD_HOST naming it, on writes and reads',
    async (host) => {
      for (const req of [{ ...startRun, headers: { host } }, { method: 'GET' as const, url: '/api/devices', headers: { host } }]) {
        const res = await app.inject(req);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_HOST' });
        expect(res.json().message).toContain(host);
      }
    },
  );

  it.each(['http://evil.example', 'https://evil.example:8443', 'http://127.0.0.1.evil.example:8080', 'null', 'file://', 'http://192.168.1.20:8080'])(
    'refuses Origin %s with 403 BRIDGE_ERR_BAD_ORIGIN naming it, on writes and reads',
    async (origin) => {
      const runsBefore = app.store.runs.list().length;
      for (const req of [{ ...startRun, headers: { origin } }, { method: 'GET' as const, url: '/api/devices', headers: { origin } }]) {
        const res = await app.inject(req);
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_ORIGIN' });
        expect(res.json().message).toContain(origin);
      }
      expect(app.store.runs.list()).toHaveLength(runsBefore);
    },
  );

  it.each(['http://127.0.0.1:8080', 'http://localhost:5173', 'https://localhost', 'http://[::1]:8080'])('lets a write with the loopback Origin %s through', async (origin) => {
    const res = await app.inject({ ...startRun, headers: { origin } });
    expect(res.statusCode).toBe(201);
  });

  it('lets a request without Origin through (curl, a native client)', async () => {
    const res = await app.inject(startRun);
    expect(res.statusCode).toBe(201);
  });
});

describe('tokens mode and Origin/Host', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('leaves Origin and Host to the client when a token is needed anyway', async () => {
    app = buildApp({ dbPath: ':memory:', clock: new ManualClock(), binding: fakeBoardBinding([]), auth: { mode: 'tokens', tokens: operatorTokens } });
    const headers = { origin: 'https://ops.example', host: 'bench-pc.example:8080' };
    const anonymous = await app.inject({ ...startRun, headers });
    expect(anonymous.json().code).toBe('BRIDGE_ERR_UNAUTHORIZED');
    const withToken = await app.inject({ ...startRun, headers: { ...headers, authorization: `Bearer ${OPERATOR}` } });
    expect(withToken.statusCode).toBe(201);
  });

  it('checks them with localOnly, before the token', async () => {
    app = buildApp({ dbPath: ':memory:', clock: new ManualClock(), binding: fakeBoardBinding([]), auth: { mode: 'tokens', tokens: operatorTokens, localOnly: true } });
    const host = await app.inject({ ...startRun, headers: { host: 'bench-pc.example:8080', authorization: `Bearer ${OPERATOR}` } });
    expect(host.json().code).toBe('BRIDGE_ERR_BAD_HOST');
    const origin = await app.inject({ ...startRun, headers: { origin: 'https://ops.example', authorization: `Bearer ${OPERATOR}` } });
    expect(origin.json().code).toBe('BRIDGE_ERR_BAD_ORIGIN');
    expect((await app.inject({ ...startRun, headers: { authorization: `Bearer ${OPERATOR}` } })).statusCode).toBe(201);
  });

  it('cannot switch localOnly off on an open bench', async () => {
    app = buildApp({ dbPath: ':memory:', binding: fakeBoardBinding([]), auth: { mode: 'open', localOnly: false } });
    await expect(app.ready()).rejects.toThrow(/localOnly/);
  });
});

describe('the open bench over socket.io: loopback Host and Origin only', () => {
  let bridge: RunningBridge;
  const clients: Client[] = [];

  beforeAll(async () => {
    bridge = await startBridge({ port: 0, dbPath: ':memory:', clock: new ManualClock(), binding: fakeBoardBinding([]) });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await bridge?.close();
  });

  function connect(extraHeaders: Record<string, string>): Client {
    const socket: Client = io(bridge.url, { transports: ['websocket'], reconnection: false, extraHeaders });
    clients.push(socket);
    return socket;
  }

  it('refuses a handshake from a foreign Origin with BRIDGE_ERR_BAD_ORIGIN naming it', async () => {
    const [err] = await waitForEvent<[ConnectError]>(connect({ Origin: 'http://evil.example' }) as never, 'connect_error');
    expect(err.data?.code).toBe('BRIDGE_ERR_BAD_ORIGIN');
    expect(err.message).toContain('http://evil.example');
  });

  it('refuses a handshake with a foreign Host (DNS rebinding) with BRIDGE_ERR_BAD_HOST naming it', async () => {
    const [err] = await waitForEvent<[ConnectError]>(connect({ Host: 'rebind.evil.example:8080' }) as never, 'connect_error');
    expect(err.data?.code).toBe('BRIDGE_ERR_BAD_HOST');
    expect(err.message).toContain('rebind.evil.example:8080');
  });

  it('accepts a handshake without Origin and one from a loopback Origin', async () => {
    for (const headers of [{}, { Origin: 'http://localhost:5173' }, { Origin: bridge.url }] as Array<Record<string, string>>) {
      const [snapshot] = await waitForEvent<[BridgeSnapshot]>(connect(headers) as never, 'snapshot');
      expect(snapshot.rooms).toEqual(['all']);
    }
  });
});

describe('socket.io refusals name what works', () => {
  it('tells a client without a token that an operator token goes in the handshake auth.token', async () => {
    const bridge = await startBridge({ port: 0, dbPath: ':memory:', clock: new ManualClock(), binding: fakeBoardBinding([]), auth: { mode: 'tokens', tokens: operatorTokens } });
    const socket: Client = io(bridge.url, { transports: ['websocket'], reconnection: false });
    try {
      await waitForEvent(socket as never, 'snapshot');
      const refused = await socket.emitWithAck('command', { deviceId: 'GB-0001', op: 'set_valve', valve: 'air', on: true });
      expect(refused).toMatchObject({ ok: false, code: 'BRIDGE_ERR_UNAUTHORIZED' });
      const message = (refused as { message: string }).message;
      expect(message).toMatch(/an operator token/);
      expect(message).toContain('auth.token');
      expect(message).not.toMatch(/Authorization|\ba operator\b/);
    } finally {
      socket.close();
      await bridge.close();
    }
  });
});

describe('security headers: a content security policy on every response', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = buildApp({ dbPath: ':memory:', clock: new ManualClock(), binding: fakeBoardBinding([]) });
    app.register(dashboardPlugin);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  function directives(csp: unknown): Map<string, string> {
    expect(typeof csp).toBe('string');
    return new Map(
      (csp as string)
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => [d.split(/\s+/)[0]!, d.split(/\s+/).slice(1).join(' ')]),
    );
  }

  it.each([
    ['GET', '/'],
    ['GET', '/dashboard/app.js'],
    ['GET', '/dashboard/style.css'],
    ['GET', '/api/devices'],
    ['GET', '/api/nothing-here'],
    ['GET', '/api/%zz'],
    ['POST', '/api/runs'],
  ] as const)('%s %s carries CSP with default-src self, frame-ancestors none, and nosniff', async (method, url) => {
    const res = await app.inject({ method, url, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { payload: '{' } : {}) });
    const csp = directives(res.headers['content-security-policy']);
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('serves a page that needs nothing the policy forbids: no inline script, style or handler', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.body;
    expect(html).toBe(await readFile(new URL('../../dashboards/client/index.html', import.meta.url), 'utf8'));
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="\/dashboard\//);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });
});
