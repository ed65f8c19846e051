/**
 * `cellbench sim` and `cellbench leaktest` as a user runs them: real `node bin/cellbench.mjs` processes,
 * exit codes and parsed output.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getPreset } from '../../simulator/index.js';
import { pressureDecayHalfTimeS } from '../../simulator/model/pressure-decay.js';
import { rqThreshold } from '../../simulator/model/rq-break-point.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cellbench(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/cellbench.mjs', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** No NaN or Infinity anywhere in the text. */
function expectFinite(text: string): void {
  expect(text).not.toMatch(/NaN|Infinity/);
}

describe('cellbench sim', () => {
  it('--list-presets --json lists every preset with kind, species, cultivar and sources', async () => {
    const r = await cellbench('sim', '--list-presets', '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; kind: string; species: string; cultivar: string; sources: unknown[] }[];
    expect(list.map((p) => p.name)).toEqual([
      'conference-pear', 'container-gala', 'elstar-apple', 'gala-apple', 'golden-delicious-apple',
      'jonagold-apple', 'pallet-cover-elstar', 'starkrimson-apple',
    ]);
    const gala = list.find((p) => p.name === 'gala-apple')!;
    expect(gala).toMatchObject({ kind: 'cell', species: 'apple', cultivar: 'Gala' });
    expect(gala.sources.length).toBeGreaterThan(10);
    expect(list.find((p) => p.name === 'pallet-cover-elstar')!.kind).toBe('pallet');
  });

  it('--rq-curve --json: 0.1 to 21 kPa, RQ falling, crossing 1.1 at the Gala break point (0.65 kPa at 0 °C)', async () => {
    const r = await cellbench('sim', '--preset', 'gala-apple', '--rq-curve', '--temp-c', '0', '--co2-kpa', '0', '--json');
    expect(r.code).toBe(0);
    expectFinite(r.stdout);
    const curve = JSON.parse(r.stdout) as { o2Kpa: number; rq: number; o2UptakeNmolKgS: number; co2OutputNmolKgS: number }[];
    expect(curve[0]!.o2Kpa).toBe(0.1);
    expect(curve[curve.length - 1]!.o2Kpa).toBe(21);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.rq).toBeLessThan(curve[i - 1]!.rq);
    const threshold = rqThreshold(getPreset('gala-apple').respiration);
    const at = curve.find((p) => p.o2Kpa === 0.65)!;
    expect(at.rq).toBeCloseTo(threshold, 4);
    expect(at.co2OutputNmolKgS / at.o2UptakeNmolKgS).toBeCloseTo(at.rq, 4);
  });

  it('--format csv: a row per hour with the documented columns; same seed, same bytes; other seed, other noise', async () => {
    const args = ['sim', '--preset', 'conference-pear', '--days', '2', '--seed', '7', '--format', 'csv'];
    const [a, b, c] = await Promise.all([cellbench(...args), cellbench(...args), cellbench(...args.slice(0, 6), '8', '--format', 'csv')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout); // byte-identical
    expect(c.stdout).not.toBe(a.stdout);
    expectFinite(a.stdout);
    const lines = a.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'timeS,o2Kpa,co2Kpa,pressurePa,tempC,fruitTempC,rq,o2SensorKpa,co2SensorKpa,n2,air,scrub,' +
        'bagM3,ethanolMgPerKg,firmnessN,injuryIndex,energyKWh',
    );
    expect(lines).toHaveLength(1 + 49);
    const last = lines[49]!.split(',').map(Number);
    expect(last[0]).toBe(172_800);
    // Cell air at the pear preset's −1 °C, within the thermostat's cycle.
    expect(Math.abs(last[4]! + 1)).toBeLessThan(0.6);
    // The keeper pulled O2 down from air with N2, towards the 2–3 kPa regime.
    expect(last[1]).toBeLessThan(6.5);
    // The seed sets the sensor noise and the weather; the start is the same cell at the same temperature.
    expect(c.stdout.split('\n')[1]!.split(',').slice(4, 6)).toEqual(lines[1]!.split(',').slice(4, 6));
    // Energy and firmness accumulate: the cooling ran, the fruit softened a little.
    expect(last[16]).toBeGreaterThan(1);
    expect(last[14]).toBeLessThan(70);
    expect(last[14]).toBeGreaterThan(69);
  });

  it('--format json: rows as objects; --leak-cm2 and --temp-c reach the plant', async () => {
    const r = await cellbench('sim', '--preset', 'gala-apple', '--days', '1', '--every-s', '21600', '--temp-c', '3', '--leak-cm2', '0', '--control', 'none', '--format', 'json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { timeS: number; tempC: number; o2Kpa: number; pressurePa: number }[];
    expect(rows.map((x) => x.timeS)).toEqual([0, 21_600, 43_200, 64_800, 86_400]);
    expect(rows.every((x) => Math.abs(x.tempC - 3) < 0.6)).toBe(true);
    // Sealed (no leak), no control: O2 falls by respiration alone, and RQ ≈ 1 keeps the pressure near 0.
    expect(rows[4]!.o2Kpa).toBeLessThan(rows[0]!.o2Kpa - 1);
  });

  it('--integrator: a pallet cover on RK4 and on its adaptive default tell the same day', async () => {
    // No keeper: its on/off switching would amplify any difference into a shifted switch.
    const args = ['sim', '--preset', 'pallet-cover-elstar', '--days', '1', '--every-s', '3600', '--control', 'none', '--format', 'json'];
    const [adaptive, rk4] = await Promise.all([cellbench(...args), cellbench(...args, '--integrator', 'rk4')]);
    expect(adaptive.code).toBe(0);
    expect(rk4.code).toBe(0);
    const a = JSON.parse(adaptive.stdout) as { o2Kpa: number; co2Kpa: number; firmnessN: number }[];
    const b = JSON.parse(rk4.stdout) as { o2Kpa: number; co2Kpa: number; firmnessN: number }[];
    expect(a).toHaveLength(25);
    // Within the analysers' resolution (0.01 kPa) at every hour.
    a.forEach((row, i) => {
      expect(Math.abs(row.o2Kpa - b[i]!.o2Kpa)).toBeLessThan(0.005);
      expect(Math.abs(row.co2Kpa - b[i]!.co2Kpa)).toBeLessThan(0.005);
      expect(Math.abs(row.firmnessN - b[i]!.firmnessN)).toBeLessThan(0.001);
    });
    // Not vacuous: the day moved the gas.
    expect(Math.abs(a[24]!.o2Kpa - a[0]!.o2Kpa)).toBeGreaterThan(0.5);
  });

  it('bad input: exit 2 and a message naming the parameter and its range', async () => {
    const cases: [string[], RegExp][] = [
      [['sim', '--preset', 'jonagold', '--format', 'csv'], /--preset must be one of conference-pear, .*jonagold-apple.*: "jonagold"/],
      [['sim', '--preset', 'gala-apple', '--days', 'ten', '--format', 'csv'], /--days must be a number above 0 to 1000: "ten"/],
      [['sim', '--preset', 'gala-apple', '--leak-cm2', '-1', '--format', 'csv'], /--leak-cm2 must be a number from 0 to 100: "-1"/],
      [['sim', '--preset', 'gala-apple', '--rq-curve', '--co2-kpa', '30', '--json'], /--co2-kpa must be a number from 0 to 25: "30"/],
      [['sim', '--preset', 'gala-apple', '--o2-kpa', '0.5:26', '--format', 'csv'], /--o2-kpa HIGH must be a number from 0 to 25: "26"/],
      [['sim', '--preset', 'gala-apple', '--seed', '1.5', '--format', 'csv'], /--seed must be an integer from 0 to 4294967295: "1.5"/],
      [['sim', '--preset', 'gala-apple', '--integrator', 'euler', '--format', 'csv'], /--integrator must be rk4 or dopri5: "euler"/],
      [['leaktest', '--gross-m3', '-100', '--leak-cm2', '0.1', '--json'], /--gross-m3 must be a number from 0.5 to 5000: "-100"/],
      [['leaktest', '--gross-m3', '100', '--leak-cm2', 'Infinity', '--json'], /--leak-cm2 must be a number from 0 to 10000: "Infinity"/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cellbench(...args)));
    runs.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(2);
      expect(r.stderr, cases[i]![0].join(' ')).toMatch(cases[i]![1]);
      expect(r.stdout).toBe('');
    });
  });

  it('--help for both commands, exit 0', async () => {
    const [sim, leak] = await Promise.all([cellbench('sim', '--help'), cellbench('leaktest', '--help')]);
    expect(sim.code).toBe(0);
    expect(sim.stdout).toMatch(/--rq-curve/);
    expect(leak.code).toBe(0);
    expect(leak.stdout).toMatch(/--p0-pa/);
  });
});

