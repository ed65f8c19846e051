/**
 * The N2 inlet: a nitrogen generator (membrane or PSA) feeding the cell at a rated flow and purity.
 * Source: DOMAIN.md §6 (generators 20–100 Nm³/h at 95–99.5 % N2 [E]; purge volume ≈ V·ln(O2start/O2target)).
 *
 *     ṅ_in = F / 3600 · c_n          F in Nm³/h, c_n = 101 325 / (R · 273.15) = 44.615 mol/Nm³
 *     x_N2 = purity,  x_O2 = 1 − purity,  x_CO2 = 0
 *
 * The impurity of a generator's product is almost all O2 (argon passes with the N2 and counts as the
 * balance gas here), so the remainder is booked as O2: 97 % N2 brings 3 % O2.
 *
 * Where the gas goes: the inlet pushes the same number of moles of cell gas out through the cell's relief
 * path (see relief-outflow.ts), so the inlet on its own does not change the cell pressure.
 */
import { MOL_PER_NORMAL_M3 } from './gas-properties.js';

/** Molar flow of the N2 generator's product, mol/s, from its rating in Nm³/h. */
export function n2InletMolPerS(flowNm3PerH: number): number {
  return (flowNm3PerH / 3600) * MOL_PER_NORMAL_M3;
}

/** O2 mole fraction of the generator's product: the impurity, 1 − purity. */
export function n2InletO2Fraction(n2PurityFraction: number): number {
  return 1 - n2PurityFraction;
}
