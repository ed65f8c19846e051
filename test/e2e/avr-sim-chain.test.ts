/**
 * The serial chain with the avr build in simavr instead of the host build: a HilBench cell with
 * `target: 'avr-sim'` (firmware/targets/avr-sim), its UARTs on kernel PTYs, the bridge on the native
 * serialport binding, a socket.io client. Readings stream through the bridge, and a valve command goes
 * SET → ACK → the pin → an O line → the plant's actuator. The plant is stepped by hand (a manual ticker).
 * Skipped, with the reason printed, where avr-gcc or libsimavr-dev is missing.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadingView } from '../../bridge/index.js';
import { HilBench } from '../../rig/index.js';
import { advanceUntilO2Drops, postValve, startBenchWithClient, type BenchWithClient } from '../helpers/bench-with-client.js';
import { waitForEvent } from '../helpers/wait.js';

const hasSimavr = spawnSync('avr-gcc', ['--version']).status === 0 && existsSync('/usr/include/simavr/sim_avr.h');
// A missing tool skips with its reason; a build that fails with the tools present fails the suite.
const build = hasSimavr
  ? spawnSync('make', ['-C', new URL('../../firmware', import.meta.url).pathname, '--no-print-directory', 'avr-sim'], { encoding: 'utf8' })
  : undefined;
if (build && build.status !== 0) throw new Error(`make -C firmware avr-sim failed:\n${build.stdout}${build.stderr}`);
const skip = hasSimavr ? undefined : 'avr-gcc or libsimavr-dev is not installed (cellbench setup installs them)';
if (skip) console.log(`avr-sim chain skipped: ${skip}`);

describe.skipIf(skip !== undefined)('serial chain on avr-sim: the avr build in simavr ↔ PTY ↔ bridge ↔ socket.io', () => {
  let env: BenchWithClient;
  let bench: HilBench;
  let socket: BenchWithClient['socket'];
  let readings: ReadingView[];

  beforeAll(async () => {
    env = await startBenchWithClient(
      {
        cells: [{ serialNumber: 'AV-0101', plant: { seed: 3 }, target: 'avr-sim' }],
        periodMs: 250, // the O2 module's UART is at 9600 baud: a line takes about 40 ms
        timeScale: 60,
        tickMs: 100,
      },
      'cellbench-avrsim-e2e-',
    );
    ({ bench, socket, readings } = env);
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('identifies the board by the serial number from its command line and streams its readings', async () => {
    const [first] = await waitForEvent<[ReadingView]>(socket as never, 'reading', (r) => r.o2Kpa !== null);
    expect(first.deviceId).toBe('AV-0101');
    expect(first.o2Kpa).toBeGreaterThan(19);
    expect(first.o2Kpa).toBeLessThan(22);
    await waitForEvent<[ReadingView]>(socket as never, 'reading', (r) => r.seq >= first.seq + 3);
    const seqs = readings.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const res = await fetch(`${bench.url}/api/devices/AV-0101`);
    expect(await res.json()).toMatchObject({ id: 'AV-0101', state: 'open', kind: 'gasboard' });
  });

  it('round-trips a valve command: SET, ACK, the pin as an O line, the plant\'s N2 inlet', async () => {
    const cell = bench.cells[0]!;
    expect(cell.plant.actuators.n2).toBe(false);
    const outputs = waitForEvent<[{ n2: boolean }]>(cell.board, 'outputs', (o) => o.n2);
    const res = await postValve(bench.url, 'AV-0101', 'n2', true);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'ack' });
    await outputs;
    expect(cell.plant.actuators.n2).toBe(true);

    // An hour of purging.
    const { afterKpa, beforeKpa, low } = await advanceUntilO2Drops(env, 600, 1);
    expect(afterKpa).toBeLessThan(beforeKpa - 1);
    expect(low.deviceId).toBe('AV-0101');
    expect(bench.totals().rejected).toBe(0);
  });
});
