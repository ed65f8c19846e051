/**
 * CAL as a bridge command (POST /api/devices/:id/commands with op "cal", operator role) against the fake board
 * on the serialport mock binding: the frame the board gets, the ACK's calibration count in the answer, NAKs,
 * no retry after a timeout (a CAL is not idempotent), the audit log, bad bodies, and the roles.
 */

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type AuthOptions } from '../../bridge/index.js';
import { decodeFrame, field } from '../../firmware/protocol/index.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until } from '../helpers/wait.js';
import { openApp } from '../helpers/fake-bench.js';

const PATH = '/dev/fake-gb-cal';
const SN = 'GB-0001';
const OPERATOR = 'cbt_operator-token-for-tests-00000000000000';
const VIEWER = 'cbt_viewer-token-for-tests-0000000000000000';

describe('the cal command through the bridge (fake board)', () => {
  let app: FastifyInstance | undefined;
  let board: FakeBoard;
  let clock: ManualClock;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(auth?: AuthOptions): Promise<FastifyInstance> {
    clock = new ManualClock();
    board = new FakeBoard(PATH, { serialNumber: SN });
    const a = buildApp({ ports: [{ path: PATH }], binding: fakeBoardBinding([board]), dbPath: ':memory:', clock, ...(auth ? { auth } : {}) });
    app = a;
    await openApp(a, SN);
    return a;
  }

  const post = (a: FastifyInstance, payload: unknown, token?: string) =>
    a.inject({
      method: 'POST',
      url: `/api/devices/${SN}/commands`,
      payload: payload as object,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  const calLines = (): string[] => board.received.filter((l) => l.startsWith('CAL '));

  it('sends CAL with its ref at the gas\'s decimals and answers with the board\'s calibration count', async () => {
    const a = await start();
    const res = await post(a, { op: 'cal', gas: 'o2', point: 'span', ref: 20.95 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ commandId: expect.any(Number), outcome: 'ack', cal: 1 });
    const sent = decodeFrame(calLines()[0]!);
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    expect(sent.frame.fields.map(([k]) => k)).toEqual(['id', 'gas', 'point', 'ref']);
    expect(field(sent.frame, 'id')).toBe(String(res.json().commandId));
    expect([field(sent.frame, 'gas'), field(sent.frame, 'point'), field(sent.frame, 'ref')]).toEqual(['o2', 'span', '20.95']);

    const zero = await post(a, { op: 'cal', gas: 'co2', point: 'zero', ref: 0 });
    expect(zero.json()).toMatchObject({ outcome: 'ack', cal: 2 });
    expect(calLines()[1]).toMatch(/^CAL id=\d+ gas=co2 point=zero ref=0\.000\*[0-9A-F]{4}$/);
    const factory = await post(a, { op: 'cal', gas: 'co2', point: 'factory' });
    expect(factory.json()).toMatchObject({ outcome: 'ack', cal: 3 });
    expect(calLines()[2]).toMatch(/^CAL id=\d+ gas=co2 point=factory\*[0-9A-F]{4}$/);

    const audit = a.store.db.prepare("SELECT op, args, outcome FROM commands WHERE op = 'cal' ORDER BY id").all();
    expect(audit).toEqual([
      { op: 'cal', args: JSON.stringify({ gas: 'o2', point: 'span', ref: 20.95 }), outcome: 'ack' },
      { op: 'cal', args: JSON.stringify({ gas: 'co2', point: 'zero', ref: 0 }), outcome: 'ack' },
      { op: 'cal', args: JSON.stringify({ gas: 'co2', point: 'factory' }), outcome: 'ack' },
    ]);
  });

  it('answers the board\'s NAK with 409 and its code', async () => {
    const a = await start();
    board.answerCal = 'E_SENSOR';
    const res = await post(a, { op: 'cal', gas: 'o2', point: 'zero', ref: 0 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_COMMAND_NAK', details: { boardCode: 'E_SENSOR' } });
  });

  it('never retries a CAL: one attempt, then 504', async () => {
    const a = await start();
    board.answerCal = 'silent';
    const pending = post(a, { op: 'cal', gas: 'o2', point: 'span', ref: 20.95 });
    await until(() => calLines().length === 1, 'the CAL sent');
    clock.advance(2000);
    const res = await pending;
    expect(res.statusCode).toBe(504);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_COMMAND_TIMEOUT', details: { attempts: 1 } });
    clock.advance(10_000);
    expect(calLines()).toHaveLength(1);
    const audit = a.store.db.prepare("SELECT retry_of AS retryOf, outcome FROM commands WHERE op = 'cal'").all();
    expect(audit).toEqual([{ retryOf: null, outcome: 'timeout' }]);
    // The queue moved on.
    board.answerCal = 'ack';
    expect((await post(a, { op: 'cal', gas: 'o2', point: 'factory' })).statusCode).toBe(200);
  });

  it.each([
    [{ op: 'cal', gas: 'o2', point: 'span' }, 'ref'],
    [{ op: 'cal', gas: 'o2', point: 'factory', ref: 1 }, 'ref'],
    [{ op: 'cal', gas: 'n2', point: 'zero', ref: 0 }, 'gas'],
    [{ op: 'cal', gas: 'o2', point: 'half', ref: 0 }, 'point'],
    [{ op: 'cal', point: 'zero', ref: 0 }, 'gas'],
    [{ op: 'cal', gas: 'o2', point: 'zero', ref: -1 }, 'ref'],
    [{ op: 'cal', gas: 'o2', point: 'span', ref: 20.951 }, 'ref'],
    [{ op: 'cal', gas: 'co2', point: 'span', ref: 1.0005 }, 'ref'],
    [{ op: 'cal', gas: 'o2', point: 'zero', ref: 0, valve: 'n2' }, 'valve'],
    [{ op: 'set_valve', valve: 'n2', on: true, gas: 'o2' }, 'gas'],
  ])('rejects the bad body %j with 400 BRIDGE_ERR_BAD_BODY naming "%s"', async (payload, fieldName) => {
    const a = await start();
    const res = await post(a, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BRIDGE_ERR_BAD_BODY', field: fieldName });
    expect(calLines()).toHaveLength(0);
  });

  it('needs an operator: a viewer gets 403, an operator 200', async () => {
    const a = await start({
      mode: 'tokens',
      tokens: [
        { name: 'otto', role: 'operator', token: OPERATOR },
        { name: 'vera', role: 'viewer', token: VIEWER },
      ],
    });
    const body = { op: 'cal', gas: 'o2', point: 'span', ref: 20.95 };
    expect((await post(a, body)).statusCode).toBe(401);
    const viewer = await post(a, body, VIEWER);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().code).toBe('BRIDGE_ERR_FORBIDDEN');
    expect(calLines()).toHaveLength(0);
    const ok = await post(a, body, OPERATOR);
    expect(ok.statusCode).toBe(200);
    const row = a.store.db.prepare("SELECT actor FROM commands WHERE op = 'cal'").get();
    expect(row).toEqual({ actor: 'otto' });
  });
});
