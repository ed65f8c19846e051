/**
 * `cellbench sim`: the plant simulator on its own — list the presets, run a preset for a number of days
 * and print the time series, or print a preset's steady-state RQ curve over O2.
 */

import { parseArgs } from 'node:util';
import {
  allPresets,
  getPreset,
  presetNames,
  respirationRates,
  runPlant,
  SimulatorError,
  type PlantPreset,
  type PlantRunRow,
} from '../simulator/index.js';
import { parseNumber as parseNumberIn, UsageError, type NumberRange } from './args.js';
import { StdoutChunks, StdoutClosedError } from './stdout-pipe.js';

export const SIM_HELP = `Usage: cellbench sim --list-presets --json
       cellbench sim --preset NAME [--days N] [--step-s S] [--seed K] [--leak-cm2 A] [--temp-c T]
                     [--every-s E] [--control hold|none] [--o2-kpa LOW:HIGH] [--weather on|off]
                     [--integrator rk4|dopri5] --format csv|json
       cellbench sim --preset NAME --rq-curve [--temp-c T] [--co2-kpa C] --json

Runs the plant simulator without firmware or bridge, on a virtual clock as fast as the CPU goes.
The same options and seed always print the same bytes.

Modes:
  --list-presets     the presets: [{ name, kind: "cell"|"pallet", species, cultivar, sources }]
  --preset NAME      run NAME (see --list-presets) and print its time series
  --rq-curve         with --preset: steady-state respiration over O2 from 0.1 to 21 kPa:
                     [{ o2Kpa, rq, o2UptakeNmolKgS, co2OutputNmolKgS }]

Run options:
  --days N           plant days to run, > 0 and ≤ 1000 (default 30)
  --step-s S         longest integrator sub-step in s, 0.01 to 600 (default 10); every S is stable (RK4
                     keeps each sub-step within half the cell's fastest time constant, and the plant moves
                     in 60 s control ticks); the run's time grows as days / S
  --integrator I     rk4: fixed steps (default for a cell preset); dopri5: adaptive Dormand–Prince 5(4)
                     (default for a pallet preset, whose leak time constant holds RK4 to ≈ 1 s steps)
  --seed K           seed of the sensor noise, an integer from 0 to 4294967295 (default 1)
  --leak-cm2 A       leak area in cm², 0 to 100 (default: the preset's; the DCA limit is 0.1 per 100 m³)
  --temp-c T         cell temperature in °C, −10 to 40 (default: the preset's storage temperature)
  --every-s E        plant seconds between rows, a multiple of 60 from 60 to 86400 (default 3600)
  --control MODE     hold: an on/off keeper holds the preset's storage regime (N2 down to 6 kPa O2,
                     fresh air, scrubber); none: everything stays off (default hold)
  --o2-kpa LOW:HIGH  O2 band the keeper holds, kPa, 0 ≤ LOW < HIGH ≤ 25 (default: the preset's ULO band;
                     e.g. 0.8:1.0 for a DCA lot just above the break point)
  --weather MODE     on: barometric and daily temperature swings outside (default); off: a still 101325 Pa
  --format FMT       csv or json (required)

RQ-curve options:
  --temp-c T         fruit temperature in °C, −10 to 40 (default: the preset's storage temperature)
  --co2-kpa C        CO2 partial pressure in kPa, 0 to 25 (default 0)

  --json             JSON output (for --list-presets and --rq-curve)
  -h, --help         this help

Columns of the time series: timeS, o2Kpa, co2Kpa, pressurePa (gauge), tempC (cell air), fruitTempC,
rq (empty/null under anoxia or without fruit), o2SensorKpa, co2SensorKpa (what the analysers read),
n2, air, scrub (0/1), bagM3 (breather bag content), ethanolMgPerKg, firmnessN, injuryIndex,
energyKWh (cooling and fans, electric, since the start).`;

/**
 * `--days -3` → `--days=-3`: node's parseArgs takes a value starting with a dash for an option, and its
 * message would not name the allowed range. Joined, the value reaches the range check, which does.
 */
