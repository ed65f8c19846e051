/**
 * The host target's watchdog, fired on purpose and without waiting on the wall clock: the board runs with a
 * short watchdog period (--watchdog-ms, test only) and a main loop that stalls on a HANG line
 * (--test-stall-on HANG, test only). The test sends HANG, waits for the process's exit event (status 3, the
 * host target's watchdog reset), starts the board again on the same EEPROM file and finds the reset counted:
 * ST's wdt and the boot counter.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrame, field } from '../../firmware/protocol/index.js';
import { GASBOARD_HOST_BINARY, HostBoard } from '../../rig/index.js';
import { BoardClient, num } from '../firmware/helpers/board-client.js';
import { waitForEvent } from '../helpers/wait.js';

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
    HostBoard.start({ linkPath, serialNumber: 'GB-0W01', periodMs: 100, extraArgs: ['--watchdog-ms', '300', '--test-stall-on', 'HANG'] });

  it('exits with status 3 when the main loop stalls, and counts a watchdog reset at the next start', async () => {
    expect(existsSync(GASBOARD_HOST_BINARY)).toBe(true);
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
