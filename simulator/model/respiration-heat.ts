/**
 * Heat released by respiring fruit. Oxidative respiration of glucose releases its heat of combustion,
 * 2803 kJ per mol glucose, i.e. 467 kJ per mol O2 consumed (6 O2 per glucose); alcoholic fermentation
 * (glucose → 2 ethanol + 2 CO2) releases 2803 − 2 · 1367 = 69 kJ per mol glucose, 34.5 kJ per mol of
 * fermentative CO2. Source: standard enthalpies of combustion of glucose (2803 kJ/mol) and ethanol
 * (1367 kJ/mol) [S: CRC Handbook of Chemistry and Physics]; DOMAIN.md §1 (lower respiration saves cooling
 * energy).
 *
 *     q = 467 000 · rO2 + 34 500 · rCO2,ferm       W, rates in mol/s
 *
 * At 4 mL O2 kg⁻¹ h⁻¹ (apples in air at 1 °C) that is 23 mW/kg: 0.6 kW for 25 t.
 */

/** Heat per mol O2 of oxidative respiration, J/mol. */
export const OXIDATIVE_HEAT_J_PER_MOL_O2 = 2_803_000 / 6;
/** Heat per mol CO2 of alcoholic fermentation, J/mol. */
export const FERMENTATIVE_HEAT_J_PER_MOL_CO2 = (2_803_000 - 2 * 1_367_000) / 2;

/** Respiration heat, W. */
export function respirationHeatW(o2UptakeMolPerS: number, fermentativeCo2MolPerS: number): number {
  return OXIDATIVE_HEAT_J_PER_MOL_O2 * o2UptakeMolPerS + FERMENTATIVE_HEAT_J_PER_MOL_CO2 * fermentativeCo2MolPerS;
}
