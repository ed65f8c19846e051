/**
 * A cell's true state as the simulator's tests, reports and views see it (a controller never does): the
 * state vector, and the algebraic quantities of the reference derivative (model/cell.ts) at it.
 */
import type { CellAlgebraic, CellInputs, CellParams } from '../model/cell.js';
import { cellDerivative } from '../model/cell.js';
import { CELL_INTEGRATED_SIZE, CellStateIndex, CO2, N2, O2, SPECIES_COUNT } from '../model/cell-state.js';
import { ethanolMgPerKg } from '../model/fermentation-ethanol.js';
import { FERMENTATIVE_HEAT_J_PER_MOL_CO2, OXIDATIVE_HEAT_J_PER_MOL_O2 } from '../model/respiration-heat.js';
import { breakPointO2Kpa } from '../model/rq-break-point.js';

/** The plant's true state, for tests, reports and the simulator's own views; a controller never sees it. */
export interface CellTruth {
  /** Plant time, s since the start of the run. */
  timeS: number;
  /** O2 partial pressure in the free gas, kPa. */
  o2Kpa: number;
  /** CO2 partial pressure, kPa. */
  co2Kpa: number;
  /** Balance gas (N2 + Ar) partial pressure, kPa. */
  n2Kpa: number;
  /** Cell pressure relative to ambient, Pa (positive: overpressure). */
  pressurePa: number;
  /** Absolute cell pressure, Pa. */
  absolutePressurePa: number;
  /** Cell air temperature, °C. */
  tempC: number;
  /** Fruit temperature, °C. */
  fruitTempC: number;
  /** Gas held by the breather bag, m³. */
  bagVolumeM3: number;
  /** O2 consumed by the fruit, mol/s. */
  o2UptakeMolPerS: number;
  /** CO2 produced by the fruit, mol/s. */
  co2ProductionMolPerS: number;
  /** Respiratory quotient of the fruit, CO2 produced / O2 consumed (NaN without fruit or O2). */
  rq: number;
  /** Net flow through the leak, mol/s (positive: into the cell). */
  leakInflowMolPerS: number;
  /** Days in storage: the run's `storageDayAtStart` plus plant time. */
  storageDays: number;
  /** The fruit's RQ break point now (RQ = 1.1·RQox) at the fruit temperature and CO2, kPa O2. */
  rqBreakPointO2Kpa: number;
  /** CO2 dissolved in the fruit, mol. */
  co2DissolvedMol: number;
  /** Ethanol in the fruit, mg/kg. */
  ethanolMgPerKg: number;
  /** Flesh firmness, N. */
  firmnessN: number;
  /** Low-O2 injury index (days-equivalent above the ethanol threshold). */
  injuryIndex: number;
  /** Respiration heat now, W. */
  respirationHeatW: number;
  /** Respiration heat since the start, kWh. */
  respirationHeatKWh: number;
  /** Cooling unit running. */
  coolingOn: boolean;
  /** Electric energy of cooling (compressor at its COP) and fans since the start, kWh. */
  coolingEnergyKWh: number;
  /** Scrubber: which bed adsorbs, and the CO2 loaded on each, mol. */
  scrubberActiveBed: 'A' | 'B';
  scrubberBedLoadMol: { a: number; b: number };
}

/** Reads the truth of the cell in `state` under `inputs` at plant time `timeS`. */
export type CellTruthReader = (timeS: number) => CellTruth;

/** A reader with its own scratch arrays (it allocates only the returned object). */
export function createCellTruthReader(
  state: Float64Array,
  inputs: CellInputs,
  params: Readonly<CellParams>,
  storageDayAtStart: number,
): CellTruthReader {
  const I = CellStateIndex;
  const GAS = I.gas;
  const rates = new Float64Array(CELL_INTEGRATED_SIZE);
  const a: CellAlgebraic = {
    gasVolumeM3: 0, pressurePa: 0, o2Kpa: 0, co2Kpa: 0, o2UptakeMolPerS: 0, co2ProductionMolPerS: 0,
    fermentativeCo2MolPerS: 0, respirationHeatW: 0, coolingElectricW: 0,
  };
  return (timeS: number): CellTruth => {
    cellDerivative(timeS, state, inputs, params, rates, a);
    const nO2 = state[GAS + O2]!;
    const nCo2 = state[GAS + CO2]!;
    const nN2 = state[GAS + N2]!;
    const kpaPerMol = a.o2Kpa > 0 && nO2 > 0 ? a.o2Kpa / nO2 : a.pressurePa / 1000 / (nO2 + nCo2 + nN2);
    let leakInflowMolPerS = rates[I.leakInStep]!;
    for (let s = 0; s < SPECIES_COUNT; s++) leakInflowMolPerS -= rates[I.leakOut + s]!;
    const ledgerJ = (index: number): number => state[index]!;
    const coolingElectricJ = ledgerJ(I.coolingHeatJ) / params.coolingCop + ledgerJ(I.fanEnergyJ);
    return {
      timeS,
      o2Kpa: a.o2Kpa,
      co2Kpa: a.co2Kpa,
      n2Kpa: nN2 * kpaPerMol,
      pressurePa: a.pressurePa - inputs.ambient.pressurePa,
      absolutePressurePa: a.pressurePa,
      tempC: state[I.airTempC]!,
      fruitTempC: state[I.fruitTempC]!,
      bagVolumeM3: a.gasVolumeM3 - params.freeVolumeM3,
      o2UptakeMolPerS: a.o2UptakeMolPerS,
      co2ProductionMolPerS: a.co2ProductionMolPerS,
      rq: params.fruitKg > 0 ? a.co2ProductionMolPerS / a.o2UptakeMolPerS : NaN,
      leakInflowMolPerS,
      storageDays: storageDayAtStart + timeS / 86_400,
      rqBreakPointO2Kpa: breakPointO2Kpa(params.respiration, state[I.fruitTempC]!, a.co2Kpa, inputs.fermentationScale),
      co2DissolvedMol: state[I.co2Dissolved]!,
      ethanolMgPerKg: ethanolMgPerKg(state[I.ethanolMol]!, params.fruitKg),
      firmnessN: state[I.firmnessN]!,
      injuryIndex: state[I.injuryIndex]!,
      respirationHeatW: a.respirationHeatW,
      respirationHeatKWh:
        (OXIDATIVE_HEAT_J_PER_MOL_O2 * state[I.o2Consumed]! + FERMENTATIVE_HEAT_J_PER_MOL_CO2 * state[I.fermentativeCo2]!) / 3.6e6,
      coolingOn: inputs.coolingOn ?? false,
      coolingEnergyKWh: coolingElectricJ / 3.6e6,
      scrubberActiveBed: inputs.activeBed === 0 ? 'A' : 'B',
      scrubberBedLoadMol: { a: state[I.bedALoad]!, b: state[I.bedBLoad]! },
    };
  };
}
