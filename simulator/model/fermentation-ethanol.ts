/**
 * Ethanol in the fruit from fermentation. Alcoholic fermentation (glucose → 2 ethanol + 2 CO2) makes one
 * ethanol per fermentative CO2 (respiration.ts, the Vmf term); the fruit metabolises or loses it again
 * once O2 is back. Source: DOMAIN.md §1/§2 (low O2: fermentation adds CO2 and ethanol builds up); the
 * clearance rate is [E].
 *
 *     dE/dt = m · rCO2,ferm − k_E · E          E in mol,  k_E = ln 2 / 3 days [E]
 *
 * Reported in mg per kg of fruit (46.07 g/mol). At the Gala break point (0.65 kPa, 1 °C) the fruit makes
 * 0.1 · rO2 ≈ 0.7 nmol kg⁻¹ s⁻¹ of fermentative CO2, which settles near 12 mg/kg: the order of ethanol
 * in DCA-stored apples. Ethanol vapour in the free gas is not modelled.
 */

/** Molar mass of ethanol, kg/mol. */
export const ETHANOL_KG_PER_MOL = 0.04607;
/** First-order clearance of ethanol from the fruit, 1/s: half-life 3 days [E]. */
export const ETHANOL_CLEARANCE_PER_S = Math.LN2 / (3 * 86_400);

/** dE/dt of the fruit's ethanol, mol/s. */
export function ethanolRateMolPerS(fermentativeCo2MolPerS: number, ethanolMol: number, clearancePerS: number): number {
  return fermentativeCo2MolPerS - clearancePerS * ethanolMol;
}

/** mg of ethanol per kg of fruit. */
export function ethanolMgPerKg(ethanolMol: number, fruitKg: number): number {
  return fruitKg > 0 ? (ethanolMol * ETHANOL_KG_PER_MOL * 1e6) / fruitKg : 0;
}
