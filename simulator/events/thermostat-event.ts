/**
 * The cooling thermostat as a discrete event between sub-steps (STYLE.md 6): the unit switches on or off
 * by the air temperature, with hysteresis (model/cooling-thermostat.ts). A cell without cooling
 * (capacity 0, a pallet cover in its cold room) never switches.
 */
import type { CellInputs, CellParams } from '../model/cell.js';
import { CellStateIndex } from '../model/cell-state.js';
import { coolingOnNext } from '../model/cooling-thermostat.js';

const AIR_TEMP = CellStateIndex.airTempC;

/** Sets `inputs.coolingOn` for the air temperature in `state`; returns true if it changed. */
export function thermostatEvent(state: Float64Array, params: Readonly<CellParams>, inputs: CellInputs, setpointC: number): boolean {
  if (params.coolingCapacityW <= 0) return false;
  const wasOn = inputs.coolingOn ?? false;
  inputs.coolingOn = coolingOnNext(state[AIR_TEMP]!, setpointC, params.coolingBandK, wasOn);
  return inputs.coolingOn !== wasOn;
}
