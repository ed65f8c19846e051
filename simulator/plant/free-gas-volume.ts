/**
 * The volume the free gas takes now: the rigid volume plus what the breather bag holds at the moles,
 * the air temperature and the ambient pressure in the state (model/breather-bag.ts), m³.
 */
import { gasVolumeWithBagM3 } from '../model/breather-bag.js';
import type { CellParams } from '../model/cell.js';
import { CellStateIndex, CO2, N2, O2 } from '../model/cell-state.js';

const GAS = CellStateIndex.gas;
const AIR_TEMP = CellStateIndex.airTempC;

export function freeGasVolumeM3(state: Float64Array, params: Readonly<CellParams>, ambientPressurePa: number): number {
  const nTotal = state[GAS + O2]! + state[GAS + CO2]! + state[GAS + N2]!;
  return gasVolumeWithBagM3(nTotal, state[AIR_TEMP]!, params.freeVolumeM3, params.breatherBagM3, ambientPressurePa);
}
