/**
 * Nothing lost, nothing spliced (issue 9): the bench decides what a power-up is, checks doubtful sequence
 * numbers with STATUS before it believes them, greets a board that went silent again, flags impossible
 * values, and keeps its counters and records across restarts. On the fault-injecting mock binding with a
 * TypeScript board and a manual clock; the real firmware over PTYs is in test/e2e/demo-restart.test.ts.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { FakeBoard } from '../helpers/fake-board.js';
import { fakeBench, settled as settledBench } from '../helpers/fake-bench.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until, waitForEvent } from '../helpers/wait.js';

const PATH = '/dev/fake-gb-01';
const SN = 'GB-0001';

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('power-ups, doubtful frames and silent boards', () => {
  const apps: FastifyInstance[] = [];
  let dir: string | undefined;

  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function dbFile(): string {
    dir ??= mkdtempSync(join(tmpdir(), 'cellbench-powerups-'));
    return join(dir, 'bench.sqlite');
  }

  async function bench(board: FakeBoard, opts: { clock?: ManualClock; dbPath?: string } = {}) {
    const made = await fakeBench(board, { ...opts, seed: 9 });
    apps.push(made.app);
    return made;
  }

  const settled = (a: FastifyInstance): Promise<void> => settledBench(a, SN);

  async function close(a: FastifyInstance): Promise<void> {
    apps.splice(apps.indexOf(a), 1);
    await a.close();
  }

  function events(a: FastifyInstance, kind: string): Array<Record<string, unknown>> {
    return (a.store.db.prepare('SELECT detail FROM events WHERE kind = ? ORDER BY id').all(kind) as Array<{ detail: string }>).map(
      (e) => JSON.parse(e.detail) as Record<string, unknown>,
    );
  }

  it('a bridge restarted on the same database with a board that reports the same boot again files its readings under a new power-up', async () => {
    const db = dbFile();
    const clock = new ManualClock();
    const first = new FakeBoard(PATH, { serialNumber: SN, boot: 1 });
    const run1 = await bench(first, { clock, dbPath: db });
    for (let i = 0; i < 4; i++) first.sendReading();
    await until(() => run1.app.store.readings.count(SN) === 4, 'run 1 stored');
    await close(run1.app);

    // A second demo: the same serial number, a fresh EEPROM (boot 1 again), its clock and seqs from the start.
    clock.advance(60_000);
    const second = new FakeBoard(PATH, { serialNumber: SN, boot: 1 });
    const run2 = await bench(second, { clock, dbPath: db });
    for (let i = 0; i < 3; i++) second.sendReading();
    await until(() => run2.app.store.readings.count(SN) === 7, 'both runs stored');

    const a = run2.app;
    expect(a.store.readings.seqsStored(SN, 1)).toEqual([1, 2, 3, 4]);
    expect(a.store.readings.seqsStored(SN, 2)).toEqual([1, 2, 3]);
    const res = (await a.inject({ method: 'GET', url: `/api/devices/${SN}/power-ups` })).json();
    expect(res.powerUps).toMatchObject([
      { powerUp: 1, boardBoot: 1, state: 'seen' },
      { powerUp: 2, boardBoot: 1, state: 'seen' },
    ]);
    expect(res.powerUps[1].reason).toMatch(/behind its last stored reading/);
    expect(events(a, 'power_up.new').map((e) => e.powerUp)).toEqual([1, 2]);
    const dev = (await a.inject({ method: 'GET', url: `/api/devices/${SN}` })).json();
    expect(dev).toMatchObject({ powerUp: 2, boardBoot: 1 });

    // The CSV keeps the two runs apart by power-up (its `boot` column) instead of splicing them.
    const csv = (await a.inject({ method: 'GET', url: `/api/cells/${SN}/readings.csv` })).body.trim().split('\n').slice(1);
    expect(csv.map((l) => l.split(',').slice(2, 4).join(':'))).toEqual(['1:1', '1:2', '1:3', '1:4', '2:1', '2:2', '2:3']);
  });

  it('a control measurement taken after a restart is not compared with the previous run\u2019s reading', async () => {
    const db = dbFile();
    const clock = new ManualClock();
    const first = new FakeBoard(PATH, { serialNumber: SN, boot: 1 });
    const run1 = await bench(first, { clock, dbPath: db });
    for (let i = 0; i < 3; i++) first.sendReading({ o2: '20.90' });
    await until(() => run1.app.store.readings.count(SN) === 3, 'run 1 stored');
    await close(run1.app);

    clock.advance(3_600_000); // an hour later the cell is at 2 kPa and a fresh run starts
    const second = new FakeBoard(PATH, { serialNumber: SN, boot: 1 });
    const run2 = await bench(second, { clock, dbPath: db });
    const a = run2.app;
    // Taken now, before the new run's first reading: the only older reading is the previous run's.
    const early = await a.inject({ method: 'POST', url: `/api/cells/${SN}/manual-measurements`, payload: { o2Kpa: 2 } });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('BRIDGE_ERR_NO_SENSOR_READING');
    expect((await a.inject({ method: 'GET', url: '/api/alarms?state=active' })).json().alarms).toEqual([]);

    second.sendReading({ o2: '2.05' });
    await until(() => a.store.readings.count(SN) === 4, 'run 2 stored');
    clock.advance(2000);
    const later = await a.inject({ method: 'POST', url: `/api/cells/${SN}/manual-measurements`, payload: { o2Kpa: 2 } });
    expect(later.statusCode).toBe(201);
    expect(later.json()).toMatchObject({ measurement: { sensorO2Kpa: 2.05 }, drifted: [] });
  });

  it('a board whose clock is past its last reading but that powered up after it was measured is a new power-up', async () => {
    const db = dbFile();
    const clock = new ManualClock();
    const first = new FakeBoard(PATH, { serialNumber: SN, boot: undefined });
    const run1 = await bench(first, { clock, dbPath: db });
    for (let i = 0; i < 3; i++) first.sendReading(); // t = 6000..8000 board ms
    await until(() => run1.app.store.readings.count(SN) === 3, 'run 1 stored');
    await close(run1.app);

    clock.advance(600_000); // ten minutes later a board without a boot counter has been up 20 s
    const second = new FakeBoard(PATH, { serialNumber: SN, boot: undefined, boardMs: 20_000 });
    const run2 = await bench(second, { clock, dbPath: db });
    second.sendReading();
    await until(() => run2.app.store.readings.count(SN) === 4, 'run 2 stored');
    expect(run2.app.store.readings.seqsStored(SN, 2)).toEqual([1]);
    expect(run2.app.store.devices.powerUps(SN)[1]!.reason).toMatch(/powered up \d+ s after its last stored reading/);
  });

  it('a reconnect of the same power-up goes on under it, across a bridge restart', async () => {
    const db = dbFile();
    const clock = new ManualClock();
    const board = new FakeBoard(PATH, { serialNumber: SN, boot: 5 });
    const run1 = await bench(board, { clock, dbPath: db });
    for (let i = 0; i < 3; i++) board.sendReading();
    await until(() => run1.app.store.readings.count(SN) === 3, 'run 1 stored');
    await close(run1.app);
    for (let i = 0; i < 4; i++) board.measure(); // measured while no bridge listens
    clock.advance(4000);
    const run2 = await bench(board, { clock, dbPath: db });
    board.sendReading();
    await until(() => run2.app.store.readings.count(SN) === 8, 'every seq stored');
    expect(run2.app.store.devices.powerUps(SN)).toHaveLength(1);
    expect(run2.app.store.readings.seqsStored(SN, 1)).toEqual(range(1, 8));
  });

  it('board boots the bench never saw are recorded as a lost power-up with its reason', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN, boot: 1 });
    const { clock, faults, app: a } = await bench(board);
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 1, '1 stored');
    faults.unplug(PATH);
    await until(() => a.devices.get(SN)?.state === 'lost', 'lost');
    board.powerCycle(); // boot 2, shorter than the backoff
    board.powerCycle(); // boot 3
    board.powerCycle(); // boot 4: this one the bench sees
    faults.replug(PATH);
    clock.advance(250);
    await until(() => a.devices.get(SN)?.state === 'open', 'open');
    await settled(a);
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 2, '2 stored');

    const res = (await a.inject({ method: 'GET', url: `/api/devices/${SN}/power-ups` })).json();
    expect(res.powerUps).toMatchObject([
      { powerUp: 1, boardBoot: 1, state: 'seen' },
      { powerUp: 2, boardBoot: 2, boardBootLast: 3, state: 'lost' },
      { powerUp: 3, boardBoot: 4, state: 'seen' },
    ]);
    expect(res.powerUps[1].reason).toMatch(/boots 2–3 were never seen/);
    expect(events(a, 'power_up.lost')).toMatchObject([{ boardBoots: [2, 3] }]);
    expect(a.devices.get(SN)!.counters).toMatchObject({ powerUps: 2, lostPowerUps: 1 });
    expect(a.store.readings.seqsStored(SN, 3)).toEqual([1]);
  });

  it('a board that restarted unnoticed shows as a conflict; STATUS confirms it and its readings go under a new power-up', async () => {
    const clock = new ManualClock();
    const first = new FakeBoard(PATH, { serialNumber: SN, boot: 1 });
    const { faults, app: a } = await bench(first, { clock });
    // (one board object: it restarts in place)
    for (let i = 0; i < 3; i++) first.sendReading(); // seq 1..3 at t 6000..8000
    await until(() => a.store.readings.count(SN) === 3, '3 stored');
    faults.unplug(PATH);
    await until(() => a.devices.get(SN)?.state === 'lost', 'lost');
    // The board restarted with its EEPROM lost (boot 1 again) right after its last reading, and has been up
    // 9 s when the link is back: its clock is past 8000 and its start lies before the last reading, so the
    // handshake cannot tell.
    first.boot = 0;
    first.powerCycle(9000); // boot 1 again, seq from 1, board clock at 9000 ms
    first.measure(); // seq 1 at t=10000, in the ring before the link is back
    faults.replug(PATH);
    clock.advance(250);
    await until(() => a.devices.get(SN)?.state === 'open', 'open');
    await settled(a);
    first.sendReading(); // seq 2, live: collides with the stored seq 2 of power-up 1
    await until(() => a.store.readings.count(SN) === 5, 'new power-up stored');
    await settled(a);

    expect(a.store.readings.seqsStored(SN, 1)).toEqual([1, 2, 3]);
    expect(a.store.readings.seqsStored(SN, 2)).toEqual([1, 2]); // seq 1 replayed from the ring, seq 2 live
    const conflicts = (await a.inject({ method: 'GET', url: `/api/devices/${SN}/conflicts` })).json().conflicts;
    expect(conflicts).toMatchObject([{ boot: 1, seq: 2, stored: { boardMs: 7000 }, received: { boardMs: 11_000 }, resolution: 'filed under the new power-up 2' }]);
    expect(a.store.devices.powerUps(SN)[1]!.reason).toMatch(/STATUS .* shows the board restarted/);
    expect(a.devices.get(SN)!.counters.conflicts).toBe(1);
  });

  it('one frame that collides with a different stored reading is a recorded conflict, not a new power-up', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { app: a } = await bench(board);
    for (let i = 0; i < 5; i++) board.sendReading();
    await until(() => a.store.readings.count(SN) === 5, '5 stored');
    board.send({ type: 'RD', fields: [['seq', '2'], ['t', '7000'], ['o2', '3.00'], ['co2', '0.040'], ['temp', '1.50']] });
    await until(() => a.store.readings.conflicts(SN).length === 1, 'conflict recorded');
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 6, '6 stored');
    expect(a.store.devices.powerUps(SN)).toHaveLength(1);
    expect(a.store.readings.get(SN, 1, 2)!.o2Kpa).toBe(20.9);
    expect(a.store.readings.conflicts(SN)[0]).toMatchObject({ seq: 2, received: { o2Kpa: 3 } });
    expect(a.store.readings.conflicts(SN)[0]!.resolution).toMatch(/same power-up/);
    const ev = (await a.inject({ method: 'GET', url: `/api/events?device=${SN}&kind=reading.conflict` })).json().events;
    expect(ev).toHaveLength(1);
  });

  it('one RD seq=4294967295 is checked with STATUS, rejected, and does not switch off gap detection', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { faults, app: a } = await bench(board);
    for (let i = 0; i < 3; i++) board.sendReading();
    await until(() => a.store.readings.count(SN) === 3, '3 stored');
    board.send({ type: 'RD', fields: [['seq', '4294967295'], ['t', '9000'], ['o2', '20.90'], ['co2', '0.040'], ['temp', '1.50']] });
    await until(() => a.devices.get(SN)!.counters.rejected === 1, 'rejected after STATUS');
    expect(a.store.readings.seqsStored(SN, 1)).toEqual([1, 2, 3]);
    expect(a.store.readings.gaps(SN)).toEqual([]);
    expect(events(a, 'reading.implausible_seq')).toMatchObject([{ seq: 4294967295, statusSeq: 3 }]);

    // Gap detection still works: a reading lost on the wire is noticed and replayed.
    faults.set(PATH, { read: { dropRate: 1 } });
    board.sendReading(); // seq 4, lost
    await until(() => faults.stats(PATH).droppedBytes > 0, 'dropped');
    faults.set(PATH, {});
    board.sendReading(); // seq 5
    await until(() => a.store.readings.count(SN) === 5, 'seq 4 replayed');
    await settled(a);
    expect(a.store.readings.seqsStored(SN, 1)).toEqual(range(1, 5));
    expect(a.store.readings.gaps(SN)).toEqual([]);
  });

  it('a real jump past what seems plausible (lines lost on the wire) is confirmed by STATUS and replayed', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { faults, app: a } = await bench(board);
    for (let i = 0; i < 3; i++) board.sendReading();
    await until(() => a.store.readings.count(SN) === 3, '3 stored');
    faults.set(PATH, { read: { dropRate: 1 } });
    for (let i = 0; i < 100; i++) board.sendReading(); // 4..103 lost on the wire, in no time of the bridge's clock
    await until(() => faults.stats(PATH).droppedBytes > 0, 'dropped');
    faults.set(PATH, {});
    board.sendReading(); // 104
    await until(() => a.store.readings.count(SN) === 104, 'gap replayed', 2_000_000);
    await settled(a);
    expect(a.store.readings.seqsStored(SN, 1)).toEqual(range(1, 104));
    expect(a.devices.get(SN)!.counters.rejected).toBe(0);
  });

  it('a board that goes silent behind an open port is "silent", health is degraded, and HELLO greets it again', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { clock, faults, app: a } = await bench(board);
    for (let i = 0; i < 3; i++) {
      board.sendReading();
      clock.advance(1000);
    }
    await until(() => a.store.readings.count(SN) === 3, '3 stored');
    const hellosBefore = board.received.filter((l) => l.startsWith('HELLO ')).length;
    faults.set(PATH, { write: { dropRate: 1 } }); // the board hears nothing: it cannot answer HELLO yet
    clock.advance(5000); // more than 3 periods (3 × 1000 ms + 1 s) without a frame
    await until(() => a.devices.get(SN)?.state === 'silent', 'silent');
    const health = (await a.inject({ method: 'GET', url: '/api/health' })).json();
    expect(health.status).toBe('degraded');
    expect(health.problems).toEqual([`${SN} is "silent"`]);
    const cmd = await a.inject({ method: 'POST', url: `/api/devices/${SN}/commands`, payload: { op: 'set_valve', valve: 'n2', on: true } });
    expect(cmd.json().code).toBe('BRIDGE_ERR_DEVICE_NOT_OPEN');

    faults.set(PATH, {});
    clock.advance(2000); // the next HELLO gets through
    await until(() => a.devices.get(SN)?.state === 'open', 'open again');
    expect(board.received.filter((l) => l.startsWith('HELLO ')).length).toBeGreaterThan(hellosBefore);
    expect((await a.inject({ method: 'GET', url: '/api/health' })).json().status).toBe('ok');
    expect(events(a, 'link.silent')[0]!.reason).toMatch(/no frame for \d+ ms/);
  });

  it('an unsolicited ID (the board announcing a restart) is greeted with HELLO', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { app: a } = await bench(board);
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 1, '1 stored');
    const silent = waitForEvent(a.devices, 'device', (d: { state: string }) => d.state === 'silent');
    const hellos = board.received.filter((l) => l.startsWith('HELLO ')).length;
    board.send({
      type: 'ID',
      fields: [['id', '0'], ['kind', 'gasboard'], ['fw', '0.1.0'], ['sn', SN], ['proto', '1'], ['caps', 'o2,co2,temp'], ['t', '10'], ['boot', '2']],
    });
    await silent;
    await until(() => a.devices.get(SN)?.state === 'open', 'open again');
    expect(board.received.filter((l) => l.startsWith('HELLO ')).length).toBe(hellos + 1);
    expect(events(a, 'link.silent')[0]!.reason).toMatch(/unsolicited ID/);
  });

  it('stores impossible values flagged and counts them; a board time in the future is flagged too', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { clock, app: a } = await bench(board);
    board.sendReading({ o2: '-5.00' });
    board.sendReading({ o2: '999.00' });
    board.sendReading({ co2: '120.000', temp: '-60.00' });
    board.sendReading(); // plausible
    board.sendReading({}, 86_400_000); // measured a day after the bridge's now
    await until(() => a.store.readings.count(SN) === 5, '5 stored');
    void clock;
    const res = (await a.inject({ method: 'GET', url: `/api/devices/${SN}/readings` })).json();
    expect(res.readings.map((r: { flags: string[] }) => r.flags)).toEqual([
      ['o2_impossible'],
      ['o2_impossible'],
      ['co2_impossible', 'temp_impossible'],
      [],
      ['time_future'],
    ]);
    expect(res.readings[1].o2Kpa).toBe(999); // stored as it came, flagged
    const csv = (await a.inject({ method: 'GET', url: `/api/cells/${SN}/readings.csv` })).body.trim().split('\n').slice(1);
    expect(csv.map((l) => l.split(',').at(-2))).toEqual(['o2_impossible', 'o2_impossible', 'co2_impossible;temp_impossible', '', 'time_future']);
    expect(a.devices.get(SN)!.counters.flagged).toBe(4);
  });

  it('counts empty lines as rejected, so frames + rejected is every line sent', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { app: a } = await bench(board);
    const before = a.devices.get(SN)!.counters;
    board.sendRaw('\n\n\r\n');
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 1, '1 stored');
    const after = a.devices.get(SN)!.counters;
    expect(after.rejected - before.rejected).toBe(3);
    expect(after.frames - before.frames).toBe(1);
  });

  it('logs a rejected line once per kind, then a summary a minute on the clock', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { clock, app: a } = await bench(board);
    const logs: Array<[string, string]> = [];
    a.devices.on('log', (level, _ctx, message) => logs.push([level, message]));
    board.sendRaw(`${Array.from({ length: 500 }, (_, i) => `garbage ${i}`).join('\n')}\n`);
    board.sendRaw('RD seq=1 t=1 o2=1 co2=1 temp=1*0000\n'); // a bad checksum: another kind
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 1, 'reading after the garbage');
    expect(a.devices.get(SN)!.counters.rejected).toBe(501);
    expect(logs.filter(([l]) => l === 'warn')).toHaveLength(2);
    clock.advance(60_000);
    expect(logs.filter(([l, m]) => l === 'info' && /499 more E_SYNTAX lines/.test(m))).toHaveLength(1);
  });

  it('keeps device counters, gaps and events across a bridge restart', async () => {
    const db = dbFile();
    const clock = new ManualClock();
    const board = new FakeBoard(PATH, { serialNumber: SN, ringSize: 2 });
    const run1 = await bench(board, { clock, dbPath: db });
    board.sendRaw('junk\n');
    board.sendReading();
    await until(() => run1.app.store.readings.count(SN) === 1, 'stored');
    const counters1 = run1.app.devices.get(SN)!.counters;
    await close(run1.app);
    for (let i = 0; i < 5; i++) board.measure(); // seq 2..6; the ring keeps only 5 and 6
    clock.advance(1000);
    const run2 = await bench(board, { clock, dbPath: db });
    await until(() => run2.app.store.readings.count(SN) === 3, 'ring replayed');
    const counters2 = run2.app.devices.get(SN)!.counters;
    expect(counters2.rejected).toBe(counters1.rejected);
    expect(counters2.stored).toBe(counters1.stored + 2);
    expect(counters2.lostReadings).toBe(3);
    const gaps = (await run2.app.inject({ method: 'GET', url: `/api/devices/${SN}/gaps?state=lost` })).json().gaps;
    expect(gaps).toMatchObject([{ boot: 1, fromSeq: 2, toSeq: 4, state: 'lost' }]);
    const ev = (await run2.app.inject({ method: 'GET', url: `/api/events?device=${SN}&kind=link.&limit=3` })).json().events;
    expect(ev).toHaveLength(3);
    expect(ev[0].id).toBeGreaterThan(ev[1].id);
  });
});

