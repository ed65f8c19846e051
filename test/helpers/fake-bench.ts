/**
 * A bridge on the fault-injecting binding over serialport's mock binding, with TypeScript boards and a
 * manual clock: the in-memory bench of the reconnect and power-up tests.
 */

import type { FastifyInstance } from 'fastify';
import { buildApp, FaultInjector } from '../../bridge/index.js';
import { FakeBoard, fakeBoardBinding } from './fake-board.js';
import { ManualClock } from './manual-clock.js';
import { until, waitForEvent } from './wait.js';

export interface FakeBenchOptions {
  /** Default: a new ManualClock. */
  clock?: ManualClock;
  /** Default ':memory:'. */
  dbPath?: string;
  /** Ports to open. Default: the board's path. */
  ports?: string[];
  /** Ports with nothing behind them (yet). */
  emptyPaths?: string[];
  /** The fault injector's seed. Default 42. */
  seed?: number;
}

/**
 * Makes a built app ready and waits until the board `serialNumber` is open and the bridge's STATUS to it
 * is answered: the bring-up every bridge test starts from. Closes the app if that fails.
 */
export async function openApp(app: FastifyInstance, serialNumber: string, maxTurns?: number): Promise<FastifyInstance> {
  try {
    const opened = waitForEvent(app.devices, 'device', (d: { id: string; state: string }) => d.id === serialNumber && d.state === 'open');
    await app.ready();
    await opened;
    await until(() => app.devices.queued(serialNumber) === 0, 'STATUS answered', maxTurns);
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}

/** Builds the app, waits for the board to be open and its link commands settled. */
export async function fakeBench(board: FakeBoard, opts: FakeBenchOptions = {}): Promise<{ clock: ManualClock; faults: FaultInjector; app: FastifyInstance }> {
  const clock = opts.clock ?? new ManualClock();
  const faults = new FaultInjector(fakeBoardBinding([board], opts.emptyPaths ?? []), { clock, seed: opts.seed ?? 42 });
  const app = buildApp({ ports: (opts.ports ?? [board.path]).map((path) => ({ path })), binding: faults.binding, dbPath: opts.dbPath ?? ':memory:', clock });
  await openApp(app, board.serialNumber);
  await settled(app, board.serialNumber);
  return { clock, faults, app };
}

/** Waits until the board's link commands (STATUS, REPLAY) are answered and no replay runs. */
export async function settled(app: FastifyInstance, serialNumber: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await until(() => app.devices.queued(serialNumber) === 0, 'link commands answered');
    await app.devices.replayIdle(serialNumber);
  }
}
