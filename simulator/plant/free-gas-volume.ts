/**
 * The volume the free gas takes now: the rigid volume plus what the breather bag holds at the moles,
 * the air temperature and the ambient pressure in the state (model/breather-bag.ts), m³; and the absolute
 * pressure that follows, without the rest of the derivative (a sensor module's pressure at each sample).
 */
import { gasVolumeWithBagM3 } from '../model/breather-bag.js';
import { GAS_CONSTANT_J_PER_MOL_K, celsiusToKelvin } from '../model/gas-properties.js';
import type { CellParams } from '../model/cell.js';
import { CellStateIndex, CO2, N2, O2 } from '../model/cell-state.js';

const GAS = CellStateIndex.gas;
const AIR_TEMP = CellStateIndex.airTempC;

export function freeGasVolumeM3(state: Float64Array, params: Readonly<CellParams>, ambientPressurePa: number): number {
  const nTotal = state[GAS + O2]! + state[GAS + CO2]! + state[GAS + N2]!;
  return gasVolumeWithBagM3(nTotal, state[AIR_TEMP]!, params.freeVolumeM3, params.breatherBagM3, ambientPressurePa);
}

/**
 * The cell's absolute pressure now, Pa: ambient while the bag is slack, n·R·T / V_gas at its limits
 * (model/breather-bag.ts). The same arithmetic as cellDerivative's (model/cell.ts), so the same value as
 * the truth's `absolutePressurePa`.
 */
export function cellAbsolutePressurePa(state: Float64Array, params: Readonly<CellParams>, ambientPressurePa: number): number {
  const nTotal = state[GAS + O2]! + state[GAS + CO2]! + state[GAS + N2]!;
  const airTempC = state[AIR_TEMP]!;
  const gasVolumeM3 = gasVolumeWithBagM3(nTotal, airTempC, params.freeVolumeM3, params.breatherBagM3, ambientPressurePa);
  const bagSlack = gasVolumeM3 > params.freeVolumeM3 && gasVolumeM3 < params.freeVolumeM3 + params.breatherBagM3;
  return bagSlack ? ambientPressurePa : nTotal * ((GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(airTempC)) / gasVolumeM3);
}
