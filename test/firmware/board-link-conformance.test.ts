/**
 * One board-link conformance suite (STYLE.md 2), run on every implementation of the gasboard's host link:
 * the host build on a kernel PTY (real time), the wasm build in-process through the in-memory serialport
 * binding (lockstep virtual time), and the avr build under simavr on PTYs (the simavr harness,
 * firmware/targets/avr-sim). An implementation is skipped only with its reason printed: a missing tool. Each case checks
 * PROTOCOL.md's rules as a host sees them, never an implementation's internals.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc16Ccitt, field, type Frame } from '../../firmware/protocol/index.js';
import { UART, WasmBoard, WasmLinkBinding } from '../../firmware/wasm/index.js';
import { AVR_GASBOARD_ELF, AVR_SIM_BINARY, HostBoard, type HostBoardOptions } from '../../rig/index.js';
import { ModbusCo2Module, formatO2Line } from '../../simulator/index.js';
import { BoardClient, num } from './helpers/board-client.js';

interface LinkUnderTest {
  client: BoardClient;
  /** Lets board time pass (at least ms): real time for a process, the virtual clock for wasm. */
  letTimePass(ms: number): Promise<void>;
  stop(): Promise<void>;
}

interface Implementation {
  name: string;
  /** The serial number it answers with. */
  sn: string;
  /** Why it cannot run here, or undefined. */
  skip: string | undefined;
  start(): Promise<LinkUnderTest>;
}

const PERIOD_MS = 50;
const values = { o2Kpa: 20.95, co2Kpa: 0.04, tempC: 1.5 };

/** A board process with its modules on PTYs (the host build, or the avr build in simavr), in real time. */
async function processLink(options: Partial<HostBoardOptions>, periodMs: number): Promise<LinkUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-conf-'));
  const board = await HostBoard.start({ linkPath: join(dir, 'gb'), serialNumber: 'GB-C001', periodMs, ...options });
  board.setCellValues(1, values);
  board.feed();
  const client = await BoardClient.open(board.linkPath, autoDetect(), 1000);
  return {
      client,
      // The process runs in real time: wait for its own readings to show that time has passed.
      async letTimePass(ms) {
        const n = Math.ceil(ms / periodMs);
        const st = await client.command('STATUS');
        const target = num(st, 'seq') + n;
        for (;;) {
          const rd = await client.next((f) => f.type === 'RD' || (f.type === 'ST' && num(f, 'seq') >= target));
          if (num(rd, 'seq') >= target) return;
        }
      },
      async stop() {
        await client.close();
        await board.stop();
        rmSync(dir, { recursive: true, force: true });
      },
  };
}

const hostImpl: Implementation = {
  name: 'host build on a PTY',
  sn: 'GB-C001',
  skip: undefined,
  start: () => processLink({ o2StreamMs: 20 }, PERIOD_MS),
};

