/**
 * Alarms raise, clear and notify, on reading times: thresholds, the person-safety alarm, stale sensors,
 * calibration, the calibration-gas bottle and manual control measurements. Notifications go to a local
 * HTTP receiver (webhook and SMS gateway) and a local SMTP sink (smtp-server), both on 127.0.0.1.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../bridge/index.js';
import { FakeBoard, fakeBoardBinding } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until } from '../helpers/wait.js';
import { openApp } from '../helpers/fake-bench.js';

const PATH = '/dev/fake-gb-01';
const SN = 'GB-0001';
const CELL = 'cell-1';

interface Posted {
  path: string;
  body: { event?: string; alarm?: { kind: string; id: number }; to?: string; text?: string };
}

describe('alarms and notifications', () => {
  let http: Server;
  let smtp: SMTPServer;
  let httpUrl: string;
  let smtpPort: number;
  const posted: Posted[] = [];
  const mails: string[] = [];
  let app: FastifyInstance | undefined;
  let clock: ManualClock;
  let board: FakeBoard;

  beforeAll(async () => {
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posted.push({ path: req.url ?? '', body: JSON.parse(body) as Posted['body'] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, cb) {
        let text = '';
        stream.on('data', (c: Buffer) => (text += c.toString()));
        stream.on('end', () => {
          mails.push(text);
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    posted.length = 0;
    mails.length = 0;
  });

  async function start(minSeverity?: 'warning' | 'critical'): Promise<FastifyInstance> {
    clock = new ManualClock();
    board = new FakeBoard(PATH, { serialNumber: SN, boardMs: 5000 });
    app = buildApp({
      ports: [{ path: PATH }],
      binding: fakeBoardBinding([board]),
      dbPath: ':memory:',
      clock,
      cells: [{ id: CELL, deviceId: SN, alarms: { o2LowKpa: 1.0, co2HighKpa: 2.5, staleAfterMs: 5000 } }],
      notifications: {
        webhooks: [`${httpUrl}/hook`],
        email: { host: '127.0.0.1', port: smtpPort, ignoreTLS: true, from: 'bench@example.test', to: ['duty@example.test'] },
        sms: { gatewayUrl: `${httpUrl}/sms`, to: ['+31600000000'] },
        ...(minSeverity ? { minSeverity } : {}),
      },
    });
    await openApp(app, SN);
    return app;
  }

  async function reading(a: FastifyInstance, values: { o2?: string; co2?: string; temp?: string }): Promise<number> {
    const seq = board.sendReading(values);
    await until(() => a.store.readings.maxSeq(SN, 1) >= seq, `reading ${seq} stored`);
    return a.store.readings.query({ deviceId: SN, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 10_000 }).find((r) => r.seq === seq)!.measuredAtMs;
  }

  async function active(a: FastifyInstance): Promise<Array<{ id: number; kind: string; severity: string; raisedAtMs: number; ackedBy: string | null }>> {
    return (await a.inject({ method: 'GET', url: `/api/alarms?cell=${CELL}` })).json().alarms;
  }

  it('raises O2 low at the reading\u2019s time, notifies by webhook, e-mail and SMS, and clears with hysteresis', async () => {
    const a = await start();
    clock.advance(600_000); // the bridge clock runs on; the alarm must carry the reading's time, not this
    await reading(a, { o2: '1.20' });
    expect(await active(a)).toEqual([]);
    const lowAt = await reading(a, { o2: '0.80' });
    const [alarm] = await active(a);
    expect(alarm).toMatchObject({ kind: 'o2_low', severity: 'critical', raisedAtMs: lowAt });
    expect(lowAt).not.toBe(clock.now());
    await a.notifier.idle();
    expect(posted.find((p) => p.path === '/hook')?.body).toMatchObject({ event: 'alarm.raised', alarm: { kind: 'o2_low', id: alarm!.id } });
    expect(posted.find((p) => p.path === '/sms')?.body).toMatchObject({ to: '+31600000000', text: expect.stringContaining('o2_low') });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Subject: [cellbench] RAISED critical o2_low in cell-1');
    expect(mails[0]).toContain('To: duty@example.test');

    await reading(a, { o2: '1.05' }); // above 1.0 but inside the 0.1 kPa hysteresis: still active
    expect(await active(a)).toHaveLength(1);
    const ack = await a.inject({ method: 'POST', url: `/api/alarms/${alarm!.id}/ack` });
    expect(ack.json()).toMatchObject({ ackedBy: 'open-bench', state: 'active' });
    const clearAt = await reading(a, { o2: '1.15' });
    expect(await active(a)).toEqual([]);
    const all = (await a.inject({ method: 'GET', url: `/api/alarms?state=all` })).json().alarms;
    expect(all[0]).toMatchObject({ id: alarm!.id, state: 'cleared', clearedAtMs: clearAt });
    await a.notifier.idle();
    expect(posted.filter((p) => p.path === '/hook').map((p) => p.body.event)).toEqual(['alarm.raised', 'alarm.cleared']);
    expect(mails).toHaveLength(2);
    const sent = a.store.alarms.notifications(alarm!.id) as Array<{ channel: string; outcome: string }>;
    expect(sent.map((n) => `${n.channel}:${n.outcome}`).sort()).toEqual(['email:sent', 'email:sent', 'sms:sent', 'sms:sent', 'webhook:sent', 'webhook:sent']);
  });

  it('raises the person-safety alarm for an open door at low O2, refuses to acknowledge it, and always notifies', async () => {
    const a = await start('critical');
    await reading(a, { o2: '20.90' });
    expect((await a.inject({ method: 'PUT', url: `/api/cells/${CELL}/door`, payload: { open: true } })).statusCode).toBe(200);
    expect(await active(a)).toEqual([]); // door open in air: fine
    const lowAt = await reading(a, { o2: '15.00' });
    const [safety] = await active(a);
    expect(safety).toMatchObject({ kind: 'door_open_low_o2', severity: 'safety', raisedAtMs: lowAt });
    const ack = await a.inject({ method: 'POST', url: `/api/alarms/${safety!.id}/ack` });
    expect(ack.statusCode).toBe(409);
    expect(ack.json().code).toBe('BRIDGE_ERR_ALARM_SAFETY');
    await a.notifier.idle();
    expect(posted.find((p) => p.path === '/hook')?.body).toMatchObject({ alarm: { kind: 'door_open_low_o2' } });
    expect(mails[0]).toContain('RAISED safety door_open_low_o2');

    // Issue 9: it latches. A closed door alone does not clear it (a person may be inside); a plausible O2
    // above the limit and an operator's reset do (test/bridge/safety-alarm.test.ts).
    await a.inject({ method: 'PUT', url: `/api/cells/${CELL}/door`, payload: { open: false } });
    expect((await active(a)).map((x) => x.kind)).toEqual(['door_open_low_o2']);
    await reading(a, { o2: '20.90' });
    expect((await a.inject({ method: 'POST', url: `/api/alarms/${safety!.id}/reset` })).json()).toMatchObject({ state: 'cleared', ackedBy: 'open-bench' });
    expect(await active(a)).toEqual([]);
  });

  it('treats an unknown O2 as unsafe when the door opens (fail-safe)', async () => {
    const a = await start();
    await reading(a, { o2: 'NA' });
    await a.inject({ method: 'PUT', url: `/api/cells/${CELL}/door`, payload: { open: true } });
    expect((await active(a)).map((x) => x.kind)).toContain('door_open_low_o2');
  });

  it('raises sensor stale after staleAfterMs of reading time without a valid value', async () => {
    const a = await start();
    await reading(a, { o2: '5.00' });
    for (let i = 0; i < 5; i++) await reading(a, { o2: 'NA' }); // 5 s of board time
    expect((await active(a)).map((x) => x.kind)).not.toContain('sensor_stale');
    await reading(a, { o2: 'NA' }); // 6 s since the last valid O2
    expect((await active(a)).map((x) => x.kind)).toContain('sensor_stale');
    await reading(a, { o2: '5.00' });
    expect((await active(a)).map((x) => x.kind)).not.toContain('sensor_stale');
  });

  it('raises calibration due at the first reading past the due time, and bottle low from its pressure', async () => {
    const a = await start();
    const t = await reading(a, { o2: '5.00' });
    const cal = await a.inject({ method: 'PUT', url: `/api/cells/${CELL}/calibration`, payload: { calibratedAt: String(t - 86_400_000 + 1500), intervalDays: 1 } });
    expect(cal.json().dueAtMs).toBe(t + 1500);
    await reading(a, { o2: '5.00' }); // t + 1000: not yet
    expect((await active(a)).map((x) => x.kind)).not.toContain('calibration_due');
    await reading(a, { o2: '5.00' }); // t + 2000: due
    expect((await active(a)).map((x) => x.kind)).toContain('calibration_due');

    await a.inject({ method: 'PUT', url: `/api/cells/${CELL}/cal-gas`, payload: { bottleBar: 12 } });
    expect((await active(a)).map((x) => x.kind)).toContain('cal_gas_low');
    await a.inject({ method: 'PUT', url: `/api/cells/${CELL}/cal-gas`, payload: { bottleBar: 150 } });
    expect((await active(a)).map((x) => x.kind)).not.toContain('cal_gas_low');
  });

  it('compares a manual control measurement with the sensor at that moment and raises calibration drift', async () => {
    const a = await start();
    const t1 = await reading(a, { o2: '20.90', co2: '0.040', temp: '1.50' });
    await reading(a, { o2: '20.50', co2: '0.040', temp: '1.50' });
    // A handheld reading taken at t1 compares with the reading of t1, not the newest one.
    const res = await a.inject({ method: 'POST', url: `/api/cells/${CELL}/manual-measurements`, payload: { measuredAt: String(t1), o2Kpa: 20.2, tempC: 1.6 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ measurement: { sensorSeq: 1, sensorO2Kpa: 20.9, enteredBy: 'open-bench' }, difference: { o2Kpa: -0.7, co2Kpa: null, tempC: 0.1 } });
    expect((await active(a)).map((x) => x.kind)).toContain('calibration_drift');

    const ok = await a.inject({ method: 'POST', url: `/api/cells/${CELL}/manual-measurements`, payload: { measuredAt: new Date(t1 + 1000).toISOString(), o2Kpa: 20.45 } });
    expect(ok.json().drifted).toEqual([]);
    expect((await active(a)).map((x) => x.kind)).not.toContain('calibration_drift');
    const list = (await a.inject({ method: 'GET', url: `/api/cells/${CELL}/manual-measurements` })).json().measurements;
    expect(list).toHaveLength(2);

    const none = await a.inject({ method: 'POST', url: `/api/cells/${CELL}/manual-measurements`, payload: { measuredAt: '1000', o2Kpa: 20 } });
    expect(none.json().code).toBe('BRIDGE_ERR_NO_SENSOR_READING');
    const empty = await a.inject({ method: 'POST', url: `/api/cells/${CELL}/manual-measurements`, payload: { note: 'nothing measured' } });
    expect(empty.json().code).toBe('BRIDGE_ERR_BAD_BODY');
  });
});
