/**
 * The avr target: the gasboard for the ATmega2560 builds from the same sources with avr-gcc, and stays within
 * its budget (48 KiB flash, 6 KiB static RAM). Skipped, with the reason printed, where avr-gcc is missing.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const firmwareDir = fileURLToPath(new URL('../../firmware', import.meta.url));
const hasAvrGcc = spawnSync('avr-gcc', ['--version']).status === 0;
if (!hasAvrGcc) console.log('avr build test skipped: avr-gcc is not installed (cellbench setup installs gcc-avr and avr-libc)');

describe.skipIf(!hasAvrGcc)('avr target (avr-gcc, ATmega2560)', () => {
  it('builds the gasboard and the palletunit, each within 48 KiB of flash and 6 KiB of static RAM', () => {
    const res = spawnSync('make', ['-C', firmwareDir, '--no-print-directory', 'avr'], { encoding: 'utf8' });
    const output = `${res.stdout}\n${res.stderr}`;
    expect(res.status, output).toBe(0);
    for (const board of ['gasboard', 'palletunit']) {
      const m = new RegExp(`avr ${board}: flash (\\d+) of 49152 bytes, static RAM (\\d+) of 6144 bytes`).exec(output);
      expect(m, output).not.toBeNull();
      const [flash, ram] = [Number(m![1]), Number(m![2])];
      console.log(`avr ${board}: flash ${flash} B, static RAM ${ram} B`);
      expect(flash).toBeGreaterThan(10_000); // the whole board, not an empty image
      expect(flash).toBeLessThanOrEqual(48 * 1024);
      expect(ram).toBeGreaterThan(256 * 12); // the ring of 256 readings alone is 3 KiB
      expect(ram).toBeLessThanOrEqual(6 * 1024);
    }
  });
});
