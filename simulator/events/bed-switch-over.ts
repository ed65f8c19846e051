/**
 * The scrubber's bed switch-over as a discrete event between sub-steps (STYLE.md 6): while the scrubber
 * runs and the adsorbing bed is nearly full, the other bed takes over and the regenerated bed's void air
 * comes into the cell (model/co2-scrubber.ts), booked in the ledger's switch-over paths.
 */
import type { CellInputs, CellParams } from '../model/cell.js';
import { molFromKpa } from '../model/cell.js';
import { CellStateIndex, N2, O2 } from '../model/cell-state.js';

/** Bed load, as a fraction of capacity, at which the scrubber switches beds. */
export const BED_SWITCH_FRACTION = 0.9;

const GAS = CellStateIndex.gas;

/** Switches beds if the adsorbing one is loaded to `BED_SWITCH_FRACTION`; returns true if it switched. */
export function bedSwitchOverEvent(state: Float64Array, params: Readonly<CellParams>, inputs: CellInputs): boolean {
  if (!inputs.actuators.scrub) return false;
  const I = CellStateIndex;
  const load = state[inputs.activeBed === 0 ? I.bedALoad : I.bedBLoad]!;
  if (load < BED_SWITCH_FRACTION * params.scrubberBedCapacityMol) return false;
  inputs.activeBed = inputs.activeBed === 0 ? 1 : 0;
  const ambient = inputs.ambient;
  const airMol = molFromKpa(ambient.pressurePa / 1000, params.scrubberVoidM3, ambient.tempC);
  // The void air's CO2 (0.04 %) is booked with the balance gas: it is below the analysers' resolution.
  const o2Mol = airMol * ambient.o2Fraction;
  state[GAS + O2] = state[GAS + O2]! + o2Mol;
  state[GAS + N2] = state[GAS + N2]! + (airMol - o2Mol);
  state[I.scrubberO2In] = state[I.scrubberO2In]! + o2Mol;
  state[I.scrubberN2In] = state[I.scrubberN2In]! + (airMol - o2Mol);
  return true;
}
