/**
 * The host target's watchdog, fired on purpose and without waiting on the wall clock: the test build of the
 * host target (firmware/build/host/gasboard-host-test, made by `make -C firmware for-tests` with
 * CB_HOST_TEST_HOOKS) runs with a short watchdog period (--watchdog-ms) and a main loop that stalls on a HANG
 * line (--test-stall-on HANG). The production build, gasboard-host, has neither option. The test sends HANG, waits for the process's exit event (status 3, the
 * host target's watchdog reset), starts the board again on the same EEPROM file and finds the reset counted:
 * ST's wdt and the boot counter.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrame, field } from '../../firmware/protocol/index.js';
import { GASBOARD_HOST_BINARY, HostBoard } from '../../rig/index.js';
import { BoardClient, num } from '../firmware/helpers/board-client.js';
import { waitForEvent } from '../helpers/wait.js';

/** The host build with the test-only hooks, beside the production one. */
const GASBOARD_HOST_TEST_BINARY = join(dirname(GASBOARD_HOST_BINARY), 'gasboard-host-test');

describe('host watchdog: a stalled main loop resets the board, and the reset is counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-wdt-'));
  const linkPath = join(dir, 'gb');
  let board: HostBoard | undefined;
  let client: BoardClient | undefined;

  afterAll(async () => {
    await client?.close();
    await board?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (): Promise<HostBoard> =>
    HostBoard.start({
      linkPath,
      serialNumber: 'GB-0W01',
      periodMs: 100,
      binaryPath: GASBOARD_HOST_TEST_BINARY,
      extraArgs: ['--watchdog-ms', '300', '--test-stall-on', 'HANG'],
    });

  it('has no stall injection in the production build: gasboard-host refuses the test-only options', () => {
    expect(existsSync(GASBOARD_HOST_BINARY)).toBe(true);
    for (const args of [['--test-stall-on', 'HANG'], ['--watchdog-ms', '300']]) {
      const res = spawnSync(GASBOARD_HOST_BINARY, ['--link', join(dir, 'prod'), ...args], { encoding: 'utf8', input: '' });
      expect(res.status, res.stderr).toBe(2);
      expect(res.stderr).toContain(`unknown argument: "${args[0]}"`);
    }
    expect(existsSync(join(dir, 'prod'))).toBe(false); // refused before any PTY or EEPROM file was made
  });

  it('exits with status 3 when the main loop stalls, and counts a watchdog reset at the next start', async () => {
    expect(existsSync(GASBOARD_HOST_TEST_BINARY)).toBe(true);
    board = await start();
    client = await BoardClient.open(linkPath, autoDetect());
    const id = await client.command('HELLO', [['proto', '1']]);
    expect(field(id, 'boot')).toBe('1');
    let st = await client.command('STATUS');
    expect(num(st, 'wdt')).toBe(0);
    // The loop keeps kicking a 300 ms watchdog while it runs: readings go on past it.
    await client.next((f) => f.type === 'RD' && num(f, 'seq') >= 5);

    const logs: string[] = [];
    board.on('log', (l) => logs.push(l));
    const exited = waitForEvent<[number | null, NodeJS.Signals | null]>(board, 'exit');
    client.write(encodeFrame({ type: 'HANG', fields: [['id', '77']] }));
    const [code, signal] = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(3);
    expect(logs.some((l) => l.includes('stalling the main loop'))).toBe(true);
    expect(readFileSync(`${linkPath}.eeprom`)[4096]).toBe('W'.charCodeAt(0)); // the reset cause, for the next start
    await client.close();

    board = await start();
    client = await BoardClient.open(linkPath, autoDetect(), 100);
    const id2 = await client.command('HELLO', [['proto', '1']]);
    expect(field(id2, 'boot')).toBe('2');
    st = await client.command('STATUS');
    expect(num(st, 'wdt')).toBe(1);
    expect(num(st, 'boot')).toBe(2);
    expect(readFileSync(`${linkPath}.eeprom`)[4096]).toBe(0xff); // cleared once read
    // An ordinary command of another type is not a stall: the board answers it.
    const nak = await client.command('HANGUP');
    expect(nak.type).toBe('NAK');
    expect(field(nak, 'code')).toBe('E_UNKNOWN');
  });
});
