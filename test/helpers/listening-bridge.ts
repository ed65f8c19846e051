/**
 * A real bridge listening on a loopback port with one fake gasboard (test/helpers/fake-board.ts) measuring one
 * cell, on a manual clock: what a controller in another process (the CLI, the Python one, the HTTP client)
 * talks to in the tests. `reading(o2)` moves both clocks 10 s and stores one reading: a board time ahead of
 * the bridge's would be flagged (time_future), and a board quiet for 30 s of bridge time is taken as silent.
 */

import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AuthOptions } from '../../bridge/index.js';
import { FakeBoard, fakeBoardBinding } from './fake-board.js';
import { ManualClock } from './manual-clock.js';
import { until } from './wait.js';

export const LISTENING_SN = 'GB-0001';
export const LISTENING_CELL = 'cell-1';

export interface ListeningBridge {
  app: FastifyInstance;
  url: string;
  board: FakeBoard;
  clock: ManualClock;
  /** One reading 10 s after the last, stored; resolves with its measured time. */
  reading(o2: string, co2?: string): Promise<number>;
  close(): Promise<void>;
}

export async function startListeningBridge(tokens: NonNullable<AuthOptions['tokens']>): Promise<ListeningBridge> {
  const board = new FakeBoard('/dev/fake-gb-01', { serialNumber: LISTENING_SN });
  const clock = new ManualClock();
  const app = buildApp({
    dbPath: ':memory:',
    ports: [{ path: board.path }],
    binding: fakeBoardBinding([board]),
    cells: [{ id: LISTENING_CELL, deviceId: LISTENING_SN }],
    auth: { mode: 'tokens', tokens },
    clock,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await until(() => app.devices.get(LISTENING_SN)?.state === 'open', 'the board identified', 2_000_000);
  await until(() => app.devices.queued(LISTENING_SN) === 0, 'STATUS answered', 2_000_000);
  return {
    app, url, board, clock,
    async reading(o2, co2 = '0.040') {
      clock.advance(10_000);
      const n = app.store.readings.count(LISTENING_SN);
      board.sendReading({ o2, co2 }, 10_000);
      await until(() => app.store.readings.count(LISTENING_SN) > n, 'the reading stored', 2_000_000);
      return app.store.readings.latestOfCell(LISTENING_CELL)!.measuredAtMs;
    },
    close: () => app.close(),
  };
}