export function joinNegativeValues(argv: readonly string[], valueOptions: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (valueOptions.includes(arg) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** A number option, or `fallback` when it is not given. */
function parseNumber(text: string | undefined, option: string, fallback: number, range: NumberRange): number {
  return text === undefined ? fallback : parseNumberIn(text, option, range);
}

/**
 * Ranges of the run options that decide whether a run finishes. At 0.01 s sub-steps a plant day takes
 * seconds of CPU (a 270-day season about half an hour), each tenfold shorter step ten times that, and
 * 1e-9 s never ends; a leak over 100 cm² (an open vent: a hundred times the DCA limit of the largest rooms,
 * DOMAIN.md §1, §6) holds RK4 to sub-steps of milliseconds. Every step in range is stable: RK4 cuts each
 * sub-step to half the cell's fastest time constant whatever S says, and the run steps the plant one
 * 60 s control tick at a time, so an S above 60 changes nothing (600 stays accepted, as before).
 */
const SIM_LIMITS = {
  stepS: { min: 0.01, max: 600 },
  leakAreaCm2: { min: 0, max: 100 },
} as const;

function presetOrUsage(name: string): PlantPreset {
  try {
    return getPreset(name);
  } catch (err) {
    if (err instanceof SimulatorError) {
      throw new UsageError(`--preset must be one of ${presetNames().join(', ')}: "${name}"`);
    }
    throw err;
  }
}

/** O2 levels of the RQ curve: fine where the break point is, coarser above. */
export function rqCurveO2LevelsKpa(): number[] {
  const levels: number[] = [];
  for (let i = 10; i <= 200; i += 5) levels.push(i / 100); // 0.10 … 2.00 by 0.05
  for (let i = 25; i <= 50; i += 5) levels.push(i / 10); // 2.5 … 5.0 by 0.5
  for (let i = 6; i <= 21; i++) levels.push(i); // 6 … 21 by 1
  return levels;
}

/** Rounds for output: `digits` significant digits, as a number (no binary tails such as 0.1000000002). */
function sig(value: number, digits = 6): number {
  return Number(value.toPrecision(digits));
}

function rqCurve(preset: PlantPreset, tempC: number, co2Kpa: number): object[] {
  return rqCurveO2LevelsKpa().map((o2Kpa) => {
    const r = respirationRates(preset.respiration, tempC, o2Kpa, co2Kpa);
    return {
      o2Kpa,
      rq: sig(r.rq),
      o2UptakeNmolKgS: sig(r.o2UptakeMolPerKgS * 1e9),
      co2OutputNmolKgS: sig(r.co2ProductionMolPerKgS * 1e9),
    };
  });
}

const CSV_COLUMNS = [
  'timeS', 'o2Kpa', 'co2Kpa', 'pressurePa', 'tempC', 'fruitTempC', 'rq', 'o2SensorKpa', 'co2SensorKpa',
  'n2', 'air', 'scrub', 'bagM3', 'ethanolMgPerKg', 'firmnessN', 'injuryIndex', 'energyKWh',
] as const;

/** A row with fixed precision, so that output is byte-identical for a seed and free of NaN/Infinity. */
function formatRow(row: PlantRunRow): Record<(typeof CSV_COLUMNS)[number], number | null> {
  const fixed = (v: number, d: number): number => {
    const x = Number(v.toFixed(d));
    return Object.is(x, -0) ? 0 : x;
  };
  return {
    timeS: row.timeS,
    o2Kpa: fixed(row.o2Kpa, 4),
    co2Kpa: fixed(row.co2Kpa, 4),
    pressurePa: fixed(row.pressurePa, 2),
    tempC: fixed(row.tempC, 2),
    fruitTempC: fixed(row.fruitTempC, 3),
    rq: row.rq === null ? null : fixed(row.rq, 4),
    o2SensorKpa: row.o2SensorKpa === null ? null : fixed(row.o2SensorKpa, 2),
    co2SensorKpa: row.co2SensorKpa === null ? null : fixed(row.co2SensorKpa, 2),
    n2: row.n2 ? 1 : 0,
    air: row.air ? 1 : 0,
    scrub: row.scrub ? 1 : 0,
    bagM3: fixed(row.bagVolumeM3, 3),
    ethanolMgPerKg: fixed(row.ethanolMgPerKg, 2),
    firmnessN: fixed(row.firmnessN, 3),
    injuryIndex: fixed(row.injuryIndex, 3),
    energyKWh: fixed(row.energyKWh, 3),
  };
}

export async function simCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: joinNegativeValues(argv, ['--days', '--step-s', '--seed', '--leak-cm2', '--temp-c', '--co2-kpa', '--every-s', '--o2-kpa']),
    options: {
      'list-presets': { type: 'boolean', default: false },
      preset: { type: 'string' },
      'rq-curve': { type: 'boolean', default: false },
      days: { type: 'string' },
      'step-s': { type: 'string' },
      seed: { type: 'string' },
      'leak-cm2': { type: 'string' },
      'temp-c': { type: 'string' },
      'co2-kpa': { type: 'string' },
      'every-s': { type: 'string' },
      control: { type: 'string' },
      'o2-kpa': { type: 'string' },
      weather: { type: 'string' },
      integrator: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(SIM_HELP);
    return 0;
  }

  if (values['list-presets']) {
    if (!values.json) throw new UsageError('--list-presets needs --json (the only output format)');
    const list = allPresets().map((p) => ({
      name: p.name,
      kind: p.kind,
      species: p.species,
      cultivar: p.cultivar,
      sources: p.sources,
    }));
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }

  if (values.preset === undefined) throw new UsageError('--preset NAME or --list-presets is required');
  const preset = presetOrUsage(values.preset);
  const tempC = parseNumber(values['temp-c'], '--temp-c', preset.storage.tempC, { min: -10, max: 40 });

  if (values['rq-curve']) {
    if (!values.json) throw new UsageError('--rq-curve needs --json (the only output format)');
    const co2Kpa = parseNumber(values['co2-kpa'], '--co2-kpa', 0, { min: 0, max: 25 });
    process.stdout.write(`${JSON.stringify(rqCurve(preset, tempC, co2Kpa))}\n`);
    return 0;
  }

  const format = values.format;
  if (format !== 'csv' && format !== 'json') {
    throw new UsageError(`--format must be csv or json: ${format === undefined ? 'missing' : `"${format}"`}`);
  }
  const days = parseNumber(values.days, '--days', 30, { min: 0, max: 1000, above: true });
  const stepS = parseNumber(values['step-s'], '--step-s', 10, SIM_LIMITS.stepS);
  const seed = parseNumber(values.seed, '--seed', 1, { min: 0, max: 4_294_967_295, integer: true });
  const leakAreaCm2 =
    values['leak-cm2'] === undefined ? undefined : parseNumber(values['leak-cm2'], '--leak-cm2', 0, SIM_LIMITS.leakAreaCm2);
  const everyS = parseNumber(values['every-s'], '--every-s', 3600, { min: 60, max: 86_400, integer: true });
  if (everyS % 60 !== 0) throw new UsageError(`--every-s must be a multiple of 60 from 60 to 86400: "${values['every-s']}"`);
  const control = values.control ?? 'hold';
  if (control !== 'hold' && control !== 'none') throw new UsageError(`--control must be hold or none: "${control}"`);
  const weather = values.weather ?? 'on';
  if (weather !== 'on' && weather !== 'off') throw new UsageError(`--weather must be on or off: "${weather}"`);
  const integrator = values.integrator;
  if (integrator !== undefined && integrator !== 'rk4' && integrator !== 'dopri5') {
    throw new UsageError(`--integrator must be rk4 or dopri5: "${integrator}"`);
  }
  let o2Kpa: [number, number] | undefined;
  if (values['o2-kpa'] !== undefined) {
    const text = values['o2-kpa'];
    const parts = text.split(':');
    const rule = `--o2-kpa must be LOW:HIGH with 0 ≤ LOW < HIGH ≤ 25 kPa: "${text}"`;
    if (parts.length !== 2) throw new UsageError(rule);
    const low = parseNumber(parts[0], '--o2-kpa LOW', 0, { min: 0, max: 25 });
    const high = parseNumber(parts[1], '--o2-kpa HIGH', 0, { min: 0, max: 25 });
    if (!(high > low)) throw new UsageError(rule);
    o2Kpa = [low, high];
  }

  // Rows go out as they are made, so `| head` stops the run (StdoutClosedError) instead of waiting for it.
  const out = new StdoutChunks();
  let rows = 0;
  if (format === 'csv') out.write(`${CSV_COLUMNS.join(',')}\n`);
  const onRow = (row: PlantRunRow): void => {
    const r = formatRow(row);
    if (format === 'csv') out.write(`${CSV_COLUMNS.map((c) => (r[c] === null ? '' : String(r[c]))).join(',')}\n`);
    else out.write(`${rows === 0 ? '[\n' : ',\n'}${JSON.stringify(r)}`);
    rows++;
  };
  try {
    runPlant(
      {
        plant: {
          preset: preset.name,
          tempC,
          maxStepS: stepS,
          seed,
          ...(leakAreaCm2 === undefined ? {} : { leakAreaCm2 }),
          ...(integrator === undefined ? {} : { integrator }),
        },
        days,
        recordEveryS: everyS,
        control,
        weather: weather === 'on',
        ...(o2Kpa === undefined ? {} : { o2Kpa }),
      },
      onRow,
    );
    if (format === 'json') out.write(rows === 0 ? '[\n\n]\n' : '\n]\n');
    out.flush();
  } catch (err) {
    if (err instanceof StdoutClosedError) return 0; // the reader has what it wanted
    throw err;
  }
  return 0;
}
