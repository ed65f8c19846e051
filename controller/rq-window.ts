/**
 * One closed-cell RQ measurement (DOMAIN.md §4): with N2 and scrubbing stopped, the O2 fall and the CO2
 * rise over a window, each fitted by least squares, give the fruit's O2 uptake and CO2 output; their ratio
 * is the respiratory quotient.
 *
 *  - Pressure and volume: the inert-gas (Haldane) transformation of respirometry (Lighton 2008, "Measuring
 *    Metabolic Rates", ch. 8). A closed cell's partial pressures move for two reasons besides the fruit's
 *    gas exchange: the total pressure changes (a barometric front, the cooling cycle), and, with a breather
 *    bag holding the pressure, the gas that is left is concentrated as O2 is used faster than CO2 appears
 *    (the bag deflates; every partial pressure rises by its own share). N2 and argon are neither made nor
 *    used, so each sample is expressed per inert gas, p·Pᵢ₀/Pᵢ with Pᵢ = P − pO2 − pCO2 (P the board's
 *    pressure, or 101.325 kPa when it sends none), and the slopes are fitted to that. Without it a window in
 *    air reads the O2 uptake about 7 % low against one at 1.5 kPa O2 (its share of the shrinking gas is 14
 *    times larger), and every RQ ratio against an aerobic reference in air comes out low.
 *  - Leak. Outside air comes in through the leak: Q = Cd·A·√(2Δp/ρ) (DOMAIN.md §5) at the configured Δp,
 *    which moves O2 by Q/V·(pO2,air − pO2) and CO2 by Q/V·(pCO2,air − pCO2) (kPa per unit time, V the free
 *    gas volume). Subtracted from the slopes: uptake = −(dO2/dt − leakO2), output = dCO2/dt − leakCO2.
 *  - Quality. A window is rejected, with its reason, when it has too few samples or a gap, when any sample
 *    is missing or flagged, when it was disturbed (a valve, the door), or when the O2 slope is too uncertain
 *    (its relative standard error). The CO2 half may be untrustworthy while the O2 half is good; the result
 *    says so (`co2Trusted`), and the detector then holds rather than lowering: O2 uptake is the more
 *    reliable half (Bessemans et al. 2020).
 */

import { RD_DECIMALS } from '../bridge/events.js';

/** One sample of a window: a reading's time and values, pressure when the board sends it. */
export interface WindowSample {
  tMs: number;
  o2Kpa: number;
  co2Kpa: number;
  pressurePa: number | null;
}

export interface LeakEstimate {
  /** Effective leak area, cm². */
  leakAreaCm2: number;
  /** Free gas volume, m³. */
  freeVolumeM3: number;
  /** Driving pressure difference, Pa. */
  deltaPPa: number;
  cd: number;
}

export interface WindowOptions {
  /** Samples needed at least. Default 12. */
  minSamples?: number;
  /** Longest gap between two samples, ms. Default 20 min. */
  maxGapMs?: number;
  /** Window length needed at least, ms. */
  minDurationMs: number;
  leak: LeakEstimate | null;
  maxO2SlopeRelSe: number;
  maxCo2SlopeRelSe: number;
}

export interface LinearFit {
  /** Slope per hour. */
  slopePerH: number;
  /** Its standard error per hour. */
  slopeSePerH: number;
  /** Residual standard deviation. */
  residualSd: number;
  n: number;
}

export type WindowResult =
  | {
      ok: true;
      /** O2 uptake and CO2 output, kPa/h of the free gas, corrected for leak and pressure. */
      o2UptakeKpaPerH: number;
      co2OutputKpaPerH: number;
      /** Relative standard errors of the two. */
      o2RelSe: number;
      co2RelSe: number;
      /** CO2 output / O2 uptake. */
      rq: number;
      /** False when the CO2 fit is too uncertain to decide on: decide on O2 alone (hold). */
      co2Trusted: boolean;
      /** The leak's share of the O2 slope, kPa/h (0 without an estimate). */
      leakO2KpaPerH: number;
      fromMs: number;
      toMs: number;
      n: number;
    }
  | { ok: false; reason: string; fromMs: number; toMs: number; n: number };

/** O2 and CO2 in outdoor air, kPa at 101.325 kPa. */
const AIR_O2_KPA = 20.95;
const AIR_CO2_KPA = 0.042;
const AIR_DENSITY_KG_M3 = 1.29;
/** The total pressure assumed when a board sends none, kPa. */
const NOMINAL_PRESSURE_KPA = 101.325;

/** Least-squares line through (x hours, y); slope per hour with its standard error. */
export function fitLine(xH: ArrayLike<number>, y: ArrayLike<number>, quantum = 0): LinearFit {
  const n = xH.length;
  if (n < 3) return { slopePerH: NaN, slopeSePerH: Infinity, residualSd: NaN, n };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xH[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xH[i]! - mx;
    sxx += dx * dx;
    sxy += dx * (y[i]! - my);
  }
  if (sxx === 0) return { slopePerH: NaN, slopeSePerH: Infinity, residualSd: NaN, n };
  const slope = sxy / sxx;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i]! - (my + slope * (xH[i]! - mx));
    sse += r * r;
  }
  const residualSd = Math.sqrt(sse / (n - 2));
  // A quantised reading (0.01 kPa O2 on the wire) can fit a line exactly over a short window: the residual is
  // floored at the quantisation's own standard deviation (step/√12), so the error is never claimed to be zero.
  const floorSd = quantum / Math.sqrt(12);
  return { slopePerH: slope, slopeSePerH: Math.max(residualSd, floorSd) / Math.sqrt(sxx), residualSd, n };
}

