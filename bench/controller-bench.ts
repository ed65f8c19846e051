/**
 * `npm run bench:controller`: the fast bench (rig/fast-bench.ts) over a DCA season, not a test. Every part in
 * the loop — the plant, the wasm firmware behind the in-memory binding, the real bridge (Fastify routes and
 * SQLite in memory) and the reference controller through the in-process client — on one virtual clock,
 * readings once a minute. Two scenarios, each run RUNS times, the table shows medians:
 *   1 cell     one cell's season; the plant's, sensor modules', firmware's, bridge's and controller's shares of that run
 *   8 cells    eight cells in one bench; wall time per cell-season
 * Target (issue 11): one 270-day season of one cell ≤ 10 s on a 2-core machine (≤ 20 s at most).
 *
 * Usage: tsx bench/controller-bench.ts [--days 270] [--runs 3] [--controller reference|none]
 * With fewer days the table also gives the figure extrapolated to 270 days (linear in days: the per-minute
 * work does not grow with the season).
 */

import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createFastBench, type FastTimings } from '../rig/index.js';

const SEASON_DAYS = 270;
const DAY_MS = 86_400_000;

const { values } = parseArgs({
  options: { days: { type: 'string', default: String(SEASON_DAYS) }, runs: { type: 'string', default: '3' }, controller: { type: 'string', default: 'reference' } },
});
const days = Number(values.days);
const runs = Number(values.runs);
const controller = values.controller as 'reference' | 'none';
if (!(days > 0)) throw new RangeError(`"--days" must be a positive number: ${values.days}`);
if (!(Number.isInteger(runs) && runs > 0)) throw new RangeError(`"--runs" must be a positive integer: ${values.runs}`);
if (controller !== 'reference' && controller !== 'none') throw new RangeError(`"--controller" must be reference or none: ${values.controller}`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface RunResult {
  wallMs: number;
  timings: FastTimings;
  readings: number;
}

async function season(cells: number, seed: number): Promise<RunResult> {
  const bench = createFastBench({
    cells: Array.from({ length: cells }, (_, i) => ({ serialNumber: `GB-${String(i + 1).padStart(2, '0')}` })),
    seed,
    controller,
    logDecisions: false,
  });
  try {
    await bench.start();
    const t0 = performance.now();
    await bench.runFor(days * DAY_MS);
    const wallMs = performance.now() - t0;
    const readings = bench.record().cells.reduce((n, c) => n + c.counts.readingsStored, 0);
    return { wallMs, timings: bench.timings(), readings };
  } finally {
    await bench.close();
  }
}

const s = (ms: number): string => (ms / 1000).toFixed(2);
const pct = (part: number, t: FastTimings): string => `${((100 * part) / t.totalMs).toFixed(0)} %`;

const one: RunResult[] = [];
const eight: RunResult[] = [];
for (let r = 0; r < runs; r++) {
  one.push(await season(1, r + 1));
  eight.push(await season(8, r + 1));
}

const scale = SEASON_DAYS / days;
const med = (rs: RunResult[], f: (r: RunResult) => number): number => median(rs.map(f));
console.log(`\nfast bench, ${days} plant days at one reading a minute, controller "${controller}"; medians of ${runs} runs\n`);
console.log(`(this machine: ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the end)\n`);
console.log('| scenario | readings stored | wall s measured | wall s per cell-season (270 d) | plant | modules | firmware | bridge | controller | bench loop | target |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [name, rs, cells] of [['1 cell', one, 1], ['8 cells', eight, 8]] as const) {
  const wall = med(rs, (r) => r.wallMs);
  const t = rs.find((r) => r.wallMs === wall) ?? rs[0]!;
  const perCellSeason = (wall * scale) / cells;
  console.log(
    `| ${name} | ${med(rs, (r) => r.readings).toFixed(0)} | ${s(wall)} | ${s(perCellSeason)} | ${pct(t.timings.plantMs, t.timings)} | ${pct(t.timings.modulesMs, t.timings)} | ${pct(t.timings.firmwareMs, t.timings)} | ${pct(t.timings.bridgeMs, t.timings)} | ${pct(t.timings.controllerMs, t.timings)} | ${pct(t.timings.benchMs, t.timings)} | ≤ 10 s (≤ 20 s) per cell-season |`,
  );
}
console.log('\nshares: wall time by part in the median run (modules: the sensor-module emulators, CO2 Modbus answers and O2 lines with the sensor reads; bridge: ingest, its timers and the routes the controller called; controller: its own work)');
