/**
 * Replay against the real C firmware (host build on a kernel PTY): a bridge stores readings and goes
 * away, another program talks to the board meanwhile (so the board's readings of that time never reach
 * the store), and a second bridge on the same SQLite file replays them from the board's ring: every seq
 * of the boot stored once, no gap. Skipped with a reason when the host build is missing.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoDetect } from '@serialport/bindings-cpp';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPortStream } from '@serialport/stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../bridge/index.js';
import { encodeFrame } from '../../firmware/protocol/index.js';
import { HostBoard } from '../../rig/index.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until, waitForEvent } from '../helpers/wait.js';

const SN = 'GB-0314';
// No skip without the host build: `npm test` runs `cellbench setup`, which builds it, and HostBoard.start
// names the missing binary.

async function bridgeOn(path: string, dbPath: string): Promise<FastifyInstance> {
  const app = buildApp({ ports: [{ path }], dbPath, clock: new ManualClock() });
  const opened = waitForEvent(app.devices, 'device', (d: { state: string }) => d.state === 'open');
  await app.ready();
  await opened;
  return app;
}

describe('replay from the real firmware\u2019s ring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-fwreplay-'));
  let board: HostBoard | undefined;
  let app: FastifyInstance | undefined;

  afterAll(async () => {
    await app?.close();
    await board?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fills what the store missed while another program had the port', async () => {
    board = await HostBoard.start({ linkPath: join(dir, SN), serialNumber: SN, periodMs: 20 });
    const feed = (): void => board!.feed({ o2Kpa: 20.9, co2Kpa: 0.04, tempC: 1.5 });
    feed();
    const db = join(dir, 'bench.sqlite');

    app = await bridgeOn(join(dir, SN), db);
    app.devices.on('reading', feed);
    await until(() => app!.store.readings.count(SN) >= 10, '10 readings stored', 5_000_000);
    const boot = app.devices.bootOf(SN)!;
    await app.close();
    app = undefined;

    // Someone else opens the port and reads 10 live readings; the store never sees them.
    const port = new SerialPortStream({ binding: autoDetect(), path: join(dir, SN), baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    const lines = port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
    let seen = 0;
    let lastSeq = 0;
    const tenMore = new Promise<void>((resolve) =>
      lines.on('data', (l: string) => {
        const m = /^RD seq=(\d+) /.exec(l);
        if (!m) return;
        feed();
        lastSeq = Number(m[1]);
        if (++seen === 10) resolve();
      }),
    );
    port.write(encodeFrame({ type: 'HELLO', fields: [['id', '999999'], ['proto', '1']] }));
    await tenMore;
    await new Promise<void>((resolve) => port.close(() => resolve()));

    app = await bridgeOn(join(dir, SN), db);
    app.devices.on('reading', feed);
    await until(() => app!.store.readings.maxSeq(SN, boot) > lastSeq + 2, 'live again past the intruder', 5_000_000);
    await until(() => app!.devices.queued(SN) === 0, 'replay done', 5_000_000);
    await app.devices.replayIdle(SN);
    const seqs = app.store.readings.seqsStored(SN, boot);
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seqs.length).toBeGreaterThan(lastSeq);
    expect(app.store.readings.gaps(SN)).toEqual([]);
    const replayed = app.store.db.prepare("SELECT count(*) AS n FROM events WHERE kind = 'readings.replayed'").get() as { n: number };
    expect(replayed.n).toBeGreaterThan(0);
  });
});
