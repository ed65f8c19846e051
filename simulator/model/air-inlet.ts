/**
 * The fresh-air inlet: a valve (with its fan) that lets a flow of ambient air into the cell, used to raise
 * O2 and to flush CO2. Source: DOMAIN.md §1/§6 (fresh-air valve as a cell actuator; the flow is [E]).
 *
 *     ṅ_in = Q / 3600 · p_amb / (R · T_amb)      Q in m³/h of ambient air at ambient conditions
 *     x_i  = ambient mole fractions
 *
 * Like the N2 inlet, it displaces the same number of moles of cell gas through the relief path
 * (relief-outflow.ts), so on its own it does not change the cell pressure.
 */
import { molarConcentrationMolPerM3 } from './gas-properties.js';

/** Molar flow of ambient air through the fresh-air inlet, mol/s. */
export function airInletMolPerS(flowM3PerH: number, ambientPressurePa: number, ambientTempC: number): number {
  return (flowM3PerH / 3600) * molarConcentrationMolPerM3(ambientPressurePa, ambientTempC);
}
