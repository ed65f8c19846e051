/**
 * The gasboard host build with its sensor modules at their real protocols: an O2 line stream on one PTY and a
 * Modbus-RTU CO2 module on another, served by the simulator's emulators (rig/host-board.ts), a two-cell
 * sampling manifold, per-cell actuators, and the modules' faults. The host side is a test client on the host
 * link's PTY. The firmware runs in real time; the test waits for its frames, never for the clock.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { field, type Frame } from '../../firmware/protocol/index.js';
import { HostBoard } from '../../rig/index.js';
import { BoardClient, num } from '../firmware/helpers/board-client.js';
import { waitForEvent } from '../helpers/wait.js';

describe('host gasboard with its O2 and CO2 modules on PTYs and a two-cell manifold', () => {
  let dir: string;
  let board: HostBoard;
  let client: BoardClient;
  const isRd = (f: Frame): boolean => f.type === 'RD';
  /** Asks STATUS after each new reading until `test` holds for it (counters move as the modules fail). */
  async function statusUntil(test: (st: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const st = await client.command('STATUS');
      if (test(st)) return st;
      await client.next(isRd);
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-modules-'));
    board = await HostBoard.start({
      linkPath: join(dir, 'gb'),
      serialNumber: 'GB-0007',
      periodMs: 100,
      staleMs: 400,
      cells: 2,
      flushMs: 150,
      o2StreamMs: 20, // the O2 module streams on its own, as a real one does (once a second, sped up)
    });
    board.setCellValues(1, { o2Kpa: 20.9, co2Kpa: 0.04, tempC: 1.5 });
    board.setCellValues(2, { o2Kpa: 1.2, co2Kpa: 2.5, tempC: 0.5, pressurePa: 100000 });
    client = await BoardClient.open(board.linkPath, autoDetect());
    const id = await client.command('HELLO', [['proto', '1']]);
    expect(id.type).toBe('ID');
  });

  afterAll(async () => {
    await client?.close();
    await board?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('measures each cell through the manifold, with the values of that cell', async () => {
    const one = await client.next((f) => isRd(f) && field(f, 'cell') === '1' && field(f, 'o2') !== 'NA' && field(f, 'co2') !== 'NA');
    const two = await client.next((f) => isRd(f) && field(f, 'cell') === '2' && field(f, 'o2') !== 'NA' && field(f, 'co2') !== 'NA');
    expect(num(one, 'o2')).toBeCloseTo(20.9, 2);
    expect(num(one, 'co2')).toBeCloseTo(0.04, 3);
    expect(num(one, 'temp')).toBeCloseTo(1.5, 2);
    expect(num(two, 'o2')).toBeCloseTo(1.2, 2);
    expect(num(two, 'co2')).toBeCloseTo(2.5, 3); // ppm at 1000.0 hPa and back
    expect(num(two, 'temp')).toBeCloseTo(0.5, 2);
  });

  it('drives each cell\'s actuators on the plant link', async () => {
    const outputs = waitForEvent<[Array<{ n2: boolean; air: boolean }>]>(board, 'cellOutputs', (c) => c[1]?.n2 === true);
    expect((await client.command('SET', [['valve', 'n2'], ['on', '1'], ['cell', '2']])).type).toBe('ACK');
    const [cells] = await outputs;
    expect(cells[0]!.n2).toBe(false);
    expect((await client.command('SET', [['valve', 'n2'], ['on', '1'], ['cell', '3']])).type).toBe('NAK');
  });

  it('counts a silent CO2 module as sensor timeouts and reports NA, then recovers', async () => {
    const before = num(await client.command('STATUS'), 'sto');
    board.co2Module.fault = 'silence';
    await statusUntil((st) => num(st, 'sto') >= before + 2);
    client.drop();
    await client.next((f) => isRd(f) && field(f, 'co2') === 'NA');
    board.co2Module.fault = 'none';
    client.drop();
    await client.next((f) => isRd(f) && field(f, 'co2') !== 'NA');
  });

  it('sees through garbage and counts bad CRCs and slow answers, never stopping', async () => {
    board.co2Module.fault = 'garbage';
    client.drop();
    await client.next((f) => isRd(f) && field(f, 'co2') !== 'NA' && field(f, 'cell') === '1');
    board.co2Module.fault = 'bad-crc';
    await statusUntil((st) => num(st, 'mbcrc') > 0);
    board.co2Module.fault = 'slow';
    const sto = num(await client.command('STATUS'), 'sto');
    await statusUntil((st) => num(st, 'sto') > sto);
    board.co2Module.fault = 'none';
    board.o2Module.fault = 'garbage';
    client.drop();
    await client.next((f) => isRd(f) && field(f, 'o2') === 'NA' && field(f, 'co2') !== 'NA');
    await statusUntil((st) => num(st, 'o2bad') > 0);
    board.o2Module.fault = 'none';
    client.drop();
    await client.next((f) => isRd(f) && field(f, 'o2') !== 'NA');
  });
});

describe('host gasboard on the plant\'s clock', () => {
  it('takes its time from the T lines of its plant link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellbench-clock-'));
    const board = await HostBoard.start({ linkPath: join(dir, 'gb'), serialNumber: 'GB-0008', periodMs: 1000, clock: 'plant' });
    const client = await BoardClient.open(board.linkPath, autoDetect());
    try {
      board.setPlantTime(3_600_000); // an hour into the run
      board.feed({ o2Kpa: 2.0, co2Kpa: 1.0, tempC: 0.8 });
      // The T line and the HELLO travel different pipes: ask until the board has taken its time.
      let id = await client.command('HELLO', [['proto', '1']]);
      while (num(id, 't') !== 3_600_000) id = await client.command('HELLO', [['proto', '1']]);
      board.setPlantTime(3_601_000);
      const rd = await client.next((f) => f.type === 'RD');
      expect(num(rd, 't')).toBeGreaterThanOrEqual(3_600_000);
      expect(num(rd, 't')).toBeLessThanOrEqual(3_601_000);
    } finally {
      await client.close();
      await board.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
