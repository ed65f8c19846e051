/**
 * Nothing lost, in memory: the bridge on the fault-injecting binding over serialport's mock binding, a
 * TypeScript board that keeps measuring while unplugged, and a manual clock for the reconnect backoff.
 */

import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { FaultInjector } from '../../bridge/index.js';
import { FakeBoard, moveFakeBoard } from '../helpers/fake-board.js';
import { fakeBench, settled as settledBench } from '../helpers/fake-bench.js';
import { until } from '../helpers/wait.js';

const PATH = '/dev/fake-gb-01';
const SN = 'GB-0001';

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('reconnect and replay on the fault-injecting mock binding', () => {
  let app: FastifyInstance | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function bench(board: FakeBoard, opts: { emptyPaths?: string[]; ports?: string[] } = {}) {
    const made = await fakeBench(board, opts);
    app = made.app;
    return made;
  }

  const settled = (a: FastifyInstance): Promise<void> => settledBench(a, SN);

  /** Sends one reading that the link swallows whole. */
  async function lostOnTheWire(board: FakeBoard, faults: FaultInjector): Promise<void> {
    const before = faults.stats(PATH).droppedBytes;
    faults.set(PATH, { read: { dropRate: 1 } });
    board.sendReading();
    await until(() => faults.stats(PATH).droppedBytes > before, 'the reading dropped');
    faults.set(PATH, {});
  }

  function state(a: FastifyInstance): string | undefined {
    return a.devices.get(SN)?.state;
  }

  it('goes lost on unplug, reopens with doubling backoff on the clock, and replays the gap exactly', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { clock, faults, app: a } = await bench(board);
    for (let i = 0; i < 3; i++) board.sendReading();
    await until(() => a.store.readings.count(SN) === 3, '3 readings stored');

    faults.unplug(PATH);
    await until(() => state(a) === 'lost', 'lost');
    expect(board.connected).toBe(false);
    for (let i = 0; i < 10; i++) board.measure(); // seq 4..13 measured while nobody listens

    // Reopen attempts fail while unplugged: 250 ms, then 500 ms, then 1000 ms.
    clock.advance(250);
    await until(() => a.store.db.prepare("SELECT count(*) AS n FROM events WHERE kind = 'link.open_failed'").get() !== undefined &&
      (a.store.db.prepare("SELECT count(*) AS n FROM events WHERE kind = 'link.open_failed'").get() as { n: number }).n === 1, 'first reopen failed');
    clock.advance(499);
    expect(state(a)).toBe('lost');
    const retries = a.store.db.prepare("SELECT detail FROM events WHERE kind = 'link.open_failed'").all() as Array<{ detail: string }>;
    expect(JSON.parse(retries[0]!.detail).retryInMs).toBe(500);

    faults.replug(PATH);
    clock.advance(1);
    await until(() => state(a) === 'open', 'open again');
    await settled(a);
    board.sendReading(); // seq 14, live
    await until(() => a.store.readings.count(SN) === 14, '14 readings stored');
    await settled(a);

    expect(a.store.readings.seqsStored(SN, 1)).toEqual(range(1, 14));
    expect(a.store.readings.gaps(SN)).toEqual([]);
    const replays = board.received.filter((l) => l.startsWith('REPLAY '));
    expect(replays).toHaveLength(1);
    expect(replays[0]).toMatch(/^REPLAY id=\d+ from=4 to=13\*/);
    expect(a.devices.get(SN)!.counters.stored).toBe(14);
    // The replayed readings carry the time the board measured them.
    const r13 = a.store.readings.query({ deviceId: SN, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 100 }).find((r) => r.seq === 13)!;
    const r14 = a.store.readings.query({ deviceId: SN, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 100 }).find((r) => r.seq === 14)!;
    expect(r14.measuredAtMs - r13.measuredAtMs).toBe(1000);
  });

  it('stores the part of a gap the board no longer holds as a lost gap and an event, never in silence', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN, ringSize: 5 });
    const { clock, faults, app: a } = await bench(board);
    for (let i = 0; i < 3; i++) board.sendReading();
    await until(() => a.store.readings.count(SN) === 3, '3 stored');
    faults.unplug(PATH);
    await until(() => state(a) === 'lost', 'lost');
    for (let i = 0; i < 20; i++) board.measure(); // 4..23; the ring keeps 19..23
    faults.replug(PATH);
    clock.advance(250);
    await until(() => state(a) === 'open', 'open');
    await settled(a);

    expect(a.store.readings.seqsStored(SN, 1)).toEqual([...range(1, 3), ...range(19, 23)]);
    expect(a.store.readings.gaps(SN)).toMatchObject([{ boot: 1, fromSeq: 4, toSeq: 18, state: 'lost' }]);
    const ev = a.store.db.prepare("SELECT detail FROM events WHERE kind = 'readings.gap'").all() as Array<{ detail: string }>;
    expect(ev.map((e) => JSON.parse(e.detail))).toMatchObject([{ boot: 1, fromSeq: 4, toSeq: 18 }]);
  });

  it('keeps every reading exactly once through dropped, corrupted and duplicated bytes', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN, ringSize: 1024 });
    const { faults, app: a } = await bench(board);
    faults.set(PATH, { read: { dropRate: 0.001, corruptRate: 0.001, duplicateRate: 0.001 } });
    for (let i = 0; i < 400; i++) board.sendReading();
    await until(() => a.devices.get(SN)!.counters.frames + a.devices.get(SN)!.counters.rejected >= 300, 'lines through');
    await settled(a);
    faults.set(PATH, {});
    board.sendReading(); // a clean live reading shows any gap at the very end
    await settled(a);
    await until(() => a.store.readings.count(SN) === 401, 'all 401 stored', 500_000);

    const stats = faults.stats(PATH);
    expect(stats.droppedBytes + stats.corruptedBytes + stats.duplicatedBytes).toBeGreaterThan(10);
    expect(a.devices.get(SN)!.counters.rejected).toBeGreaterThan(0);
    expect(a.store.readings.seqsStored(SN, 1)).toEqual(range(1, 401));
    expect(a.store.readings.gaps(SN, 'lost')).toEqual([]);
  });

  it('recognises the board by serial number when it comes back on another path', async () => {
    const OTHER = '/dev/fake-gb-99';
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { clock, faults, app: a } = await bench(board, { emptyPaths: [OTHER], ports: [PATH, OTHER] });
    board.sendReading();
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 2, '2 stored');
    faults.unplug(PATH);
    await until(() => state(a) === 'lost', 'lost');
    board.measure(); // seq 3 while moving
    moveFakeBoard(board, OTHER);
    clock.advance(2000); // the bridge says HELLO again on the other path, which now has a board behind it
    await until(() => state(a) === 'open', 'open on the other path');
    await settled(a);
    board.sendReading(); // seq 4
    await until(() => a.store.readings.count(SN) === 4, '4 stored');

    const devices = a.devices.list();
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ id: SN, path: OTHER, state: 'open' });
    expect(a.store.readings.seqsStored(SN, 1)).toEqual([1, 2, 3, 4]);
    const moved = a.store.db.prepare("SELECT detail FROM events WHERE kind = 'device.moved'").get() as { detail: string };
    expect(JSON.parse(moved.detail)).toEqual({ from: PATH, to: OTHER });
  });

  it('files a new board boot under a new power-up, and gives up the old power-up\u2019s unreplayed gap as lost', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN, boot: 7 });
    const { clock, faults, app: a } = await bench(board);
    board.sendReading();
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 2, '2 stored');
    // A gap on the live stream that cannot be filled before the link goes: seq 3 is lost on the wire.
    // Seq 3 is lost on the wire, and the REPLAY for it never reaches the board before the link goes.
    await lostOnTheWire(board, faults);
    faults.set(PATH, { write: { dropRate: 1 } });
    board.sendReading(); // seq 4 shows the jump
    await until(() => a.store.readings.count(SN) === 3 && a.store.readings.gaps(SN, 'open').length === 1, 'gap 3 open');
    faults.set(PATH, {});
    faults.unplug(PATH);
    await until(() => state(a) === 'lost', 'lost');
    board.powerCycle(); // boot 8, seq from 1 again
    board.measure();
    faults.replug(PATH);
    clock.advance(250);
    await until(() => state(a) === 'open', 'open');
    await settled(a);
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 5, '5 stored');
    // The bench numbers power-ups itself; the board's boot counter (7, then 8) is kept beside them.
    expect(a.devices.bootOf(SN)).toBe(2);
    expect(a.store.devices.powerUps(SN)).toMatchObject([
      { powerUp: 1, boardBoot: 7, state: 'seen' },
      { powerUp: 2, boardBoot: 8, state: 'seen', reason: 'board boot 7 → 8' },
    ]);
    expect(a.store.readings.seqsStored(SN, 2)).toEqual([1, 2]);
    expect(a.store.readings.seqsStored(SN, 1)).toEqual([1, 2, 4]);
    expect(a.store.readings.gaps(SN)).toMatchObject([{ boot: 1, fromSeq: 3, toSeq: 3, state: 'lost' }]);
    expect(a.store.readings.gaps(SN, 'open')).toEqual([]);
  });

  it('infers a new boot from the board clock when ID carries no boot', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN, boot: undefined, boardMs: 50_000 });
    const { clock, faults, app: a } = await bench(board);
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 1, '1 stored');
    faults.unplug(PATH);
    await until(() => state(a) === 'lost', 'lost');
    board.powerCycle(1000);
    faults.replug(PATH);
    clock.advance(250);
    await until(() => state(a) === 'open', 'open');
    await settled(a);
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 2, '2 stored');
    expect(a.devices.bootOf(SN)).toBe(2);
    expect(a.store.readings.seqsStored(SN, 2)).toEqual([1]);
  });

  it('gives a gap up as lost when the board cannot replay (NAK E_UNKNOWN), as older firmware', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN, replay: false });
    const { faults, app: a } = await bench(board);
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 1, '1 stored');
    await lostOnTheWire(board, faults);
    board.sendReading();
    await until(() => a.store.readings.count(SN) === 2, '2 stored');
    await settled(a);
    expect(a.store.readings.gaps(SN)).toMatchObject([{ fromSeq: 2, toSeq: 2, state: 'lost' }]);
  });

  it('counts a flood of 10,000 garbage lines and keeps serving', async () => {
    const board = new FakeBoard(PATH, { serialNumber: SN });
    const { app: a } = await bench(board);
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      lines.push(i % 3 === 0 ? `noise ${i} \x00\xff` : i % 3 === 1 ? `RD seq=${i} t=1 o2=1 co2=1 temp=1*0000` : 'Z'.repeat(200));
    }
    board.sendRaw(`${lines.join('\n')}\n`);
    board.sendReading();
    await until(() => a.devices.get(SN)!.counters.rejected === 10_000 && a.store.readings.count(SN) === 1, 'flood counted', 2_000_000);
    const health = await a.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().totals.rejected).toBe(10_000);
    const cmd = await a.inject({ method: 'POST', url: `/api/devices/${SN}/commands`, payload: { op: 'set_valve', valve: 'n2', on: true } });
    expect(cmd.statusCode).toBe(200);
  });
});
