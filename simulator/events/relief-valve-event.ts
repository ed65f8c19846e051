/**
 * The relief valve as a discrete event between sub-steps (STYLE.md 6): when the cell is beyond the valve's
 * opening pressure it vents cell gas, or admits ambient air, until it is back at that pressure
 * (model/relief-valve.ts), and books the moles in the ledger's relief paths.
 */
import type { AmbientConditions, CellParams } from '../model/cell.js';
import { freeGasPressurePa } from '../model/cell.js';
import { CellStateIndex, CO2, N2, O2, SPECIES_COUNT } from '../model/cell-state.js';
import { reliefValveVentMol } from '../model/relief-valve.js';

const GAS = CellStateIndex.gas;
const AIR_TEMP = CellStateIndex.airTempC;
const RELIEF_IN = CellStateIndex.reliefIn;
const RELIEF_OUT = CellStateIndex.reliefOut;

/** Applies the valve to the gas in `state` at `volumeM3`; returns true if it moved gas. */
export function reliefValveEvent(
  state: Float64Array,
  params: Readonly<CellParams>,
  ambient: Readonly<AmbientConditions>,
  volumeM3: number,
): boolean {
  // While the breather bag is slack the cell is at ambient pressure (breather-bag.ts): the valve is shut.
  // That is nearly always, and the test costs two comparisons.
  if (volumeM3 > params.freeVolumeM3 && volumeM3 < params.freeVolumeM3 + params.breatherBagM3) return false;
  const nTotal = state[GAS + O2]! + state[GAS + CO2]! + state[GAS + N2]!;
  const airTempC = state[AIR_TEMP]!;
  const gaugePa = freeGasPressurePa(nTotal, volumeM3, airTempC) - ambient.pressurePa;
  if (gaugePa <= params.reliefValveOpeningPa && gaugePa >= -params.reliefValveOpeningPa) return false;
  // At the valve's opening pressures the bag is full (venting) or empty (admitting).
  const overVolume = params.freeVolumeM3 + params.breatherBagM3;
  let vent = reliefValveVentMol(nTotal, overVolume, airTempC, ambient.pressurePa, params.reliefValveOpeningPa);
  if (vent < 0) vent = 0;
  if (vent === 0) {
    const admit = reliefValveVentMol(nTotal, params.freeVolumeM3, airTempC, ambient.pressurePa, params.reliefValveOpeningPa);
    if (admit >= 0) return false;
    const inMol = -admit;
    const x = [ambient.o2Fraction, ambient.co2Fraction, 1 - ambient.o2Fraction - ambient.co2Fraction];
    for (let s = 0; s < SPECIES_COUNT; s++) {
      state[GAS + s] = state[GAS + s]! + inMol * x[s]!;
      state[RELIEF_IN + s] = state[RELIEF_IN + s]! + inMol * x[s]!;
    }
    return true;
  }
  const fraction = vent / nTotal;
  for (let s = 0; s < SPECIES_COUNT; s++) {
    const out = state[GAS + s]! * fraction;
    state[GAS + s] = state[GAS + s]! - out;
    state[RELIEF_OUT + s] = state[RELIEF_OUT + s]! + out;
  }
  return true;
}
