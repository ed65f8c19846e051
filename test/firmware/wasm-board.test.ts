/**
 * The wasm target in-process (fast mode): the gasboard's wasm build stepped in lockstep with a virtual clock,
 * its sensor UARTs served by the simulator's module emulators, its host link reached through the in-memory
 * serialport binding with node-serialport's own stream on top, as the bridge would. Skipped, with the reason
 * printed, where clang/wasm-ld are missing.
 */

import { SerialPortStream } from '@serialport/stream';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Binding } from '../../bridge/devices/binding.js';
import { field } from '../../firmware/protocol/index.js';
import { UART, WASM_BOARD_FILES, WasmBoard, WasmLinkBinding } from '../../firmware/wasm/index.js';
import { ModbusCo2Module, formatO2Line } from '../../simulator/index.js';
import { BoardClient, num } from './helpers/board-client.js';

const hasClang = spawnSync('clang', ['--version']).status === 0 && (spawnSync('wasm-ld', ['--version']).status === 0);
if (!hasClang) console.log('wasm tests skipped: clang or wasm-ld is not installed (cellbench setup installs clang and lld)');
const built = hasClang && spawnSync('make', ['-C', new URL('../../firmware', import.meta.url).pathname, '--no-print-directory', 'wasm']).status === 0;

/** A gasboard with an O2 module line per period and a Modbus CO2 module that answers at once. */
async function gasboardWithModules(path: string, binding: WasmLinkBinding, eeprom?: Uint8Array) {
  const board = await WasmBoard.load({ serialNumber: 'GB-W001', periodMs: 1000, ...(eeprom ? { eeprom } : {}) });
  const co2 = new ModbusCo2Module();
  co2.setValues({ co2Kpa: 0.04, tempC: 1.5, pressurePa: 101325 });
  board.on('uartData', (uart, bytes) => {
    if (uart !== UART.co2) return;
    for (const reply of co2.receive(bytes)) board.toUart(UART.co2, reply.bytes);
  });
  binding.register(path, board);
  return board;
}

describe.skipIf(!hasClang)('wasm target in lockstep, through the in-memory serialport binding', () => {
  it('is built', () => {
    expect(built).toBe(true);
    expect(existsSync(WASM_BOARD_FILES.gasboard)).toBe(true);
  });

  it('answers the handshake and streams readings exactly when its virtual clock says', async () => {
    const binding = new WasmLinkBinding();
    const asBridgeBinding: Binding = binding; // the bridge's binding type takes it as it is
    expect(asBridgeBinding).toBe(binding);
    const board = await gasboardWithModules('wasm:gb1', binding);
    const client = await BoardClient.open('wasm:gb1', binding);
    const id = await client.command('HELLO', [['proto', '1']]);
    expect(id.type).toBe('ID');
    expect(field(id, 't')).toBe('0');
    expect(field(id, 'sn')).toBe('GB-W001');
    expect(field(id, 'boot')).toBe('1');

    // The O2 module's line arrives at 500 ms; the CO2 module answers each poll at once.
    board.advanceTo(500);
    board.toUart(UART.o2, Buffer.from(formatO2Line({ o2Kpa: 20.95, tempC: 1.5, pressurePa: 101320 }), 'latin1'));
    await Promise.resolve();
    board.advanceTo(1000);
    const rd = await client.next((f) => f.type === 'RD');
    expect(field(rd, 'seq')).toBe('1');
    expect(num(rd, 'o2')).toBe(20.95);
    expect(num(rd, 'co2')).toBe(0.04);
    expect(num(rd, 'temp')).toBe(1.5);
    expect(num(rd, 't')).toBe(0); // the CO2 answer at power-up is the oldest value in the reading

    // An hour of board time in one go: 3600 readings, each at its second, none missed, none twice.
    const seqs: number[] = [];
    const done = new Promise<void>((resolve) => {
      const take = (): void => {
        void client.next((f) => f.type === 'RD').then((f) => {
          seqs.push(num(f, 'seq'));
          if (seqs.length === 3600) resolve();
          else take();
        });
      };
      take();
    });
    board.advanceTo(3_601_000);
    await done;
    expect(seqs[0]).toBe(2);
    expect(seqs.every((s, i) => s === 2 + i)).toBe(true);
    expect(board.nowMs).toBe(3_601_000);

    // What the link missed can be replayed; the ring holds the newest 256.
    const replayed: number[] = [];
    const collect = (): void => {
      void client.next((f) => f.type === 'RD').then((f) => {
        replayed.push(num(f, 'seq'));
        collect();
      });
    };
    collect();
    const ack = await client.command('REPLAY', [['from', '3000'], ['to', '3999']]);
    expect(field(ack, 'n')).toBe('256');
    expect(field(ack, 'from')).toBe(String(3601 - 255));
    expect(replayed[0]).toBe(3601 - 255);
    await client.close();
  });

  it('keeps the binding contract: a pending read rejects as canceled on close, as a disconnect on unplug', async () => {
    const binding = new WasmLinkBinding();
    const board = await WasmBoard.load();
    binding.register('wasm:gb2', board);
    expect((await binding.list()).map((p) => p.path)).toEqual(['wasm:gb2']);
    await expect(binding.open({ path: 'wasm:nope', baudRate: 115200 })).rejects.toThrow(/No such file/);

    const port = await binding.open({ path: 'wasm:gb2', baudRate: 115200 });
    expect(board.hostPresent).toBe(true);
    await expect(binding.open({ path: 'wasm:gb2', baudRate: 115200 })).rejects.toThrow(/lock/);
    const pending = port.read(Buffer.alloc(16), 0, 16);
    await port.close();
    await expect(pending).rejects.toMatchObject({ canceled: true });
    expect(board.hostPresent).toBe(false);
    await expect(port.write(Buffer.from('x'))).rejects.toMatchObject({ canceled: true });

    // Through the stream: unplugging is a disconnect; the board sees its host gone.
    const stream = new SerialPortStream({ binding, path: 'wasm:gb2', baudRate: 115200 });
    await new Promise<void>((resolve, reject) => stream.on('open', resolve).on('error', reject));
    stream.on('data', () => undefined);
    const closed = new Promise<{ disconnected?: boolean } | null>((resolve) => stream.on('close', resolve));
    binding.unplug('wasm:gb2');
    expect((await closed)?.disconnected).toBe(true);
    expect(board.hostPresent).toBe(false);
  });

  it('counts boots in the EEPROM it is given, and the palletunit build is a palletunit', async () => {
    const eeprom = new Uint8Array(4096).fill(0xff);
    const binding = new WasmLinkBinding();
    await gasboardWithModules('wasm:a', binding, eeprom);
    await gasboardWithModules('wasm:b', binding, eeprom); // a power cycle: the same EEPROM
    const client = await BoardClient.open('wasm:b', binding);
    expect(field(await client.command('HELLO', [['proto', '1']]), 'boot')).toBe('2');
    await client.close();

    const pu = await WasmBoard.load({ board: 'palletunit' });
    binding.register('wasm:pu', pu);
    const c2 = await BoardClient.open('wasm:pu', binding);
    expect(field(await c2.command('HELLO', [['proto', '1']]), 'kind')).toBe('palletunit');
    // Its loop acts without any host command: no sensor values, so the safe state (air open) at once.
    pu.advanceTo(1000);
    expect(pu.outputs[1]).toBe(1);
    expect(pu.outputs[0]).toBe(0);
    await c2.close();
  });
});
