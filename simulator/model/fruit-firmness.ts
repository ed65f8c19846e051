/**
 * Fruit quality during storage: flesh firmness, softening first-order towards a floor, slowed by cold,
 * low O2 and high CO2 — which is why CA, ULO and DCA keep fruit firm — and a low-O2 injury index that
 * grows while fermentation ethanol is above a threshold. Together they let a run compare DCA lots with a
 * ULO control lot (DOMAIN.md §1). Source for the form: first-order softening with Arrhenius temperature
 * dependence and Michaelis–Menten O2 / non-competitive CO2 action on the rate, as for respiration
 * (DOMAIN.md §2, Hertog et al. 1998); every coefficient is [E] and to be fitted to quality samples
 * (DOMAIN.md §1: 2 × 60 fruits per plot).
 *
 *     dF/dt = −k(T) · pO2/(K_O2 + pO2) · 1/(1 + pCO2/K_CO2) · (F − F_min)
 *     k(T)  = k_ref · exp(Ea/R · (1/T_ref − 1/T))        k_ref 0.05 /day at 20 °C, Ea 80 kJ/mol
 *     K_O2 = 1 kPa, K_CO2 = 2.5 kPa, F_min = 30 N, F(0) = 70 N
 *     dI/dt = max(0, e − e_thr) / e_thr per day           e ethanol in mg/kg, e_thr 50 mg/kg
 *
 * Over 270 days at 1 °C this keeps ≈ 40 N in air, ≈ 57 N under ULO (1.2 kPa O2, 2.5 kPa CO2) and
 * ≈ 61 N at 0.6 kPa O2: DCA holds firmness best, as the industry claims, and the injury index shows
 * where it went too low.
 */
import { arrheniusFactor } from './respiration.js';

export interface FirmnessParams {
  /** Softening rate constant at tRefC in air, 1/s. */
  kRefPerS: number;
  eaJPerMol: number;
  tRefC: number;
  kmO2Kpa: number;
  kmCo2Kpa: number;
  minFirmnessN: number;
  /** Ethanol above which the injury index grows, mg/kg. */
  ethanolThresholdMgPerKg: number;
}

export const DEFAULT_FIRMNESS: Readonly<FirmnessParams> = Object.freeze({
  kRefPerS: 0.05 / 86_400,
  eaJPerMol: 80_000,
  tRefC: 20,
  kmO2Kpa: 1,
  kmCo2Kpa: 2.5,
  minFirmnessN: 30,
  ethanolThresholdMgPerKg: 50,
});

/** Firmness at the start of storage, N [E]. */
export const DEFAULT_INITIAL_FIRMNESS_N = 70;

/** dF/dt, N/s; `arrhenius` is arrheniusFactor(Ea, Tref, T) at the fruit temperature. */
export function firmnessRateNPerS(
  p: Readonly<FirmnessParams>,
  arrhenius: number,
  o2Kpa: number,
  co2Kpa: number,
  firmnessN: number,
): number {
  const o2 = Math.max(0, o2Kpa);
  const co2 = Math.max(0, co2Kpa);
  return -p.kRefPerS * arrhenius * (o2 / (p.kmO2Kpa + o2)) / (1 + co2 / p.kmCo2Kpa) * (firmnessN - p.minFirmnessN);
}

/** The Arrhenius factor of softening at `tempC`. */
export function firmnessArrhenius(p: Readonly<FirmnessParams>, tempC: number): number {
  return arrheniusFactor(p.eaJPerMol, p.tRefC, tempC);
}

/** dI/dt of the low-O2 injury index, 1/s. */
export function injuryRatePerS(p: Readonly<FirmnessParams>, ethanolMgPerKg: number): number {
  const excess = ethanolMgPerKg - p.ethanolThresholdMgPerKg;
  return excess > 0 ? excess / p.ethanolThresholdMgPerKg / 86_400 : 0;
}
