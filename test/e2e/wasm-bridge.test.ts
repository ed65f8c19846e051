/**
 * The bridge on a wasm board (`fast` mode's link): the bridge's own app (buildApp, inject) opens the board
 * through the in-memory serialport binding exactly as it opens a PTY, identifies it, and stores the readings the
 * board takes as its virtual clock is advanced; no wall clock anywhere (the bridge has a manual clock too).
 * Skipped, with the reason printed, where clang/wasm-ld are missing.
 */

import { spawnSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../bridge/index.js';
import { UART, WasmBoard, WasmLinkBinding } from '../../firmware/wasm/index.js';
import { ModbusCo2Module, formatO2Line } from '../../simulator/index.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until, waitForEvent } from '../helpers/wait.js';

const hasWasm = spawnSync('clang', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;
if (!hasWasm) console.log('wasm bridge test skipped: clang or wasm-ld is not installed (cellbench setup installs clang and lld)');

describe.skipIf(!hasWasm)('bridge ↔ in-memory binding ↔ wasm gasboard', () => {
  let app: FastifyInstance | undefined;

  afterAll(async () => {
    await app?.close();
  });

  it('identifies the board and stores its readings as its clock advances', async () => {
    spawnSync('make', ['-C', new URL('../../firmware', import.meta.url).pathname, '--no-print-directory', 'wasm']);
    const board = await WasmBoard.load({ serialNumber: 'GB-WASM', periodMs: 1000 });
    const co2 = new ModbusCo2Module();
    co2.setValues({ co2Kpa: 0.5, tempC: 1.0, pressurePa: 101325 });
    board.on('uartData', (uart, bytes) => {
      if (uart === UART.co2) for (const r of co2.receive(bytes)) board.toUart(UART.co2, r.bytes);
    });
    const binding = new WasmLinkBinding();
    binding.register('wasm:GB-WASM', board);

    app = buildApp({ ports: [{ path: 'wasm:GB-WASM' }], binding, dbPath: ':memory:', clock: new ManualClock() });
    const opened = waitForEvent(app.devices, 'device', (d: { state: string }) => d.state === 'open');
    await app.ready();
    await opened;

    for (let s = 1; s <= 10; s++) {
      board.toUart(UART.o2, Buffer.from(formatO2Line({ o2Kpa: 1.2, tempC: 1.0, pressurePa: 101320 }), 'latin1'));
      await Promise.resolve();
      board.advanceTo(s * 1000);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => app!.store.readings.count('GB-WASM') >= 9, '9 readings stored');

    const res = await app.inject({ method: 'GET', url: '/api/devices/GB-WASM' });
    expect(res.statusCode).toBe(200);
    const dev = res.json() as { state: string; identity?: { kind?: string }; kind?: string };
    expect(dev.state).toBe('open');
    const readings = await app.inject({ method: 'GET', url: '/api/devices/GB-WASM/readings?limit=100' });
    expect(readings.statusCode).toBe(200);
    const body = readings.json() as { readings: Array<{ seq: number; o2Kpa: number | null; co2Kpa: number | null }> };
    const last = body.readings.at(-1)!;
    expect(last.o2Kpa).toBe(1.2);
    expect(last.co2Kpa).toBeCloseTo(0.5, 3);
    const seqs = body.readings.map((r) => r.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
  });
});
