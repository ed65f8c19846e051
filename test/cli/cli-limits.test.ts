/**
 * The command line's limits (issue 9): inputs a timer cannot hold or a run cannot finish are usage errors
 * (exit 2, a message naming the option and its range); a reader that leaves early (`| head`) ends the
 * command quietly; `leaktest --check` judges by its exit code. Real `node bin/cellbench.mjs` processes;
 * every wait is on a process event, bounded by a kill after `timeoutMs`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  /** Exit code; null when the process was killed (by the bound, or a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** SIGKILL after this long: a command that does not end is a failure, not a hung test. Default 20000. */
  timeoutMs?: number;
  /** Close our end of the child's stdout: at once ('now'), or after its first chunk ('first-chunk'). */
  closeStdout?: 'now' | 'first-chunk';
}

function cellbench(args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/cellbench.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const bound = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    if (options.closeStdout === 'now') {
      child.stdout.destroy();
    } else {
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        if (options.closeStdout === 'first-chunk') child.stdout.destroy();
      });
    }
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(bound);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('usage errors for inputs a timer cannot hold or a run cannot finish', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbench-cli-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Should a check be missing, the demo must not take the default port or the repository's database.
  const demo = (...args: string[]): string[] => ['demo', '--cells', '1', '--port', '0', '--db', join(dir, 'bench.sqlite'), ...args];

  const cases: Array<[what: string, args: string[], message: RegExp]> = [
    // setTimeout holds at most 2^31 − 1 ms (24.8 days); 25d used to stop after 1 ms with exit 0.
    ['demo --for 25d', demo('--for', '25d'), /--for must be a duration from 1ms to 2147483647ms \(24\.8 days\): "25d"/],
    ['demo --for 0.5ms', demo('--for', '0.5ms'), /--for must be a duration from 1ms to 2147483647ms/],
    // A plant step of 1e11 s per tick never ends.
    ['demo --time-scale 1e12', demo('--for', '2s', '--time-scale', '1e12'), /--time-scale must be a number above 0 to 86400: "1e12"/],
    ['firmware run --period-ms 10^11', ['firmware', 'run', '--target', 'host', '--period-ms', '99999999999'], /--period-ms must be an integer from 1 to 3600000: "99999999999"/],
    ['sim --step-s 1e-9', ['sim', '--preset', 'gala-apple', '--days', '0.01', '--step-s', '1e-9', '--format', 'csv'], /--step-s must be a number from 0\.01 to 600: "1e-9"/],
    ['sim --leak-cm2 10000 (RK4 on a pallet cover)', ['sim', '--preset', 'pallet-cover-elstar', '--integrator', 'rk4', '--days', '1', '--leak-cm2', '10000', '--format', 'csv'], /--leak-cm2 must be a number from 0 to 100: "10000"/],
    ['leaktest --gross-m3 1e-12', ['leaktest', '--gross-m3', '1e-12', '--leak-cm2', '0.1', '--json'], /--gross-m3 must be a number from 0\.5 to 5000: "1e-12"/],
    ['leaktest --free-m3 1e-9', ['leaktest', '--gross-m3', '100', '--free-m3', '1e-9', '--leak-cm2', '0.1', '--json'], /--free-m3 must be a number from 20 to 100 \(a fifth of --gross-m3 to all of it\): "1e-9"/],
  ];

  it.each(cases)('%s: exit 2, the option and its range named, nothing on stdout', async (_what, args, message) => {
    const r = await cellbench(args);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  }, 30_000);

  it('--help states the ranges', async () => {
    const [sim, leak, demoHelp] = await Promise.all([cellbench(['sim', '--help']), cellbench(['leaktest', '--help']), cellbench(['demo', '--help'])]);
    expect(sim.stdout).toMatch(/--step-s S .*0\.01 to 600/);
    expect(sim.stdout).toMatch(/--leak-cm2 A .*0 to 100\b/);
    expect(leak.stdout).toMatch(/--gross-m3 V .*0\.5 to 5000/);
    expect(leak.stdout).toMatch(/--free-m3 Vf .*V\/5 to V/);
    expect(demoHelp.stdout).toMatch(/--for DURATION .*24\.8 days/);
    expect(demoHelp.stdout).toMatch(/--time-scale N .*86400/);
  });
});

describe('a reader that leaves early', () => {
  it('sim --format csv | head: exit 0, nothing on stderr, and it stops without running the whole season', async () => {
    // 1000 days of rows every minute: about 130 MB, minutes of CPU; a sim that stops when its reader has
    // gone ends long before the bound.
    const r = await cellbench(['sim', '--preset', 'gala-apple', '--days', '1000', '--every-s', '60', '--format', 'csv'], {
      closeStdout: 'first-chunk',
      timeoutMs: 25_000,
    });
    expect(r.stdout.startsWith('timeS,o2Kpa,')).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  }, 30_000);

  it('sim --format json | head: exit 0, nothing on stderr', async () => {
    const r = await cellbench(['sim', '--preset', 'gala-apple', '--days', '1000', '--every-s', '60', '--format', 'json'], {
      closeStdout: 'first-chunk',
      timeoutMs: 25_000,
    });
    expect(r.stdout.startsWith('[\n{"timeS":0,')).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 30_000);

  const closedAtOnce: Array<[what: string, args: string[]]> = [
    ['sim --rq-curve', ['sim', '--preset', 'gala-apple', '--rq-curve', '--json']],
    ['sim --list-presets', ['sim', '--list-presets', '--json']],
    ['sim --format csv (short)', ['sim', '--preset', 'gala-apple', '--days', '1', '--format', 'csv']],
    ['leaktest', ['leaktest', '--gross-m3', '100', '--leak-cm2', '0.1', '--json']],
    ['--help', ['sim', '--help']],
  ];

  it.each(closedAtOnce)('%s with stdout closed before it writes: exit 0, nothing on stderr', async (_what, args) => {
    const r = await cellbench(args, { closeStdout: 'now' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 30_000);
});

describe('leaktest --check', () => {
  it('a cell over the limit (0.15 cm² per 100 m³): exit 1, the result still printed, the failure said', async () => {
    const r = await cellbench(['leaktest', '--gross-m3', '400', '--free-m3', '220', '--leak-cm2', '0.6', '--json', '--check']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ leakAreaCm2Per100M3: 0.15, limitCm2Per100M3: 0.1, pass: false });
    expect(r.stderr).toMatch(/0\.15 cm² per 100 m³ .*limit of 0\.1 cm² per 100 m³/);
  });

  it('a cell at the limit (0.10 cm² per 100 m³): exit 0, the result printed, nothing on stderr', async () => {
    const r = await cellbench(['leaktest', '--gross-m3', '100', '--leak-cm2', '0.1', '--json', '--check']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ leakAreaCm2Per100M3: 0.1, pass: true });
    expect(r.stderr).toBe('');
  });

  it('without --check a failing cell still exits 0 (the result is the output)', async () => {
    const r = await cellbench(['leaktest', '--gross-m3', '400', '--free-m3', '220', '--leak-cm2', '0.6', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pass: false });
  });
});