describe('cellbench leaktest', () => {
  it('0.10 cm² in 100 m³ from 300 Pa: t½ within 5 % of DOMAIN.md §5 (≈ 22 min), area 0.1, pass', async () => {
    const r = await cellbench('leaktest', '--gross-m3', '100', '--leak-cm2', '0.1', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['halfTimeMin', 'leakAreaCm2Per100M3', 'limitCm2Per100M3', 'pass']);
    const formulaMin = pressureDecayHalfTimeS(100, 0.1e-4, 0.61, 300, 101_325, 1.29) / 60;
    expect(Math.abs((out.halfTimeMin as number) / formulaMin - 1)).toBeLessThan(0.05);
    expect(out.leakAreaCm2Per100M3).toBe(0.1);
    expect(out.limitCm2Per100M3).toBe(0.1);
    expect(out.pass).toBe(true);
  });

  it('a leakier loaded room fails; Cd 1 and 250 Pa shorten t½ as the formula says', async () => {
    const [bad, ela] = await Promise.all([
      cellbench('leaktest', '--gross-m3', '400', '--free-m3', '220', '--leak-cm2', '0.6', '--json'),
      cellbench('leaktest', '--gross-m3', '100', '--leak-cm2', '0.1', '--p0-pa', '250', '--cd', '1', '--json'),
    ]);
    const b = JSON.parse(bad.stdout) as { leakAreaCm2Per100M3: number; pass: boolean };
    expect(b.leakAreaCm2Per100M3).toBeCloseTo(0.15, 3);
    expect(b.pass).toBe(false);
    const e = JSON.parse(ela.stdout) as { halfTimeMin: number; pass: boolean };
    expect(e.halfTimeMin).toBeCloseTo(12, 0); // DOMAIN.md §5: 12 min with Cd 1 from 250 Pa
    expect(e.pass).toBe(true);
  });
});
