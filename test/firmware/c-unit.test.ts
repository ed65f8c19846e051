import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const firmwareDir = fileURLToPath(new URL('../../firmware', import.meta.url));

describe('firmware C unit tests (make -C firmware test)', () => {
  it('build and pass on the host', () => {
    const res = spawnSync('make', ['-C', firmwareDir, '--no-print-directory', 'test'], { encoding: 'utf8' });
    const output = `${res.stdout}\n${res.stderr}`;
    // Each C test binary ends with "N passed, N failed"; all of them must report no failure.
    const summaries = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)];
    expect(res.status, output).toBe(0);
    expect(summaries.length, output).toBeGreaterThanOrEqual(3);
    for (const m of summaries) {
      expect(Number(m[1]), output).toBeGreaterThan(0);
      expect(Number(m[2]), output).toBe(0);
    }
  });
});
