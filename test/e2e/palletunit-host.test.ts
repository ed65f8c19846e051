/**
 * The palletunit host build (firmware/palletunit) with its O2 and CO2 modules on PTYs: its local loop drives
 * the N2 valve, the air valve and the fan before any host is there, and follows the setpoints a host sends.
 * The process runs in real time; the test waits for its outputs and frames as events.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { field } from '../../firmware/protocol/index.js';
import { HilBench, HostBoard, PALLETUNIT_HOST_BINARY } from '../../rig/index.js';
import type { CellOutputs } from '../../simulator/index.js';
import { BoardClient } from '../firmware/helpers/board-client.js';
import { ManualTicker } from '../helpers/manual-ticker.js';
import { waitForEvent } from '../helpers/wait.js';

describe('palletunit host build: the local loop with and without a host', () => {
  let dir: string;
  let unit: HostBoard;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-pallet-'));
    unit = await HostBoard.start({
      binaryPath: PALLETUNIT_HOST_BINARY,
      linkPath: join(dir, 'pu'),
      serialNumber: 'PU-0042',
      periodMs: 200,
      o2StreamMs: 20,
    });
  });

  afterAll(async () => {
    await unit?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('purges with N2 and runs the fan on its own while the O2 is above its setpoint', async () => {
    const purging = waitForEvent<[CellOutputs[]]>(unit, 'cellOutputs', (c) => c[0]?.n2 === true && c[0]?.fan === true);
    // 5 kPa: above the setpoint's band and above the 3.5 kPa under which the loop leaves O2 to respiration.
    unit.setCellValues(1, { o2Kpa: 5.0, co2Kpa: 0.5, tempC: 1.0 });
    unit.feed();
    const [cells] = await purging;
    expect(cells[0]!.air).toBe(false);
  });

  it('identifies as a palletunit and follows the setpoints a host sends', async () => {
    const client = await BoardClient.open(unit.linkPath, autoDetect());
    try {
      const id = await client.command('HELLO', [['proto', '1']]);
      expect(field(id, 'kind')).toBe('palletunit');
      expect(field(id, 'caps')).toBe('o2,co2,temp,valve.n2,valve.air,fan,loop');
      expect((await client.command('SET', [['valve', 'n2'], ['on', '0']])).type).toBe('NAK'); // the loop drives it
      // A setpoint above the O2 now: the loop lets air in instead.
      const airing = waitForEvent<[CellOutputs[]]>(unit, 'cellOutputs', (c) => c[0]?.air === true && c[0]?.n2 === false);
      const ack = await client.command('SETPT', [['o2', '8.00'], ['co2', '1.500']]);
      expect(ack.type).toBe('ACK');
      await airing;
      expect(field(await client.command('SETPT', [['o2', '30.00'], ['co2', '1.500']]), 'code')).toBe('E_RANGE');
      // Manual mode: everything closes, then SET drives the fan.
      const closed = waitForEvent<[CellOutputs[]]>(unit, 'cellOutputs', (c) => !c[0]?.air && !c[0]?.n2 && !c[0]?.fan);
      expect((await client.command('LOOP', [['on', '0']])).type).toBe('ACK');
      await closed;
      const fan = waitForEvent<[CellOutputs[]]>(unit, 'cellOutputs', (c) => c[0]?.fan === true);
      expect((await client.command('SET', [['valve', 'fan'], ['on', '1']])).type).toBe('ACK');
      await fan;
    } finally {
      await client.close();
    }
  });
});

describe('palletunit on a simulated cell in the HIL bench', () => {
  it('pulls the plant\'s O2 down with its own loop, no host command needed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cellbench-pallet-bench-'));
    const ticker = new ManualTicker();
    const bench = new HilBench({
      cells: [{ serialNumber: 'PU-0007', board: 'palletunit', plant: { seed: 3 } }],
      runDir: join(dir, 'run'),
      dbPath: join(dir, 'bench.sqlite'),
      port: 0,
      periodMs: 100,
      timeScale: 60,
      tickMs: 100,
      ticker,
    });
    try {
      await bench.start();
      const cell = bench.cells[0]!;
      // The plant starts at air: far above the loop's 1.50 kPa, so the unit opens its N2 valve by itself.
      const purging = waitForEvent<[{ n2: boolean }]>(cell.board, 'outputs', (o) => o.n2);
      ticker.tick();
      await purging;
      expect(cell.plant.actuators.n2).toBe(true);
      const before = cell.plant.truth().o2Kpa;
      ticker.tick(300); // half an hour of plant time with the N2 valve open
      expect(cell.plant.truth().o2Kpa).toBeLessThan(before - 1);
    } finally {
      await bench.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
