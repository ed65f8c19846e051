/**
 * Reconnect, replay and status on the gasboard host build (PROTOCOL.md, "Reconnect, replay and status"): the
 * board measures while no host listens, a host that comes back fetches what it missed with REPLAY, and the
 * boot counter and the calibration live in the EEPROM file across a restart of the process (a power cycle).
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { field, type Frame } from '../../firmware/protocol/index.js';
import { HostBoard } from '../../rig/index.js';
import { BoardClient, num } from '../firmware/helpers/board-client.js';

describe('host gasboard: measuring while nobody listens, replay after a reconnect, EEPROM across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-reconnect-'));
  const linkPath = join(dir, 'gb');
  let board: HostBoard | undefined;

  afterAll(async () => {
    await board?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<HostBoard> => {
    const b = await HostBoard.start({ linkPath, serialNumber: 'GB-0099', periodMs: 50, o2StreamMs: 20 });
    b.setCellValues(1, { o2Kpa: 20.0, co2Kpa: 0.04, tempC: 1.5 });
    b.feed();
    return b;
  };

  it('replays what the host missed, each seq once, with the original values', async () => {
    board = await start();
    expect(existsSync(`${linkPath}.eeprom`)).toBe(true); // created beside the link
    let client = await BoardClient.open(linkPath, autoDetect());
    expect(field(await client.command('HELLO', [['proto', '1']]), 'boot')).toBe('1');
    const first = await client.next((f) => f.type === 'RD');
    const lastLive = num(first, 'seq');
    await client.close();

    // Nobody listens; the board goes on measuring. A second host comes, looks at STATUS, and replays.
    client = await BoardClient.open(linkPath, autoDetect(), 100);
    await client.command('HELLO', [['proto', '1']]);
    let st = await client.command('STATUS');
    while (num(st, 'seq') < lastLive + 10) {
      await client.next((f) => f.type === 'RD');
      st = await client.command('STATUS');
    }
    const upTo = num(st, 'seq');
    const replayed: Frame[] = [];
    const before = client.lines.length;
    const ack = await client.command('REPLAY', [['from', String(lastLive + 1)], ['to', String(upTo)]]);
    for (const line of client.lines.slice(before)) {
      if (!line.startsWith('RD ')) continue;
      const fields = line.split('*')[0]!.split(' ').slice(1).map((kv) => kv.split('=') as [string, string]);
      replayed.push({ type: 'RD', fields });
    }
    const seqs = replayed.map((f) => num(f, 'seq')).filter((s) => s <= upTo);
    expect(seqs).toEqual(Array.from({ length: upTo - lastLive }, (_, i) => lastLive + 1 + i));
    expect(field(ack, 'n')).toBe(String(upTo - lastLive));
    expect(num(ack, 'from')).toBe(lastLive + 1);
    expect(num(ack, 'to')).toBe(upTo);
    for (const f of replayed) expect(field(f, 'o2')).toBe('20.00');
    await client.close();
  });

  it('keeps its boot count and its calibration in the EEPROM file across a restart', async () => {
    let client = await BoardClient.open(linkPath, autoDetect(), 200);
    await client.command('HELLO', [['proto', '1']]);
    // Span calibration: the O2 module says 20.00 kPa where the span gas is 20.95.
    const cal = await client.command('CAL', [['gas', 'o2'], ['point', 'span'], ['ref', '20.95']]);
    expect(cal.type).toBe('ACK');
    expect(field(cal, 'cal')).toBe('1');
    await client.next((f) => f.type === 'RD' && field(f, 'o2') === '20.95');
    await client.close();
    await board!.stop();

    board = await start(); // a power cycle: the same link, the same EEPROM file
    client = await BoardClient.open(linkPath, autoDetect(), 300);
    const id = await client.command('HELLO', [['proto', '1']]);
    expect(field(id, 'boot')).toBe('2');
    expect(field(id, 'cal')).toBe('1');
    const rd = await client.next((f) => f.type === 'RD' && field(f, 'o2') !== 'NA');
    expect(num(rd, 'seq')).toBeLessThan(1000); // seq started again in this boot
    expect(field(rd, 'o2')).toBe('20.95');
    expect(field(await client.command('STATUS'), 'wdt')).toBe('0');
    await client.close();
  });
});
