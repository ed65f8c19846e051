/**
 * Nothing lost over a real kernel PTY: the bridge on serialport's native binding, a TypeScript board on
 * the far end of a socat PTY pair, socat killed (the cable pulled) and started again at the same paths.
 * The bridge's clock is a manual one; the test waits on events and on the bridge's own state.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../bridge/index.js';
import { FakeBoard } from '../helpers/fake-board.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { attachBoardToPty, PtyPair } from '../helpers/pty-pair.js';
import { until, waitForEvent } from '../helpers/wait.js';

const SN = 'GB-0077';

describe('reconnect over a kernel PTY that is killed and recreated', () => {
  let dir: string;
  let pair: PtyPair;
  let app: FastifyInstance;
  let detach: (() => Promise<void>) | undefined;
  const clock = new ManualClock();
  const board = new FakeBoard('pty', { serialNumber: SN, boot: 3 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-pty-'));
    pair = new PtyPair(dir, 'gb');
    await pair.start();
    detach = await attachBoardToPty(board, pair.boardPath);
    app = buildApp({ ports: [{ path: pair.hostPath }], dbPath: join(dir, 'bench.sqlite'), clock });
    const opened = waitForEvent(app.devices, 'device', (d: { state: string }) => d.state === 'open');
    await app.ready();
    await opened;
  });

  afterAll(async () => {
    await app?.close();
    await detach?.();
    await pair?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function stored(n: number): Promise<void> {
    // Bytes cross the kernel between event-loop turns; each turn (setImmediate) lets I/O in.
    await until(() => app.store.readings.count(SN) >= n, `${n} readings stored`, 5_000_000);
  }

  it('streams, goes lost when socat dies, reconnects when it is back, and replays the gap exactly', async () => {
    await until(() => app.devices.queued(SN) === 0, 'STATUS answered', 2_000_000);
    for (let i = 0; i < 5; i++) board.sendReading();
    await stored(5);

    const lost = waitForEvent(app.devices, 'device', (d: { state: string }) => d.state === 'lost');
    await pair.kill();
    await lost;
    for (let i = 0; i < 7; i++) board.measure(); // 6..12 into the ring, nobody listening

    await pair.start();
    detach = await attachBoardToPty(board, pair.boardPath);
    // Time passes on the bridge's clock until the link is open again: a reopen that fails (the PTY not quite
    // there yet) schedules the next one, which only a later advance can fire.
    // The board's clock runs on with the bridge's, as a real board's does.
    await until(() => {
      if (app.devices.get(SN)?.state === 'open') return true;
      clock.advance(250);
      board.elapse(250);
      return false;
    }, 'reopened', 2_000_000);
    board.sendReading(); // 13, live
    await stored(13);
    await app.devices.replayIdle(SN);

    // One power-up (the board's boot 3) across the reconnect: every seq once.
    expect(app.store.devices.powerUps(SN)).toMatchObject([{ powerUp: 1, boardBoot: 3, state: 'seen' }]);
    expect(app.store.readings.seqsStored(SN, 1)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(app.store.readings.gaps(SN)).toEqual([]);
    expect(board.received.filter((l) => l.startsWith('REPLAY '))).toHaveLength(1);
  });
});
