/**
 * `npm run bench:sim`: how fast the plant simulator runs a storage season.
 *
 *  1. One cell (gala-apple, 40 t, 180 m³), a 270-day season at 10 s RK4 steps with every term on: the
 *     regime keeper switching N2, fresh air and scrubber; weather moving the ambient pressure and
 *     temperature; breather bag, relief valve, leak, cooling thermostat, CO2 dissolution, ethanol,
 *     firmness, scrubber beds, sensors read every minute. Several runs; the table gives the median.
 *  2. 100 such cells (seeds 1–100), split over worker threads, one per core.
 *  3. One pallet cover (pallet-cover-elstar, 0.75 m³ free, 80 L bag), the same season and regime keeper, on
 *     the adaptive Dormand–Prince 5(4) integrator (its default) and, once, on RK4, which its leak time
 *     constant holds to ≈ 1 s sub-steps.
 *  4. The floor under 1: the same number of RK4 steps of the fused derivative alone, from a fixed state
 *     with fixed coefficients (no events, ledger bookings, sensors, keeper or weather), so that the share
 *     of the season that is the physics itself can be read off inside one run.
 *
 * Targets (issue 3): ≤ 0.5 s per cell-season on one core; 100 cells ≤ 30 s on 2 cores. Not part of
 * `npm test`: timings depend on the machine and its load. Prints a table, and `--json` prints the figures.
 */
import os, { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  CELL_CLOSED_DOOR_SIZE,
  CELL_DYNAMIC_SIZE,
  CellStateIndex,
  cellFusedDerivativeFn,
  cellStepCoefficients,
  createCellState,
  createCellStepCoefficients,
  createRk4Stepper,
  molFromKpa,
  resolveCellPlantOptions,
  runPlant,
} from '../simulator/index.js';

const SEASON_DAYS = 270;
const STEP_S = 10;

interface SeasonResult {
  wallS: number;
  /** CPU time of the process (user + system) during the season, s: the load of others does not count. */
  cpuS: number;
  integratorSteps: number;
  firmnessN: number;
}

function season(seed: number): SeasonResult {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = runPlant({ plant: { preset: 'gala-apple', seed, maxStepS: STEP_S }, days: SEASON_DAYS, recordEveryS: 86_400 });
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wallS, cpuS: (c.user + c.system) / 1e6, integratorSteps: summary.integratorSteps, firmnessN: summary.plant.truth().firmnessN };
}

interface PalletResult {
  wallS: number;
  steps: number;
  rejected: number;
}

function palletSeason(integrator: 'rk4' | 'dopri5'): PalletResult {
  const t0 = performance.now();
  const summary = runPlant({ plant: { preset: 'pallet-cover-elstar', seed: 1, maxStepS: STEP_S, integrator }, days: SEASON_DAYS, recordEveryS: 86_400 });
  return { wallS: (performance.now() - t0) / 1000, steps: summary.integratorSteps, rejected: summary.rejectedSteps };
}

