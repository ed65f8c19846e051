/**
 * The simavr harness (firmware/targets/avr-sim) keeps the host target's outside world for the avr build: the
 * serial number and period from its command line (through the EEPROM's provisioning record), O and M lines on
 * stdout from the valve pins, the EEPROM in a file (boot counter and calibration across a restart and a SIGKILL),
 * and with `--clock plant` the simulated MCU's time following the plant's T lines. Skipped, with the reason
 * printed, where avr-gcc or libsimavr-dev is missing.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, field } from '../../firmware/protocol/index.js';
import { HostBoard, type HostBoardOptions } from '../../rig/index.js';
import { waitForEvent } from '../helpers/wait.js';
import { BoardClient, num } from './helpers/board-client.js';

const hasSimavr = spawnSync('avr-gcc', ['--version']).status === 0 && existsSync('/usr/include/simavr/sim_avr.h');
// A missing tool skips with its reason; a build that fails with the tools present fails the suite.
const build = hasSimavr
  ? spawnSync('make', ['-C', new URL('../../firmware', import.meta.url).pathname, '--no-print-directory', 'avr-sim'], { encoding: 'utf8' })
  : undefined;
if (build && build.status !== 0) throw new Error(`make -C firmware avr-sim failed:\n${build.stdout}${build.stderr}`);
const skip = hasSimavr ? undefined : 'avr-gcc or libsimavr-dev is not installed (cellbench setup installs them)';
if (skip) console.log(`avr-sim harness test skipped: ${skip}`);

describe.skipIf(skip !== undefined)('avr-sim harness: the avr build with the host target\'s plant link', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-avrsim-'));
  const linkPath = join(dir, 'av');
  let board: HostBoard | undefined;
  let client: BoardClient | undefined;

  const start = async (options: Partial<HostBoardOptions> = {}): Promise<HostBoard> => {
    const b = await HostBoard.start({ linkPath, serialNumber: 'AV-0042', periodMs: 250, target: 'avr-sim', o2StreamMs: 200, ...options });
    b.setCellValues(1, { o2Kpa: 20.0, co2Kpa: 0.04, tempC: 1.5 });
    b.feed();
    return b;
  };

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await board?.stop();
    board = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers with the serial number and measures at the period from its command line', async () => {
    board = await start();
    client = await BoardClient.open(linkPath, autoDetect());
    const id = await client.command('HELLO', [['proto', '1']]);
    expect(field(id, 'sn')).toBe('AV-0042');
    expect(field(id, 'boot')).toBe('1');
    const a = await client.next((f) => f.type === 'RD');
    const b = await client.next((f) => f.type === 'RD' && num(f, 'seq') === num(a, 'seq') + 1);
    // Both readings' values are fresh (the module streams every 200 ms), so t is the measuring moment's.
    const c = await client.next((f) => f.type === 'RD' && num(f, 'seq') === num(b, 'seq') + 1);
    expect(num(c, 'seq') * 250 - num(c, 't')).toBeLessThan(250); // reading k near k × 250 ms of board time
    expect(num(c, 'seq') * 250 - num(c, 't')).toBeGreaterThanOrEqual(-50);
  });

  it('reports the valve pins as O lines, like the host target', async () => {
    board = await start();
    client = await BoardClient.open(linkPath, autoDetect(), 100);
    await client.command('HELLO', [['proto', '1']]);
    const on = waitForEvent<[{ n2: boolean; air: boolean; scrub?: boolean }]>(board, 'outputs', (o) => o.air);
    expect((await client.command('SET', [['valve', 'air'], ['on', '1']])).type).toBe('ACK');
    expect((await on)[0]).toEqual(expect.objectContaining({ n2: false, air: true, scrub: false }));
    const off = waitForEvent<[{ air: boolean; scrub?: boolean }]>(board, 'outputs', (o) => !o.air && o.scrub === true);
    await client.command('SET', [['valve', 'air'], ['on', '0']]);
    await client.command('SET', [['valve', 'scrub'], ['on', '1']]);
    await off;
  });

  it('keeps boot count and calibration in its EEPROM file across a restart and a SIGKILL', async () => {
    board = await start();
    client = await BoardClient.open(linkPath, autoDetect(), 200);
    const boot = Number(field(await client.command('HELLO', [['proto', '1']]), 'boot'));
    await client.next((f) => f.type === 'RD' && field(f, 'o2') === '20.00');
    const cal = await client.command('CAL', [['gas', 'o2'], ['point', 'span'], ['ref', '20.95']]);
    expect(cal.type).toBe('ACK');
    expect(field(cal, 'cal')).toBe('1');
    await client.next((f) => f.type === 'RD' && field(f, 'o2') === '20.95');
    await client.close();
    const exited = waitForEvent(board, 'exit');
    board.kill(); // a power cut: no orderly exit
    await exited;
    board = undefined;
    expect(readFileSync(`${linkPath}.eeprom`).length).toBe(4097); // the host target's format

    board = await start();
    client = await BoardClient.open(linkPath, autoDetect(), 300);
    const id = await client.command('HELLO', [['proto', '1']]);
    expect(field(id, 'boot')).toBe(String(boot + 1));
    expect(field(id, 'cal')).toBe('1');
    const rd = await client.next((f) => f.type === 'RD' && field(f, 'o2') !== 'NA');
    expect(field(rd, 'o2')).toBe('20.95');
    await client.close();
    await board.stop();

    board = await start({ serialNumber: 'AV-0043' }); // re-provisioned; the rest of the EEPROM stays
    client = await BoardClient.open(linkPath, autoDetect(), 400);
    const id2 = await client.command('HELLO', [['proto', '1']]);
    expect(field(id2, 'sn')).toBe('AV-0043');
    expect(field(id2, 'boot')).toBe(String(boot + 2));
    expect(field(id2, 'cal')).toBe('1');
  });

  it('with --clock plant, runs the MCU only as far as the plant\'s time', async () => {
    board = await start({ clock: 'plant', periodMs: 1000, o2StreamMs: undefined, eepromPath: join(dir, 'plant.eeprom') });
    board.setPlantTime(100);
    client = await BoardClient.open(linkPath, autoDetect(), 500);
    const id = await client.command('HELLO', [['proto', '1']]);
    // Serial bytes take their time on the wire (an O2 line at 9600 baud is about 40 ms): board time may run that
    // far past the plant's, no further.
    expect(num(id, 't')).toBeLessThan(200);
    let st = await client.command('STATUS');
    expect(num(st, 'seq')).toBe(0);
    const up = num(st, 'up');
    st = await client.command('STATUS'); // no T in between: the MCU waited for the plant, but for the I/O
    expect(num(st, 'seq')).toBe(0);
    expect(num(st, 'up') - up).toBeLessThan(100); // STATUS and ST at 115200 baud, module bytes at 9600

    // A minute of plant time (the simulated MCU runs it at about 40 times real time on this machine).
    // Readings come every 1000 ms from the board's start, a few ms after power-up (its EEPROM writes).
    board.setPlantTime(60_100);
    const rd = await client.next((f) => f.type === 'RD' && num(f, 'seq') === 60);
    // Its t is when its values were sampled: the CO2 module's last answer, within the last second.
    expect(num(rd, 't')).toBeGreaterThanOrEqual(59_000);
    expect(num(rd, 't')).toBeLessThanOrEqual(60_100);
    st = await client.command('STATUS');
    expect(num(st, 'up')).toBeGreaterThanOrEqual(60_000); // it may still be on its way to 60100
    expect(num(st, 'up')).toBeLessThan(60_200);
    expect(num(st, 'seq')).toBe(60);
    // Sixty readings at once are more than a PTY holds: the harness paused the MCU rather than cut frames.
    expect(client.lines.filter((l) => l.startsWith('RD ')).length).toBeGreaterThanOrEqual(60);
    expect(client.lines.filter((l) => !decodeFrame(l).ok)).toEqual([]);
  }, 30_000);
});
