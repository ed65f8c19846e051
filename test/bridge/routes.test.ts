import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../bridge/index.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until, waitForEvent } from '../helpers/wait.js';

const PATH = '/dev/fake-gb-01';

describe('bridge REST routes on the serialport mock binding', () => {
  let app: FastifyInstance;
  let board: FakeBoard;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock();
    board = new FakeBoard(PATH, { serialNumber: 'GB-0001', boardMs: 5000 });
    app = buildApp({ ports: [{ path: PATH }], binding: fakeBoardBinding([board]), dbPath: ':memory:', clock });
    const opened = waitForEvent(app.devices, 'device', (d: { state: string }) => d.state === 'open');
    await app.ready();
    await opened;
    // The bridge asks a board that (re)connects for its STATUS; let that settle first.
    await until(() => app.devices.queued('GB-0001') === 0, 'STATUS answered');
  });

  afterEach(async () => {
    await app.close();
  });

  async function readingsStored(n: number): Promise<void> {
    await until(() => app.store.readings.count('GB-0001') >= n, `${n} readings stored`);
  }

  it('identifies the board by its serial number after the handshake', async () => {
    expect(board.received[0]).toMatch(/^HELLO id=\d+ proto=1\*[0-9A-F]{4}$/);
    const res = await app.inject({ method: 'GET', url: '/api/devices' });
    expect(res.statusCode).toBe(200);
    const { devices } = res.json();
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      id: 'GB-0001',
      kind: 'gasboard',
      firmwareVersion: '0.1.0',
      protocolVersion: 1,
      path: PATH,
      state: 'open',
      capabilities: ['o2', 'co2', 'temp', 'valve.n2', 'valve.air', 'valve.scrub'],
    });
  });

  it('stores readings with the time the board measured them, and filters by time range', async () => {
    const handshakeAtMs = clock.now();
    board.sendReading({ o2: '20.90' }, 1000); // board t=6000
    board.sendReading({ o2: '20.80' }, 1000); // t=7000
    board.sendReading({ o2: 'NA' }, 1000); // t=8000
    await readingsStored(3);

    const all = (await app.inject({ method: 'GET', url: '/api/devices/GB-0001/readings' })).json();
    expect(all.readings.map((r: { seq: number }) => r.seq)).toEqual([1, 2, 3]);
    // The handshake said t=5000 at handshakeAtMs, so t=6000 was measured 1 s later.
    expect(all.readings[0].measuredAtMs).toBe(handshakeAtMs + 1000);
    expect(all.readings[1].o2Kpa).toBe(20.8);
    expect(all.readings[2].o2Kpa).toBeNull();

    const from = new Date(handshakeAtMs + 2000).toISOString();
    const some = (await app.inject({ method: 'GET', url: `/api/devices/GB-0001/readings?from=${from}&to=${handshakeAtMs + 3000}` })).json();
    expect(some.readings.map((r: { seq: number }) => r.seq)).toEqual([2, 3]);
  });

  it('counts garbage from the board per device, skips it, and keeps serving', async () => {
    board.sendRaw('hello there\n');
    board.sendRaw('RD seq=1 t=6000 o2=20.90 co2=0.040 temp=1.50*0000\n'); // bad checksum
    board.sendRaw(Buffer.from([0x00, 0xff, 0x13, 0x0a]));
    board.sendRaw(`${'X'.repeat(5000)}`); // no newline at all: must not grow a buffer without bound
    board.sendRaw('\n');
    board.sendReading();
    await readingsStored(1);

    const dev = (await app.inject({ method: 'GET', url: '/api/devices/GB-0001' })).json();
    // Frames: ID, the ST that answers the bridge's STATUS, and the reading.
    expect(dev.counters).toEqual({ frames: 3, stored: 1, rejected: 4, boardErrors: 0, flagged: 0, conflicts: 0, lostReadings: 0, powerUps: 1, lostPowerUps: 0 });
    const health = (await app.inject({ method: 'GET', url: '/api/health' })).json();
    expect(health.totals.rejected).toBe(4);
  });

  it('round-trips a valve command to its ACK and audits it', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/devices/GB-0001/commands', payload: { op: 'set_valve', valve: 'n2', on: true } });
    expect(res.statusCode).toBe(200);
    const { commandId, outcome } = res.json();
    expect(outcome).toBe('ack');
    expect(board.received.at(-1)).toMatch(new RegExp(`^SET id=${commandId} valve=n2 on=1\\*[0-9A-F]{4}$`));
    const row = app.store.db.prepare('SELECT op, args, outcome FROM commands WHERE id = ?').get(commandId);
    expect(row).toEqual({ op: 'set_valve', args: JSON.stringify({ valve: 'n2', on: true }), outcome: 'ack' });
  });

  it('answers a NAK from the board with 409 BRIDGE_ERR_COMMAND_NAK and the board code', async () => {
    board.answerSet = 'E_ARG';
    const res = await app.inject({ method: 'POST', url: '/api/devices/GB-0001/commands', payload: { op: 'set_valve', valve: 'air', on: false } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_COMMAND_NAK', details: { boardCode: 'E_ARG' } });
  });

  it('retries an idempotent command twice with new ids, then answers 504 BRIDGE_ERR_COMMAND_TIMEOUT', async () => {
    board.answerSet = 'silent';
    const pending = app.inject({ method: 'POST', url: '/api/devices/GB-0001/commands', payload: { op: 'set_valve', valve: 'scrub', on: true } });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await until(() => board.received.filter((l) => l.startsWith('SET ')).length === attempt, `attempt ${attempt}`);
      clock.advance(1999);
      clock.advance(1);
    }
    const res = await pending;
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_COMMAND_TIMEOUT', details: { attempts: 3 } });
    const ids = board.received.filter((l) => l.startsWith('SET ')).map((l) => Number(/id=(\d+)/.exec(l)![1]));
    expect(new Set(ids).size).toBe(3);
    const audit = app.store.db.prepare('SELECT id, retry_of AS retryOf, outcome FROM commands ORDER BY id').all();
    expect(audit).toEqual([
      { id: ids[0], retryOf: null, outcome: 'timeout' },
      { id: ids[1], retryOf: ids[0], outcome: 'timeout' },
      { id: ids[2], retryOf: ids[1], outcome: 'timeout' },
    ]);
    // The next command still goes through: one in flight at a time, and the queue moved on.
    board.answerSet = 'ack';
    const next = await app.inject({ method: 'POST', url: '/api/devices/GB-0001/commands', payload: { op: 'set_valve', valve: 'scrub', on: false } });
    expect(next.statusCode).toBe(200);
  });

  it.each([
    [{ op: 'set_valve', valve: 'o3', on: true }, 'valve'],
    [{ op: 'set_valve', valve: 'n2' }, 'on'],
    [{ op: 'set_valve', valve: 'n2', on: 'yes' }, 'on'],
    [{ op: 'open_door', valve: 'n2', on: true }, 'op'],
    [{ op: 'set_valve', valve: 'n2', on: true, extra: 1 }, 'extra'],
  ])('rejects the bad body %j with 400 BRIDGE_ERR_BAD_BODY naming "%s"', async (payload, fieldName) => {
    const res = await app.inject({ method: 'POST', url: '/api/devices/GB-0001/commands', payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: fieldName });
    expect(res.json().message).toContain(fieldName);
    expect(board.received.filter((l) => l.startsWith('SET '))).toHaveLength(0);
  });

  it('rejects a body that is not JSON with 400 BRIDGE_ERR_BAD_BODY', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/devices/GB-0001/commands',
      headers: { 'content-type': 'application/json' },
      payload: '{"op": "set_valve",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('BRIDGE_ERR_BAD_BODY');
  });

  it('rejects an oversized body with 413 BRIDGE_ERR_BODY_TOO_LARGE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/devices/GB-0001/commands',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ op: 'set_valve', valve: 'n2', on: true, pad: 'x'.repeat(20_000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('BRIDGE_ERR_BODY_TOO_LARGE');
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-13-45T99:00:00Z', 'to'],
    ['from=2000&to=1000', 'to'],
    ['limit=0', 'limit'],
    ['colour=red', 'colour'],
  ])('rejects the query %s with 400 BRIDGE_ERR_BAD_QUERY naming "%s"', async (query, fieldName) => {
    const res = await app.inject({ method: 'GET', url: `/api/devices/GB-0001/readings?${query}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_QUERY', field: fieldName });
  });

  it('answers an unknown device with 404 BRIDGE_ERR_DEVICE_NOT_FOUND and an unknown route with BRIDGE_ERR_NOT_FOUND', async () => {
    for (const url of ['/api/devices/GB-9999', '/api/devices/GB-9999/readings']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('BRIDGE_ERR_DEVICE_NOT_FOUND');
    }
    const res = await app.inject({ method: 'GET', url: '/api/nothing' });
    expect(res.json().code).toBe('BRIDGE_ERR_NOT_FOUND');
  });
});