/** Row 4: `steps` RK4 steps of the fused derivative on a mid-season gala cell, nothing else. */
function coreAlone(steps: number): number {
  const resolved = resolveCellPlantOptions({ preset: 'gala-apple' });
  const { params } = resolved;
  const coefficients = createCellStepCoefficients();
  cellStepCoefficients(
    { actuators: { ...resolved.actuators, scrub: true }, ambient: resolved.ambient, fermentationScale: 1, coolingOn: true, kineticsTempC: 1, activeBed: 0 },
    params,
    coefficients,
  );
  // Gala's regime (1.2 kPa O2, 1 kPa CO2) in the slack bag at 1 °C; fruit, beds and temperatures mid-range.
  const volumeM3 = params.freeVolumeM3 + params.breatherBagM3 / 2;
  const mol = (kpa: number): number => molFromKpa(kpa, volumeM3, 1);
  const full = createCellState({ o2Mol: mol(1.2), co2Mol: mol(1), n2Mol: mol(resolved.ambient.pressurePa / 1000 - 2.2) });
  const I = CellStateIndex;
  full[I.co2Dissolved] = 20;
  full[I.fruitTempC] = 1.2;
  full[I.airTempC] = 1;
  full[I.firmnessN] = 60;
  full[I.bedALoad] = 10;
  full[I.bedBLoad] = 5;
  const state = full.slice(0, CELL_CLOSED_DOOR_SIZE);
  // The plant's own derivative function: another closure here would make the stepper's call site polymorphic.
  const f = cellFusedDerivativeFn;
  const stepper = createRk4Stepper(CELL_CLOSED_DOOR_SIZE, { quadratureFrom: CELL_DYNAMIC_SIZE });
  // Back to the start every simulated hour: with the inputs frozen, O2 would run out over a season and the
  // derivative would end up computing with subnormal numbers, which no real run does.
  const start = state.slice();
  const t0 = performance.now();
  for (let n = 0; n < steps; n++) {
    if (n % 360 === 0) state.set(start);
    stepper.step(f, n * STEP_S, state, STEP_S, coefficients);
  }
  const wallS = (performance.now() - t0) / 1000;
  if (!Number.isFinite(state[0]!)) throw new Error('the fixed-state core run went non-finite');
  return wallS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function maxRssMiB(): number {
  // resourceUsage().maxRSS is in KiB (peak resident set of the process, all threads).
  return process.resourceUsage().maxRSS / 1024;
}

if (!isMainThread) {
  const { seeds } = workerData as { seeds: number[] };
  const results = seeds.map((seed) => season(seed));
  parentPort!.postMessage({ results, maxRssMiB: maxRssMiB() });
} else {
  const json = process.argv.includes('--json');
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const cells = Number(process.env.BENCH_CELLS ?? 100);
  const cores = Math.max(1, Math.min(availableParallelism(), Number(process.env.BENCH_THREADS ?? availableParallelism())));

  // 1. One cell, several runs (the first one also warms up the JIT and is kept: it is what a user waits for).
  const single: SeasonResult[] = [];
  let heapPeakMiB = 0;
  for (let i = 0; i < runs; i++) {
    single.push(season(1));
    heapPeakMiB = Math.max(heapPeakMiB, process.memoryUsage().heapUsed / 2 ** 20);
  }
  const wall = median(single.map((r) => r.wallS));
  const steps = single[0]!.integratorSteps;

  // 4. The physics alone, the same number of steps, right after (same machine state).
  const core = median([coreAlone(steps), coreAlone(steps), coreAlone(steps)]);

  // 3. A pallet cover: adaptive (median of 3), and RK4 once for the ratio.
  const palletAdaptive = [palletSeason('dopri5'), palletSeason('dopri5'), palletSeason('dopri5')];
  const palletRk4 = palletSeason('rk4');
  const palletAdaptiveWallS = median(palletAdaptive.map((r) => r.wallS));

  // 2. 100 cells over the cores.
  const t0 = performance.now();
  const seedsPerWorker: number[][] = Array.from({ length: cores }, () => []);
  for (let s = 1; s <= cells; s++) seedsPerWorker[(s - 1) % cores]!.push(s);
  const outputs = await Promise.all(
    seedsPerWorker.map(
      (seeds) =>
        new Promise<{ results: SeasonResult[]; maxRssMiB: number }>((resolve, reject) => {
          const worker = new Worker(new URL('./tsx-worker.mjs', import.meta.url), {
            workerData: { seeds, entry: import.meta.url },
          });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const manyWallS = (performance.now() - t0) / 1000;
  const perCell = outputs.flatMap((o) => o.results.map((r) => r.wallS));
  const firmness = outputs.flatMap((o) => o.results.map((r) => r.firmnessN));

  const figures = {
    singleCell: {
      runs,
      medianWallS: wall,
      medianCpuS: median(single.map((r) => r.cpuS)),
      minWallS: Math.min(...single.map((r) => r.wallS)),
      maxWallS: Math.max(...single.map((r) => r.wallS)),
      integratorSteps: steps,
      stepsPerS: steps / wall,
      heapPeakMiB,
      coreAloneMedianWallS: core,
      targetS: 0.5,
      pass: wall <= 0.5,
    },
    manyCells: {
      cells,
      threads: cores,
      wallS: manyWallS,
      medianCellS: median(perCell),
      firmnessRangeN: [Math.min(...firmness), Math.max(...firmness)],
      targetS: 30,
      pass: manyWallS <= 30,
    },
    palletCover: {
      adaptiveMedianWallS: palletAdaptiveWallS,
      adaptiveSteps: palletAdaptive[0]!.steps,
      adaptiveRejected: palletAdaptive[0]!.rejected,
      rk4WallS: palletRk4.wallS,
      rk4Steps: palletRk4.steps,
      speedup: palletRk4.wallS / palletAdaptiveWallS,
    },
    maxRssMiB: maxRssMiB(),
  };
  if (json) {
    console.log(JSON.stringify(figures, null, 2));
  } else {
    const row = (a: string, b: string, c: string): string => `| ${a.padEnd(44)} | ${b.padStart(14)} | ${c.padStart(8)} |`;
    const lines = [
      row('measurement', 'value', 'target'),
      row('-'.repeat(44), '-'.repeat(14), '-'.repeat(8)),
      row(`1 cell, 270 d at ${STEP_S} s: wall time (median of ${runs})`, `${wall.toFixed(3)} s`, '≤ 0.5 s'),
      row('  min / max', `${figures.singleCell.minWallS.toFixed(3)} / ${figures.singleCell.maxWallS.toFixed(3)} s`, ''),
      row('  CPU time of the process (median)', `${figures.singleCell.medianCpuS.toFixed(3)} s`, ''),
      row('  RK4 steps', String(steps), ''),
      row('  steps per second', `${(steps / wall / 1e6).toFixed(2)} M/s`, ''),
      row('  JS heap after a run (peak)', `${heapPeakMiB.toFixed(1)} MiB`, ''),
      row('  of which RK4 + derivative alone (median of 3)', `${core.toFixed(3)} s`, ''),
      row('  share of the season that is the physics', `${((100 * core) / wall).toFixed(0)} %`, ''),
      row(`${cells} cells, ${cores} worker thread(s): wall time`, `${manyWallS.toFixed(2)} s`, '≤ 30 s'),
      row('  median per cell-season inside a worker', `${median(perCell).toFixed(3)} s`, ''),
      row('1 pallet cover, 270 d, adaptive (median of 3)', `${palletAdaptiveWallS.toFixed(3)} s`, ''),
      row('  steps accepted / rejected', `${palletAdaptive[0]!.steps} / ${palletAdaptive[0]!.rejected}`, ''),
      row('  same on RK4 (its sub-step ≈ 1 s), one run', `${palletRk4.wallS.toFixed(3)} s`, ''),
      row('  RK4 steps', String(palletRk4.steps), ''),
      row('  adaptive speed-up over RK4', `${figures.palletCover.speedup.toFixed(1)}×`, ''),
      row('process peak RSS (resourceUsage maxRSS)', `${figures.maxRssMiB.toFixed(0)} MiB`, ''),
      row('machine load average (1 min) at the end', os.loadavg()[0]!.toFixed(2), ''),
    ];
    console.log(lines.join('\n'));
  }
}
