/**
 * The Modbus CO2 module emulator (simulator/modules/modbus-co2-module.ts) against two Modbus masters that
 * share no code with the gasboard's driver or with each other: Debian's mbpoll (on libmodbus) and pymodbus
 * (python3-pymodbus, driven by test/helpers/modbus_client.py), over a kernel PTY pair (socat) at 9600 8N1.
 * They read the registers the module serves and get the exceptions the Modbus spec gives for what it does
 * not: 01 for a function it does not serve, whatever the request's length; 02 for registers outside its map;
 * 03 for a quantity outside 1..125.
 *
 * Needs socat, mbpoll, python3-pymodbus and python3-serial-asyncio (`cellbench setup` installs them). Where
 * one is missing the suite is skipped with the reason, except when CI is set: there setup has run, so a
 * missing tool fails it.
 */

import { autoDetect } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusCo2Module } from '../../simulator/index.js';
import { PtyPair } from '../helpers/pty-pair.js';
import { missingTools } from '../helpers/required-tools.js';

const PYTHON = '/usr/bin/python3';
const MODBUS_CLIENT = fileURLToPath(new URL('../helpers/modbus_client.py', import.meta.url));
/** Longest a client process may run: each request waits at most its own 1 s timeout. */
const TOOL_TIMEOUT_MS = 15_000;

const missing = missingTools('Modbus CO2 module emulator against mbpoll and pymodbus over a PTY', [
  ['socat', () => spawnSync('socat', ['-V']).status === 0],
  ['mbpoll', () => !spawnSync('mbpoll', ['-V']).error],
  [`python3-pymodbus and python3-serial-asyncio (for ${PYTHON})`, () => spawnSync(PYTHON, ['-c', 'import pymodbus.client']).status === 0],
]);

interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client to its end without blocking the event loop (the emulator answers on it). */
function runTool(cmd: string, args: string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${TOOL_TIMEOUT_MS} ms:\n${stdout}${stderr}`));
    }, TOOL_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The values the module is given, and the registers they make, worked out by hand from MODULES.md. */
const VALUES = { co2Kpa: 7.5, tempC: -2.35, pressurePa: 100_000 };
const CONCENTRATION_PPM = 75_000; // 7.5 kPa of 100 kPa
const REGISTERS = [
  0, // status: nothing wrong
  CONCENTRATION_PPM >>> 16, // 1
  CONCENTRATION_PPM & 0xffff, // 9464
  0x10000 - 235, // -2.35 °C in 0.01 °C, two's complement
  10_000, // 1000.0 hPa in 0.1 hPa
  0x0102, // firmware version 1.2
];

describe.skipIf(missing !== undefined)('Modbus CO2 module emulator against mbpoll and pymodbus over a PTY', () => {
  let dir: string;
  let pty: PtyPair;
  let port: SerialPortStream;
  const co2Module = new ModbusCo2Module();
  co2Module.setValues(VALUES);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cellbench-modbus-'));
    pty = new PtyPair(dir, 'co2');
    await pty.start();
    port = new SerialPortStream({ binding: autoDetect(), path: pty.boardPath, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (bytes: Buffer) => {
      for (const reply of co2Module.receive(bytes)) port.write(reply.bytes); // answerDelayMs is 0
    });
  });

  afterAll(async () => {
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await pty?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** One mbpoll run at slave 1, 9600 8N1, PDU addressing, once, 1 s timeout; values given: a write. */
  const mbpoll = (args: string[], writeValues: string[] = []): Promise<ToolResult> =>
    runTool('mbpoll', ['-m', 'rtu', '-b', '9600', '-d', '8', '-s', '1', '-P', 'none', '-a', '1', '-0', '-1', '-o', '1', ...args, pty.hostPath, ...writeValues]);
  /** mbpoll's `[ref]: value` lines; a 16-bit register with its sign bit set is printed `65301 (-235)`. */
  const values = (out: string): Record<number, number> =>
    Object.fromEntries([...out.matchAll(/^\[(\d+)\]:\s+(\d+)(?: \((-\d+)\))?\s*$/gm)].map((m) => [Number(m[1]), Number(m[2])]));

  it('mbpoll reads the input registers and the 32-bit concentration', async () => {
    const all = await mbpoll(['-t', '3', '-r', '0', '-c', '6']);
    expect(all.code, all.stdout + all.stderr).toBe(0);
    const read = values(all.stdout);
    expect([0, 1, 2, 3, 4, 5].map((r) => read[r])).toEqual(REGISTERS);
    expect(all.stdout).toMatch(/^\[3\]:\s+65301 \(-235\)$/m);
    const ppm = await mbpoll(['-t', '3:int', '-B', '-r', '1', '-c', '1']);
    expect(ppm.code, ppm.stdout + ppm.stderr).toBe(0);
    expect(values(ppm.stdout)[1]).toBe(CONCENTRATION_PPM);
  });

  it('mbpoll gets exception 02 for registers beyond the map and 01 for writes and report slave ID', async () => {
    const beyond = await mbpoll(['-t', '3', '-r', '0', '-c', '7']);
    expect(beyond.stderr).toMatch(/Illegal data address/);
    const registers = await mbpoll(['-t', '4', '-r', '0'], ['5', '6']); // 0x10 write multiple registers
    expect(registers.stderr).toMatch(/Illegal function/);
    const coils = await mbpoll(['-t', '0', '-r', '0'], ['1', '0', '1']); // 0x0F write multiple coils
    expect(coils.stderr).toMatch(/Illegal function/);
    const slaveId = await mbpoll(['-u']); // 0x11 report slave ID
    expect(slaveId.stderr).toMatch(/Illegal function/);
    // And the module still answers a read after them.
    const after = await mbpoll(['-t', '3', '-r', '5', '-c', '1']);
    expect(values(after.stdout)[5]).toBe(0x0102);
  });

  it('pymodbus reads the registers and gets exception 01 for every function the module does not serve', async () => {
    const ops = [
      { op: 'read_input_registers', address: 0, count: 6 },
      { op: 'read_input_registers', address: 1, count: 2 },
      { op: 'write_coils', address: 0, values: [true, false, true] }, // 0x0F, 10 bytes
      { op: 'write_registers', address: 0, values: [1, 2, 3] }, // 0x10, 15 bytes
      { op: 'report_slave_id' }, // 0x11, 4 bytes
      { op: 'read_device_information' }, // 0x2B / MEI 0x0E, 7 bytes
      { op: 'read_holding_registers', address: 0, count: 1 }, // 0x03, 8 bytes
      { op: 'user_function', function_code: 0x41, data: [1, 2, 3] }, // user-defined: a length no table knows
      { op: 'read_input_registers', address: 0, count: 7 },
      { op: 'read_input_registers', address: 6, count: 1 },
      { op: 'read_input_registers', address: 0, count: 126 },
      { op: 'read_input_registers', address: 5, count: 1 },
    ];
    const res = await runTool(PYTHON, [MODBUS_CLIENT, pty.hostPath, JSON.stringify(ops)]);
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { op: 'read_input_registers', registers: REGISTERS },
      { op: 'read_input_registers', registers: REGISTERS.slice(1, 3) },
      { op: 'write_coils', exception: { function_code: 0x8f, exception_code: 1 } },
      { op: 'write_registers', exception: { function_code: 0x90, exception_code: 1 } },
      { op: 'report_slave_id', exception: { function_code: 0x91, exception_code: 1 } },
      { op: 'read_device_information', exception: { function_code: 0xab, exception_code: 1 } },
      { op: 'read_holding_registers', exception: { function_code: 0x83, exception_code: 1 } },
      { op: 'user_function', exception: { function_code: 0xc1, exception_code: 1 } },
      { op: 'read_input_registers', exception: { function_code: 0x84, exception_code: 2 } },
      { op: 'read_input_registers', exception: { function_code: 0x84, exception_code: 2 } },
      { op: 'read_input_registers', exception: { function_code: 0x84, exception_code: 3 } },
      { op: 'read_input_registers', registers: [0x0102] },
    ]);
  });
});
