/**
 * A HilBench in a temp folder with a socket.io client on its bridge, for end-to-end tests. Every reading
 * the client sees moves the plant on one tick (a ManualTicker) and so feeds the boards fresh values:
 * boards never go stale however slowly the machine runs, and nothing waits on the wall clock.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ReadingView, ServerToClientEvents } from '../../bridge/index.js';
import { HilBench, type HilBenchOptions } from '../../rig/index.js';
import { ManualTicker } from './manual-ticker.js';
import { waitForEvent } from './wait.js';

export interface BenchWithClient {
  dir: string;
  bench: HilBench;
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  ticker: ManualTicker;
  /** Every reading the client received, in order. */
  readings: ReadingView[];
  stop(): Promise<void>;
}

/** Starts the bench (run folder and SQLite file in a new temp folder, bridge on a free port) and the client. */
export async function startBenchWithClient(
  options: Omit<HilBenchOptions, 'runDir' | 'dbPath' | 'port' | 'ticker'>,
  tempPrefix: string,
): Promise<BenchWithClient> {
  const dir = mkdtempSync(join(tmpdir(), tempPrefix));
  const ticker = new ManualTicker();
  const bench = new HilBench({ ...options, runDir: join(dir, 'run'), dbPath: join(dir, 'bench.sqlite'), port: 0, ticker });
  const readings: ReadingView[] = [];
  let socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  const stop = async (): Promise<void> => {
    socket?.close();
    await bench.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await bench.start();
    socket = io(bench.url, { transports: ['websocket'], reconnection: false });
    socket.on('reading', (r) => {
      readings.push(r);
      ticker.tick();
    });
    await waitForEvent(socket as never, 'connect');
  } catch (err) {
    await stop();
    throw err;
  }
  return { dir, bench, socket, ticker, readings, stop };
}
