/**
 * The kinetics temperature as a discrete event between sub-steps: the respiration kinetics run at the
 * fruit temperature as of the last refresh (`inputs.kineticsTempC`, model/cell.ts), which follows the fruit
 * once it has moved by more than `KINETICS_TEMP_TOLERANCE_K` (< 0.02 % on a rate).
 */
import type { CellInputs } from '../model/cell.js';
import { CellStateIndex } from '../model/cell-state.js';

/** The kinetics temperature follows the fruit once it has moved by more than this, K. */
export const KINETICS_TEMP_TOLERANCE_K = 0.002;

const FRUIT_TEMP = CellStateIndex.fruitTempC;

/** Brings `inputs.kineticsTempC` up to the fruit in `state` if it is out of tolerance; returns true if it did. */
export function kineticsTemperatureEvent(state: Float64Array, inputs: CellInputs): boolean {
  const fruitTempC = state[FRUIT_TEMP]!;
  if (Math.abs(fruitTempC - inputs.kineticsTempC!) <= KINETICS_TEMP_TOLERANCE_K) return false;
  inputs.kineticsTempC = fruitTempC;
  return true;
}
