/**
 * A cell's state vector at the start of a run: the given partial pressures at the cell temperature, the
 * balance gas making up the absolute pressure, in the rigid volume plus the breather bag (half full at
 * ambient pressure, full above it, empty below); air and fruit temperatures, firmness, and the CO2
 * dissolved in the fruit in equilibrium with the gas.
 */
import type { CellParams } from '../model/cell.js';
import { molFromKpa } from '../model/cell.js';
import { CellStateIndex, createCellState } from '../model/cell-state.js';
import { co2SolubilityMolPerKpa } from '../model/co2-dissolution.js';
import type { ResolvedCellPlantOptions } from '../plant-options.js';

export interface InitialCellState {
  state: Float64Array;
  /** CO2 dissolved at the start, mol (the ledger counts from it). */
  co2Dissolved0Mol: number;
}

export function createInitialCellState(
  params: Readonly<CellParams>,
  initial: ResolvedCellPlantOptions['initial'],
  ambientPressurePa: number,
): InitialCellState {
  const absoluteKpa = (ambientPressurePa + initial.gaugePressurePa) / 1000;
  const startVolumeM3 = params.freeVolumeM3 + (initial.gaugePressurePa === 0 ? params.breatherBagM3 / 2 : initial.gaugePressurePa > 0 ? params.breatherBagM3 : 0);
  const state = createCellState({
    o2Mol: molFromKpa(initial.o2Kpa, startVolumeM3, params.tempC),
    co2Mol: molFromKpa(initial.co2Kpa, startVolumeM3, params.tempC),
    n2Mol: molFromKpa(absoluteKpa - initial.o2Kpa - initial.co2Kpa, startVolumeM3, params.tempC),
  });
  const I = CellStateIndex;
  state[I.airTempC] = params.tempC;
  state[I.fruitTempC] = params.fruitKg > 0 ? initial.fruitTempC : params.tempC;
  state[I.firmnessN] = initial.firmnessN;
  const co2Dissolved0Mol = params.fruitKg > 0 ? co2SolubilityMolPerKpa(params.fruitKg, initial.fruitTempC) * initial.co2Kpa : 0;
  state[I.co2Dissolved] = co2Dissolved0Mol;
  return { state, co2Dissolved0Mol };
}
