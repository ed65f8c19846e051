/**
 * The RQ break point: the room O2 below which the fruit's respiratory quotient rises above its aerobic
 * value, the low-O2 limit a DCA-RQ controller looks for. Source: DOMAIN.md §3 (Deng et al. 1997: break
 * points at 0 °C, "RQ 10 % above aerobic": Gala 0.65, Golden Delicious 0.75, Starkrimson 0.8 kPa O2).
 *
 * Definition used throughout the bench: the break point is the O2 partial pressure x at which
 *
 *     RQ(x) = 1.1 · RQox        i.e.   F(x) = 0.1 · RQox · rO2(x)
 *
 * with the kinetics of respiration.ts, F(x) = Vmf / (1 + x/Kmf) the fermentative CO2 and
 * rO2(x) = V·x/(KmO2 + x), V = VmO2 / (1 + pCO2/KmCO2). RQ(x) = RQox + F(x)/rO2(x) falls strictly with x
 * (F falls, rO2 rises), so there is exactly one crossing. Multiplying out gives a quadratic in x,
 *
 *     0.1·RQox·V · x² + (0.1·RQox·V − Vmf)·Kmf · x − Vmf·Kmf·KmO2 = 0,
 *
 * whose one positive root is the break point (closed form below, no iteration). Solved the other way,
 * the fermentation maximum that puts the break point at a given x is
 *
 *     Vmf = 0.1 · RQox · rO2(x) · (1 + x/Kmf),
 *
 * which is how the apple presets are tuned to the published break points (presets/apple-kinetics.ts).
 *
 * Drift with storage time (DOMAIN.md §3: "break points drift with storage time"): a preset gives a drift
 * in kPa per day of storage; the plant scales the fermentation maximum by
 * Vmf(x0 + drift·day) / Vmf(x0), computed with the same formula, so the break point moves by exactly the
 * drift. The size of the drift is [E] (no number found).
 */
import type { RespirationKinetics } from './respiration.js';
import { arrheniusFactor, vmO2MolPerKgS } from './respiration.js';

/** The break point's RQ relative to aerobic: 10 % above (Deng et al. 1997, DOMAIN.md §3). */
export const RQ_BREAK_FACTOR = 1.1;

/** Where and under what conditions a break point is quoted. */
export interface RqBreakPoint {
  /** O2 partial pressure of the break point, kPa. */
  o2Kpa: number;
  /** Fruit temperature it was measured at, °C. */
  tempC: number;
  /** CO2 partial pressure it was measured at, kPa. */
  co2Kpa: number;
  /** Change of the break point per day of storage, kPa/day ([E]; 0 for none). */
  driftKpaPerDay: number;
}

/** The RQ that marks the break point: RQ_BREAK_FACTOR × RQox. */
export function rqThreshold(kinetics: RespirationKinetics): number {
  return RQ_BREAK_FACTOR * kinetics.rqOx;
}

/**
 * The break point (RQ = 1.1·RQox) of `kinetics` at `tempC` and `co2Kpa`, kPa O2; `vmFermScale`
 * multiplies the fermentation maximum (storage-time drift). 0 if the fruit does not ferment.
 */
export function breakPointO2Kpa(
  kinetics: RespirationKinetics,
  tempC: number,
  co2Kpa: number,
  vmFermScale = 1,
): number {
  const excess = RQ_BREAK_FACTOR - 1;
  const v = vmO2MolPerKgS(kinetics, tempC) / (1 + Math.max(0, co2Kpa) / kinetics.kmCo2Kpa);
  const vmf = vmFermScale * kinetics.vmFermRefMolPerKgS * arrheniusFactor(kinetics.eaFermJPerMol, kinetics.tRefC, tempC);
  const a = excess * kinetics.rqOx * v;
  const b = (a - vmf) * kinetics.kmFermO2Kpa;
  const c = -vmf * kinetics.kmFermO2Kpa * kinetics.kmO2Kpa;
  if (vmf <= 0) return 0;
  // Positive root of a·x² + b·x + c (a > 0, c < 0), written to avoid cancellation when b > 0.
  const disc = Math.sqrt(b * b - 4 * a * c);
  return b > 0 ? (2 * -c) / (b + disc) : (-b + disc) / (2 * a);
}

/**
 * Fermentation maximum at `tempC`, mol kg⁻¹ s⁻¹, that puts the break point of `kinetics` (its own
 * fermentation maximum ignored) at `o2Kpa`, at `tempC` and `co2Kpa`.
 */
export function vmFermForBreakPointMolPerKgS(
  kinetics: RespirationKinetics,
  o2Kpa: number,
  tempC: number,
  co2Kpa: number,
): number {
  const v = vmO2MolPerKgS(kinetics, tempC) / (1 + Math.max(0, co2Kpa) / kinetics.kmCo2Kpa);
  const rO2 = (v * o2Kpa) / (kinetics.kmO2Kpa + o2Kpa);
  return (RQ_BREAK_FACTOR - 1) * kinetics.rqOx * rO2 * (1 + o2Kpa / kinetics.kmFermO2Kpa);
}

/**
 * The factor on the fermentation maximum after `storageDays` of storage that moves the break point by
 * `breakPoint.driftKpaPerDay` per day (≥ 0 kPa). 1 without drift.
 */
export function breakPointDriftVmFermScale(
  kinetics: RespirationKinetics,
  breakPoint: Readonly<RqBreakPoint>,
  storageDays: number,
): number {
  if (breakPoint.driftKpaPerDay === 0 || storageDays === 0) return 1;
  const shifted = Math.max(1e-6, breakPoint.o2Kpa + breakPoint.driftKpaPerDay * storageDays);
  const { tempC, co2Kpa } = breakPoint;
  return (
    vmFermForBreakPointMolPerKgS(kinetics, shifted, tempC, co2Kpa) /
    vmFermForBreakPointMolPerKgS(kinetics, breakPoint.o2Kpa, tempC, co2Kpa)
  );
}
