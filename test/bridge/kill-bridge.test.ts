/**
 * `kill -9` of the bridge loses no reading the board can still replay: a bridge child process on a PTY
 * pair is killed mid-stream, the board keeps measuring, a second bridge on the same SQLite file replays
 * what the first one never stored.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBoard } from '../helpers/fake-board.js';
import { attachBoardToPty, PtyPair } from '../helpers/pty-pair.js';
import { waitForEvent } from '../helpers/wait.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'bridge-child.ts');
const SN = 'GB-0099';

async function startChild(path: string, db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, db], { stdio: ['ignore', 'pipe', 'pipe'] });
  const errors: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => errors.push(l));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^ready (\S+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bridge child exited with ${code}:\n${errors.join('\n')}`)));
  });
  return { child, url };
}

async function seqs(url: string): Promise<number[]> {
  const res = await fetch(`${url}/api/devices/${SN}/readings?limit=10000`);
  if (res.status !== 200) return [];
  return ((await res.json()) as { readings: Array<{ seq: number }> }).readings.map((r) => r.seq);
}

describe('kill -9 of the bridge', () => {
  let dir: string;
  let pair: PtyPair;
  const children: ChildProcess[] = [];
  let detach: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-kill-'));
    pair = new PtyPair(dir, 'gb');
    await pair.start();
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await detach?.();
    await pair?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loses no reading the board can still replay', async () => {
    const board = new FakeBoard('pty', { serialNumber: SN, boot: 1 });
    detach = await attachBoardToPty(board, pair.boardPath);
    const db = join(dir, 'bench.sqlite');

    const first = await startChild(pair.hostPath, db);
    children.push(first.child);
    await waitForEvent(board, 'line', (l: string) => l.startsWith('STATUS '));
    for (let i = 0; i < 40; i++) board.sendReading(); // seq 1..40, some still in flight at the kill
    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await exited;
    board.streaming = false; // the board sees no host now and only measures
    for (let i = 0; i < 15; i++) board.measure(); // 41..55

    const second = await startChild(pair.hostPath, db);
    children.push(second.child);
    await waitForEvent(board, 'line', (l: string) => l.startsWith('STATUS '));
    board.sendReading(); // 56, live
    let got: number[] = [];
    for (let i = 0; i < 500 && got.length < 56; i++) got = await seqs(second.url);
    expect(got).toEqual(Array.from({ length: 56 }, (_, i) => i + 1));
    // The second bridge asked for what the first never stored.
    expect(board.received.some((l) => /^REPLAY id=\d+ from=\d+ to=55\*/.test(l))).toBe(true);
    const stopped = once(second.child, 'exit');
    second.child.kill('SIGTERM');
    await stopped;
  });
});