const hasWasmTools = spawnSync('clang', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;
const wasmImpl: Implementation = {
  name: 'wasm build in-process',
  sn: 'GB-C001',
  skip: hasWasmTools ? undefined : 'clang or wasm-ld is not installed (cellbench setup installs clang and lld)',
  async start() {
    const binding = new WasmLinkBinding();
    const board = await WasmBoard.load({ serialNumber: 'GB-C001', periodMs: PERIOD_MS });
    const co2 = new ModbusCo2Module();
    co2.setValues({ ...values, pressurePa: 101325 });
    board.on('uartData', (uart, bytes) => {
      if (uart === UART.co2) for (const r of co2.receive(bytes)) board.toUart(UART.co2, r.bytes);
    });
    binding.register('wasm:conf', board);
    const client = await BoardClient.open('wasm:conf', binding, 1000);
    return {
      client,
      async letTimePass(ms) {
        // The O2 module streams every 20 ms of board time, as on the host build.
        for (let t = 0; t < ms; t += 20) {
          board.toUart(UART.o2, Buffer.from(formatO2Line({ ...values, pressurePa: 101320 }), 'latin1'));
          await Promise.resolve();
          board.advanceBy(20);
          await new Promise((r) => setImmediate(r));
        }
      },
      async stop() {
        await client.close();
      },
    };
  },
};

const hasSimavr = spawnSync('avr-gcc', ['--version']).status === 0 && existsSync('/usr/include/simavr/sim_avr.h');
// A missing tool skips with its reason; a build that fails with the tools present fails the suite.
const simBuild = hasSimavr
  ? spawnSync('make', ['-C', new URL('../../firmware', import.meta.url).pathname, '--no-print-directory', 'avr-sim'], { encoding: 'utf8' })
  : undefined;
const avrSimImpl: Implementation = {
  name: 'avr build under simavr',
  sn: 'GB-C001', // the harness writes --sn into the EEPROM's provisioning record, which the avr build reads at boot
  skip: hasSimavr ? undefined : 'avr-gcc or libsimavr-dev is not installed (cellbench setup installs gcc-avr, avr-libc, libsimavr-dev)',
  // Its O2 UART runs at 9600 baud: a line every 200 ms fits, so it measures once a second (--period-ms, provisioned).
  start: () => {
    if (simBuild?.status !== 0) throw new Error(`make -C firmware avr-sim failed:\n${simBuild?.stdout ?? ''}${simBuild?.stderr ?? ''}`);
    return processLink({ binaryPath: AVR_SIM_BINARY, extraArgs: ['--firmware', AVR_GASBOARD_ELF], o2StreamMs: 200 }, 1000);
  },
};

function sealed(body: string): string {
  return `${body}*${crc16Ccitt(body).toString(16).toUpperCase().padStart(4, '0')}\n`;
}

for (const impl of [hostImpl, wasmImpl, avrSimImpl]) {
  if (impl.skip) console.log(`board-link conformance on the ${impl.name}: skipped: ${impl.skip}`);
  describe.skipIf(impl.skip !== undefined)(`board-link conformance: ${impl.name}`, () => {
    let link: LinkUnderTest;
    const isRd = (f: Frame): boolean => f.type === 'RD';

    beforeAll(async () => {
      link = await impl.start();
    });
    afterAll(async () => {
      await link?.stop();
    });

    it('refuses commands before the handshake, then identifies itself', async () => {
      expect(field(await link.client.command('SET', [['valve', 'n2'], ['on', '1']]), 'code')).toBe('E_STATE');
      const id = await link.client.command('HELLO', [['proto', '1']]);
      expect(id.type).toBe('ID');
      expect(field(id, 'kind')).toBe('gasboard');
      expect(field(id, 'sn')).toBe(impl.sn);
      expect(field(id, 'proto')).toBe('1');
      expect(field(id, 'caps')).toBe('o2,co2,temp,valve.n2,valve.air,valve.scrub');
      expect(num(id, 'boot')).toBeGreaterThanOrEqual(1);
      expect(field(id, 'cal')).toBe('0');
      expect(field(await link.client.command('HELLO', [['proto', '2']]), 'code')).toBe('E_PROTO');
    });

    it('streams readings with consecutive seq numbers and the modules\' values', async () => {
      link.client.drop();
      await link.letTimePass(10 * PERIOD_MS);
      const a = await link.client.next((f) => isRd(f) && field(f, 'o2') !== 'NA' && field(f, 'co2') !== 'NA');
      const b = await link.client.next(isRd);
      expect(num(b, 'seq')).toBe(num(a, 'seq') + 1);
      expect(num(b, 't')).toBeGreaterThanOrEqual(num(a, 't'));
      expect(num(a, 'o2')).toBe(20.95);
      expect(num(a, 'co2')).toBeCloseTo(0.04, 3);
      expect(num(a, 'temp')).toBe(1.5);
      expect(field(a, 'cell')).toBe('1');
    });

    it('answers each command exactly once: ACK, NAK with its code, ERR for lines it cannot trust', async () => {
      expect((await link.client.command('SET', [['valve', 'air'], ['on', '1']])).type).toBe('ACK');
      expect(field(await link.client.command('SET', [['valve', 'co2'], ['on', '1']]), 'code')).toBe('E_ARG');
      expect(field(await link.client.command('PING'), 'code')).toBe('E_UNKNOWN');
      const errs = (code: string): Promise<Frame> => link.client.next((f) => f.type === 'ERR' && field(f, 'code') === code);
      const crc = errs('E_CRC');
      link.client.write('SET id=5 valve=n2 on=1*0000\n');
      await crc;
      const long = errs('E_TOOLONG');
      link.client.write(`${'x'.repeat(500)}\n`);
      await long;
      const syn = errs('E_SYNTAX');
      link.client.write('\0garbage\r\n');
      await syn;
      // Frames of the types boards send are never answered: the next answer is to the next command.
      link.client.write(sealed('ACK id=4242'));
      expect((await link.client.command('SET', [['valve', 'air'], ['on', '0']])).type).toBe('ACK');
    });

    it('reports its counters in ST, and they add up', async () => {
      const st = await link.client.command('STATUS');
      expect(st.type).toBe('ST');
      for (const k of ['up', 'boot', 'seq', 'ring', 'crc', 'syn', 'long', 'sto', 'wdt', 'drop']) expect(Number.isInteger(num(st, k))).toBe(true);
      expect(num(st, 'crc')).toBeGreaterThanOrEqual(1);
      expect(num(st, 'long')).toBeGreaterThanOrEqual(1);
      expect(num(st, 'syn')).toBeGreaterThanOrEqual(1);
      expect(num(st, 'ring')).toBeGreaterThan(0);
      expect(num(st, 'ring')).toBeLessThanOrEqual(256);
      // Every line the board received since power-up is in exactly one counter (PROTOCOL.md: ok + crc + syn
      // + long), and this client is the only one that wrote to it: the STATUS just sent included.
      expect(num(st, 'ok') + num(st, 'crc') + num(st, 'syn') + num(st, 'long')).toBe(link.client.linesWritten);
    });

    it('replays a seq range with the original frames, then one ACK with n, from and to', async () => {
      const st = await link.client.command('STATUS');
      const last = num(st, 'seq');
      const first = Math.max(1, last - 4);
      const seen: Frame[] = [];
      const all = link.client.lines.length;
      const ack = await link.client.command('REPLAY', [['from', String(first)], ['to', String(last)]]);
      expect(field(ack, 'n')).toBe(String(last - first + 1));
      expect(num(ack, 'from')).toBe(first);
      expect(num(ack, 'to')).toBe(last);
      for (const line of link.client.lines.slice(all)) {
        if (line.startsWith('RD ')) seen.push({ type: 'RD', fields: line.split('*')[0]!.split(' ').slice(1).map((kv) => kv.split('=') as [string, string]) });
      }
      const replayedSeqs = seen.map((f) => num(f, 'seq')).filter((s) => s >= first && s <= last);
      expect(replayedSeqs.slice(0, last - first + 1)).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
      expect(field(await link.client.command('REPLAY', [['from', '10'], ['to', '9']]), 'code')).toBe('E_ARG');
      expect(field(await link.client.command('REPLAY', [['from', '1'], ['to', '1025']]), 'code')).toBe('E_ARG');
    });
  });
}
