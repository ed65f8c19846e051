import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCellPlant, createLockstepDriver, createVirtualClock, SimulatorError } from '../../simulator/index.js';

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
