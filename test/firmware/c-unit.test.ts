import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const firmwareDir = fileURLToPath(new URL('../../firmware', import.meta.url));

/** The C test binaries the Makefile builds (its TESTS list), as `make -pn` prints the variable. */
function builtTestBinaries(): string[] {
  const res = spawnSync('make', ['-C', firmwareDir, '--no-print-directory', '-pn', 'test'], { encoding: 'utf8' });
  const line = res.stdout.split('\n').find((l) => /^TESTS :?= /.test(l));
  if (line === undefined) throw new Error(`make -pn test printed no TESTS variable: ${res.stderr}`);
  return line.replace(/^TESTS :?= /, '').trim().split(/\s+/);
}

describe('firmware C unit tests (make -C firmware test)', () => {
  it('build, run every binary the Makefile builds, and pass on the host', () => {
    const binaries = builtTestBinaries();
    const res = spawnSync('make', ['-C', firmwareDir, '--no-print-directory', 'test'], { encoding: 'utf8' });
    const output = `${res.stdout}\n${res.stderr}`;
    expect(res.status, output).toBe(0);
    expect(binaries.length, output).toBeGreaterThanOrEqual(9);
    // Every C test source (firmware/test/test_*.c) is a binary the Makefile builds: none left out of the list.
    const sources = readdirSync(`${firmwareDir}/test`).filter((f) => /^test_.*\.c$/.test(f)).map((f) => f.slice(0, -2));
    expect([...binaries].sort()).toEqual(sources.sort());

    // The runner's own account: the binaries it was given, and how many ran and passed.
    const given = /^C tests: (\d+) binaries: (.*)$/m.exec(output);
    expect(given, output).not.toBeNull();
    expect(Number(given?.[1]), output).toBe(binaries.length);
    expect(given?.[2]!.trim().split(/\s+/), output).toEqual(binaries);
    const tally = /^C tests: (\d+) ran, (\d+) passed, (\d+) failed$/m.exec(output);
    expect(tally, output).not.toBeNull();
    expect(Number(tally?.[1]), output).toBe(binaries.length);
    expect(Number(tally?.[2]), output).toBe(binaries.length);
    expect(Number(tally?.[3]), output).toBe(0);

    // Each binary ran under its own header and ended with "N passed, 0 failed", N > 0: one summary per binary.
    const sections = output.split(/^== /m).slice(1);
    expect(sections.map((s) => s.split('\n')[0]!.trim()), output).toEqual(binaries);
    for (const section of sections) {
      const summaries = [...section.matchAll(/^(\d+) passed, (\d+) failed$/gm)];
      expect(summaries.length, section).toBe(1);
      expect(Number(summaries[0]![1]), section).toBeGreaterThan(0);
      expect(Number(summaries[0]![2]), section).toBe(0);
    }
  });
});
