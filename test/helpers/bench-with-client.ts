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

/** POSTs a valve command to a board through the bridge's REST API. */
export function postValve(url: string, deviceId: string, valve: 'n2' | 'air' | 'scrub', on: boolean): Promise<Response> {
  return fetch(`${url}/api/devices/${encodeURIComponent(deviceId)}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ op: 'set_valve', valve, on }),
  });
}

/**
 * Moves the first cell's plant on `ticks` ticks (with the usual 0.1 s ticks at time scale 60, 600 ticks
 * are an hour) and waits for the client to see a reading of that cell's board at least `dropKpa` below
 * the O2 it started from. Returns the plant's true O2 before and after, and that reading.
 */
export async function advanceUntilO2Drops(
  env: BenchWithClient,
  ticks: number,
  dropKpa: number,
): Promise<{ beforeKpa: number; afterKpa: number; low: ReadingView }> {
  const cell = env.bench.cells[0]!;
  const beforeKpa = cell.plant.truth().o2Kpa;
  env.ticker.tick(ticks);
  const afterKpa = cell.plant.truth().o2Kpa;
  const [low] = await waitForEvent<[ReadingView]>(
    env.socket as never,
    'reading',
    (r) => r.deviceId === cell.serialNumber && r.o2Kpa !== null && r.o2Kpa < beforeKpa - dropKpa,
  );
  return { beforeKpa, afterKpa, low };
}
