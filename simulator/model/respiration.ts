/**
 * Respiration of stored fruit, per kg of fruit, from the partial pressures of O2 and CO2 around it.
 * Source: DOMAIN.md §2 (Ho et al. 2008, PLoS Comput Biol, doi:10.1371/journal.pcbi.1000023; Hertog et al.
 * 1998; Peppelenbos et al. 1996).
 *
 *     rO2  = VmO2(T) · pO2 / ((KmO2 + pO2) · (1 + pCO2 / KmCO2))      oxidative O2 uptake
 *     rCO2 = RQox · rO2 + Vmf(T) / (1 + pO2 / Kmf)                      oxidative + fermentative CO2
 *     Vm(T) = Vm,ref · exp(Ea/R · (1/Tref − 1/T))                       Arrhenius, T in K
 *
 * Units. Rates in mol kg⁻¹ s⁻¹: the paper's per-m³-of-tissue maxima divided by the tissue density (the
 * preset does that). Partial pressures and all three Michaelis constants in kPa: Ho et al. give KmO2,
 * KmCO2 and Kmf in kPa, and kPa is how the bench names gas levels (DESIGN.md), so no Henry's-law
 * conversion is needed. Model choice: the kinetics see the room's partial pressures directly (a lumped
 * fruit, no skin or tissue diffusion resistance); DOMAIN.md §2 notes that whole-fruit diffusion moves the
 * apparent break point to higher room O2, which the apple presets express by a larger apparent KmO2
 * (presets/apple-kinetics.ts).
 *
 * Partial pressures below zero (an integrator overshooting near anoxia) are treated as zero, so uptake
 * never turns into production.
 */
import { GAS_CONSTANT_J_PER_MOL_K, celsiusToKelvin } from './gas-properties.js';

/** Michaelis–Menten respiration kinetics of one fruit type, per kg of fruit. */
export interface RespirationKinetics {
  /** Maximum O2 uptake at `tRefC`, mol kg⁻¹ s⁻¹. */
  vmO2RefMolPerKgS: number;
  /** Activation energy of the O2 uptake maximum, J/mol. */
  eaO2JPerMol: number;
  /** Maximum fermentative CO2 production at `tRefC`, mol kg⁻¹ s⁻¹. */
  vmFermRefMolPerKgS: number;
  /** Activation energy of the fermentation maximum, J/mol. */
  eaFermJPerMol: number;
  /** Michaelis constant of O2 uptake for O2, kPa. */
  kmO2Kpa: number;
  /** Non-competitive inhibition constant of O2 uptake by CO2, kPa. */
  kmCo2Kpa: number;
  /** Inhibition constant of fermentation by O2, kPa. */
  kmFermO2Kpa: number;
  /** Respiratory quotient of oxidative respiration (CO2 produced per O2 consumed). */
  rqOx: number;
  /** Reference temperature of the maxima, °C. */
  tRefC: number;
}

/** Arrhenius factor exp(Ea/R · (1/Tref − 1/T)): 1 at the reference temperature. */
export function arrheniusFactor(eaJPerMol: number, tRefC: number, tempC: number): number {
  return Math.exp((eaJPerMol / GAS_CONSTANT_J_PER_MOL_K) * (1 / celsiusToKelvin(tRefC) - 1 / celsiusToKelvin(tempC)));
}

/** Maximum O2 uptake VmO2 at `tempC`, mol kg⁻¹ s⁻¹. */
export function vmO2MolPerKgS(kinetics: RespirationKinetics, tempC: number): number {
  return kinetics.vmO2RefMolPerKgS * arrheniusFactor(kinetics.eaO2JPerMol, kinetics.tRefC, tempC);
}

/** Maximum fermentative CO2 production Vmf at `tempC`, mol kg⁻¹ s⁻¹. */
export function vmFermMolPerKgS(kinetics: RespirationKinetics, tempC: number): number {
  return kinetics.vmFermRefMolPerKgS * arrheniusFactor(kinetics.eaFermJPerMol, kinetics.tRefC, tempC);
}

/**
 * Oxidative O2 uptake rO2 = Vm·pO2 / ((KmO2 + pO2)(1 + pCO2/KmCO2)), mol kg⁻¹ s⁻¹, for a maximum `vmO2`
 * already at temperature.
 */
export function o2UptakeMolPerKgS(
  vmO2: number,
  kinetics: RespirationKinetics,
  o2Kpa: number,
  co2Kpa: number,
): number {
  const o2 = o2Kpa > 0 ? o2Kpa : 0;
  const co2 = co2Kpa > 0 ? co2Kpa : 0;
  return (vmO2 * o2) / ((kinetics.kmO2Kpa + o2) * (1 + co2 / kinetics.kmCo2Kpa));
}

/** Fermentative CO2 production Vmf / (1 + pO2/Kmf), mol kg⁻¹ s⁻¹, for a maximum `vmFerm` at temperature. */
export function fermentativeCo2MolPerKgS(vmFerm: number, kinetics: RespirationKinetics, o2Kpa: number): number {
  const o2 = o2Kpa > 0 ? o2Kpa : 0;
  return vmFerm / (1 + o2 / kinetics.kmFermO2Kpa);
}

/** Total CO2 production RQox·rO2 + fermentative, mol kg⁻¹ s⁻¹, given the O2 uptake `o2Uptake`. */
export function co2ProductionMolPerKgS(
  o2Uptake: number,
  vmFerm: number,
  kinetics: RespirationKinetics,
  o2Kpa: number,
): number {
  return kinetics.rqOx * o2Uptake + fermentativeCo2MolPerKgS(vmFerm, kinetics, o2Kpa);
}

/** Rates at one condition, for reports and tests (the cell model uses the functions above directly). */
export interface RespirationRates {
  /** O2 uptake, mol kg⁻¹ s⁻¹. */
  o2UptakeMolPerKgS: number;
  /** CO2 production, mol kg⁻¹ s⁻¹. */
  co2ProductionMolPerKgS: number;
  /** Respiratory quotient rCO2 / rO2 (Infinity under anoxia). */
  rq: number;
}

export function respirationRates(
  kinetics: RespirationKinetics,
  tempC: number,
  o2Kpa: number,
  co2Kpa: number,
): RespirationRates {
  const o2Uptake = o2UptakeMolPerKgS(vmO2MolPerKgS(kinetics, tempC), kinetics, o2Kpa, co2Kpa);
  const co2Production = co2ProductionMolPerKgS(o2Uptake, vmFermMolPerKgS(kinetics, tempC), kinetics, o2Kpa);
  return { o2UptakeMolPerKgS: o2Uptake, co2ProductionMolPerKgS: co2Production, rq: co2Production / o2Uptake };
}