/** The leak's volume inflow, m³/h: Q = Cd·A·√(2Δp/ρ). */
export function leakInflowM3PerH(leak: LeakEstimate): number {
  const areaM2 = leak.leakAreaCm2 * 1e-4;
  return leak.cd * areaM2 * Math.sqrt((2 * Math.max(0, leak.deltaPPa)) / AIR_DENSITY_KG_M3) * 3600;
}

/** Evaluates one closed-cell window. `disturbance` is set when something opened during it (then rejected). */
export function evaluateWindow(samples: readonly WindowSample[], options: WindowOptions, disturbance: string | null = null): WindowResult {
  const n = samples.length;
  const fromMs = n > 0 ? samples[0]!.tMs : NaN;
  const toMs = n > 0 ? samples[n - 1]!.tMs : NaN;
  const reject = (reason: string): WindowResult => ({ ok: false, reason, fromMs, toMs, n });
  if (disturbance) return reject(`disturbed: ${disturbance}`);
  const minSamples = options.minSamples ?? 12;
  if (n < minSamples) return reject(`${n} samples, fewer than ${minSamples}`);
  if (toMs - fromMs < options.minDurationMs) return reject(`window of ${((toMs - fromMs) / 3_600_000).toFixed(1)} h, shorter than ${(options.minDurationMs / 3_600_000).toFixed(1)} h`);
  const maxGapMs = options.maxGapMs ?? 20 * 60_000;
  for (let i = 1; i < n; i++) {
    const gap = samples[i]!.tMs - samples[i - 1]!.tMs;
    if (gap > maxGapMs) return reject(`a gap of ${(gap / 60_000).toFixed(0)} min in the readings`);
  }
  const inert = (s: WindowSample): number => (s.pressurePa !== null && s.pressurePa > 0 ? s.pressurePa / 1000 : NOMINAL_PRESSURE_KPA) - s.o2Kpa - s.co2Kpa;
  const inert0 = inert(samples[0]!);
  if (!(inert0 > 0)) return reject(`implausible first sample: O2 ${samples[0]!.o2Kpa} + CO2 ${samples[0]!.co2Kpa} kPa leave no inert gas`);
  const x = new Float64Array(n);
  const o2 = new Float64Array(n);
  const co2 = new Float64Array(n);
  let o2Mean = 0;
  let co2Mean = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    const pi = inert(s);
    if (!(pi > 0)) return reject(`implausible sample: O2 ${s.o2Kpa} + CO2 ${s.co2Kpa} kPa leave no inert gas`);
    const k = inert0 / pi;
    x[i] = (s.tMs - fromMs) / 3_600_000;
    o2[i] = s.o2Kpa * k;
    co2[i] = s.co2Kpa * k;
    o2Mean += o2[i]!;
    co2Mean += co2[i]!;
  }
  o2Mean /= n;
  co2Mean /= n;
  const o2Fit = fitLine(x, o2, 10 ** -RD_DECIMALS.o2);
  const co2Fit = fitLine(x, co2, 10 ** -RD_DECIMALS.co2);
  let leakO2 = 0;
  let leakCo2 = 0;
  if (options.leak && options.leak.freeVolumeM3 > 0) {
    const exchangePerH = leakInflowM3PerH(options.leak) / options.leak.freeVolumeM3;
    leakO2 = exchangePerH * (AIR_O2_KPA - o2Mean);
    leakCo2 = exchangePerH * (AIR_CO2_KPA - co2Mean);
  }
  const uptake = -(o2Fit.slopePerH - leakO2);
  const output = co2Fit.slopePerH - leakCo2;
  if (!(uptake > 0)) return reject(`no O2 uptake (O2 slope ${o2Fit.slopePerH.toFixed(4)} kPa/h, leak ${leakO2.toFixed(4)} kPa/h)`);
  const o2RelSe = o2Fit.slopeSePerH / uptake;
  if (!(o2RelSe <= options.maxO2SlopeRelSe)) return reject(`O2 too noisy: uptake ${uptake.toFixed(4)} ± ${o2Fit.slopeSePerH.toFixed(4)} kPa/h (${(o2RelSe * 100).toFixed(1)} % > ${(options.maxO2SlopeRelSe * 100).toFixed(0)} %)`);
  const co2RelSe = output > 0 ? co2Fit.slopeSePerH / output : Infinity;
  return {
    ok: true,
    o2UptakeKpaPerH: uptake,
    co2OutputKpaPerH: output,
    o2RelSe,
    co2RelSe,
    rq: output / uptake,
    co2Trusted: co2RelSe <= options.maxCo2SlopeRelSe,
    leakO2KpaPerH: leakO2,
    fromMs,
    toMs,
    n,
  };
}
