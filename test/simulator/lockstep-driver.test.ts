import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WasmBoard } from '../../firmware/wasm/index.js';
import { createCellPlant, createLockstepDriver, createPlantEpochClock, createVirtualClock, SimulatorError } from '../../simulator/index.js';

describe('lockstep driver (fast mode)', () => {
  it('advances in quanta, waits for the barrier after each, lands exactly on the end, runs due timers in order', async () => {
    const clock = createVirtualClock();
    const log: string[] = [];
    clock.setInterval(() => log.push(`tick@${clock.now()}`), 250);
    const driver = createLockstepDriver({
      clock,
      quantumMs: 100,
      barrier: async (nowMs) => {
        log.push(`barrier@${nowMs}`);
        await Promise.resolve(); // the other side answering asynchronously
      },
    });
    await driver.runUntil(550);
    expect(log).toEqual([
      'barrier@100', 'barrier@200', 'tick@250', 'barrier@300', 'barrier@400', 'tick@500', 'barrier@500', 'barrier@550',
    ]);
    expect(clock.now()).toBe(550);
  });

  it('drives a plant on its virtual clock as fast as the CPU goes: a day of plant time, no wall clock', async () => {
    const clock = createVirtualClock();
    const plant = createCellPlant({ fruitKg: 0, leakAreaCm2: 0, actuators: { n2: true } });
    clock.setInterval(() => plant.step(10), 10_000);
    const driver = createLockstepDriver({ clock, quantumMs: 60_000, barrier: () => undefined });
    await driver.runUntil(86_400_000);
    expect(plant.timeS).toBe(86_400);
    expect(plant.truth().o2Kpa).toBeLessThan(5);
  });

  it('refuses a second concurrent run and a time in the past', async () => {
    const clock = createVirtualClock();
    let release: () => void = () => undefined;
    const driver = createLockstepDriver({ clock, barrier: () => new Promise<void>((r) => (release = r)) });
    const first = driver.runUntil(100);
    await expect(driver.runUntil(200)).rejects.toThrow(SimulatorError);
    release();
    await first;
    await expect(driver.runUntil(50)).rejects.toThrow(/"untilMs" must be a finite time ≥ now \(100\): 50/);
  });
});

describe('lockstep with a wasm board (the fast bench\'s time base)', () => {
  it('moves the board to the virtual clock at every barrier, and the plant clock maps that time to epoch ms', async () => {
    const clock = createVirtualClock();
    const runStartEpochMs = Date.UTC(2026, 10, 21, 6, 0, 0);
    const bench = createPlantEpochClock({ clock, runStartEpochMs });
    const board = await WasmBoard.load({ serialNumber: 'GB-LOCK', periodMs: 1000 });
    const seen: Array<[boardMs: number, benchMs: number]> = [];
    const driver = createLockstepDriver({
      clock,
      quantumMs: 250,
      barrier: async (nowMs) => {
        board.advanceTo(nowMs);
        seen.push([board.nowMs, bench.now()]);
        await Promise.resolve(); // the board's bytes go out on microtasks
      },
    });
    await driver.runUntil(1000);
    expect(seen).toEqual([250, 500, 750, 1000].map((ms) => [ms, runStartEpochMs + ms]));
  });
});

describe('no wall clock in the simulator', () => {
  it('no source file under simulator/ reads Date.now, new Date(), performance.now or Math.random', () => {
    const root = fileURLToPath(new URL('../../simulator/', import.meta.url));
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThan(30);
    // Code only: comments may say what is not done.
    const code = (f: string): string => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const offenders = files.filter((f) => /Date\.now\(|new Date\(\)|performance\.now\(|Math\.random\(/.test(code(f)));
    expect(offenders).toEqual([]);
  });
});
