/**
 * A sealed storage cell: the free gas around the fruit, and every term that moves it, composed into one
 * derivative function for the integrator. Equations and sources are in the file of each term; this file
 * only adds them up. Per species i ∈ {O2, CO2, N2+Ar}, in mol/s:
 *
 *     dn_i/dt = leakIn_i − leakOut_i + n2Inlet_i + airInlet_i − reliefOut_i + resp_i − scrub_i
 *
 *     resp_O2  = −m · rO2          resp_CO2 = +m · rCO2          (respiration.ts, m = fruit kg)
 *     leakIn_i = x_amb,i · Q · p_amb/(R·T_amb)   when p_amb > p   (leak.ts)
 *     leakOut_i = n_i / V · (−Q)                 when p > p_amb
 *     n2Inlet_i, airInlet_i                                       (n2-inlet.ts, air-inlet.ts)
 *     reliefOut_i = (n2Inlet + airInlet) · n_i / n                (relief-outflow.ts)
 *     scrub_CO2 = η · Q_s/3600 · n_CO2 / V                        (co2-scrubber.ts)
 *
 * and p = n·R·T/V with n = Σ n_i, V the free gas volume, T the cell temperature (fixed per run in this
 * slice). The same terms are integrated into the ledger (cell-state.ts).
 *
 * Pure: the result depends only on the arguments, and nothing but `out` is written (a memo of the
 * Arrhenius factors aside, which cannot change a result). Inputs are held constant over a step by the
 * caller.
 */
import { CellStateIndex, CO2, N2, O2, SPECIES_COUNT } from './cell-state.js';
import { scrubberCo2RemovalMolPerS } from './co2-scrubber.js';
import { airInletMolPerS } from './air-inlet.js';
import { GAS_CONSTANT_J_PER_MOL_K, celsiusToKelvin, gasDensityKgPerM3, molarConcentrationMolPerM3 } from './gas-properties.js';
import { cm2ToM2, leakPressureTimeConstantS, leakVolumeFlowM3PerS } from './leak.js';
import { n2InletMolPerS, n2InletO2Fraction } from './n2-inlet.js';
import { reliefOutflowMolPerS } from './relief-outflow.js';
import {
  co2ProductionMolPerKgS,
  o2UptakeMolPerKgS,
  vmFermMolPerKgS,
  vmO2MolPerKgS,
  type RespirationKinetics,
} from './respiration.js';

/** Conditions outside the cell. */
export interface AmbientConditions {
  /** Absolute pressure, Pa. */
  pressurePa: number;
  /** Temperature of the air around the cell (the hall, the outside), °C. */
  tempC: number;
  /** O2 mole fraction, 0–1. */
  o2Fraction: number;
  /** CO2 mole fraction, 0–1. */
  co2Fraction: number;
}

/** On/off state of the cell's actuators. */
export interface CellActuators {
  /** N2 inlet valve open. */
  n2: boolean;
  /** Fresh-air inlet open. */
  air: boolean;
  /** CO2 scrubber running. */
  scrub: boolean;
}

/** Everything outside the model that drives it, held constant over a step. */
export interface CellInputs {
  actuators: CellActuators;
  ambient: AmbientConditions;
}

/** Constants of one cell for one run. */
export interface CellParams {
  /** Free gas volume (gross volume minus fruit, bins and equipment), m³. */
  freeVolumeM3: number;
  /** Fruit mass, kg. 0 turns respiration off. */
  fruitKg: number;
  /** Cell temperature (fruit and free gas), °C. */
  tempC: number;
  /** Respiration kinetics of the fruit. */
  respiration: RespirationKinetics;
  /** Effective leak area, cm². 0 makes the cell perfectly tight. */
  leakAreaCm2: number;
  /** Discharge coefficient of the leak. */
  leakCd: number;
  /** Pressure difference below which the leak flow is linearised, Pa. */
  leakLaminarBelowPa: number;
  /** N2 generator flow, Nm³/h. */
  n2FlowNm3PerH: number;
  /** N2 fraction of the generator's product; the rest is O2. */
  n2PurityFraction: number;
  /** Fresh-air inlet flow, m³/h of ambient air. */
  airFlowM3PerH: number;
  /** Cell gas flow through the scrubber, m³/h. */
  scrubberFlowM3PerH: number;
  /** Fraction of the CO2 in that flow the scrubber removes, 0–1. */
  scrubberEfficiency: number;
}

// Block offsets as plain module constants, which the JIT folds into the hot loop.
const GAS = CellStateIndex.gas;
const LEAK_IN = CellStateIndex.leakIn;
const LEAK_OUT = CellStateIndex.leakOut;
const N2_INLET = CellStateIndex.n2Inlet;
const AIR_INLET = CellStateIndex.airInlet;
const RELIEF_OUT = CellStateIndex.reliefOut;
const O2_CONSUMED = CellStateIndex.o2Consumed;
const CO2_PRODUCED = CellStateIndex.co2Produced;
const CO2_SCRUBBED = CellStateIndex.co2Scrubbed;

/** Free gas pressure p = n·R·T/V, Pa. */
export function freeGasPressurePa(totalMol: number, freeVolumeM3: number, tempC: number): number {
  return (totalMol * GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(tempC)) / freeVolumeM3;
}

/** Moles of a species that has partial pressure `kpa` in the free gas. */
export function molFromKpa(kpa: number, freeVolumeM3: number, tempC: number): number {
  return molarConcentrationMolPerM3(kpa * 1000, tempC) * freeVolumeM3;
}

/**
 * The Arrhenius-corrected maxima for the last kinetics and temperature seen. A cache, not state: the
 * values are a function of (kinetics, tempC) only, so results are the same with or without it; it saves
 * two exponentials per evaluation while the temperature stays put (about a fifth of a season's run time).
 */
const vmMemo: { kinetics: RespirationKinetics | null; tempC: number; vmO2: number; vmFerm: number } = {
  kinetics: null,
  tempC: NaN,
  vmO2: 0,
  vmFerm: 0,
};

/** Writes dy/dt of the whole cell state (gas and ledger) into `out`. */
export function cellDerivative(
  _tS: number,
  state: Float64Array,
  inputs: CellInputs,
  params: CellParams,
  out: Float64Array,
): void {
  const volume = params.freeVolumeM3;
  const nO2 = state[GAS + O2]!;
  const nCo2 = state[GAS + CO2]!;
  const nN2 = state[GAS + N2]!;
  const nTotal = nO2 + nCo2 + nN2;
  const paPerMol = (GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(params.tempC)) / volume;
  const pressurePa = nTotal * paPerMol;
  const o2Kpa = (nO2 * paPerMol) / 1000;
  const co2Kpa = (nCo2 * paPerMol) / 1000;

  // Respiration.
  let o2UptakeMolPerS = 0;
  let co2ProductionMolPerS = 0;
  if (params.fruitKg > 0) {
    const k = params.respiration;
    if (k !== vmMemo.kinetics || params.tempC !== vmMemo.tempC) {
      vmMemo.kinetics = k;
      vmMemo.tempC = params.tempC;
      vmMemo.vmO2 = vmO2MolPerKgS(k, params.tempC);
      vmMemo.vmFerm = vmFermMolPerKgS(k, params.tempC);
    }
    const perKg = o2UptakeMolPerKgS(vmMemo.vmO2, k, o2Kpa, co2Kpa);
    o2UptakeMolPerS = params.fruitKg * perKg;
    co2ProductionMolPerS = params.fruitKg * co2ProductionMolPerKgS(perKg, vmMemo.vmFerm, k, o2Kpa);
  }

  // Leak, one direction at a time.
  const ambient = inputs.ambient;
  let leakInMolPerS = 0;
  let leakOutMolPerS = 0;
  if (params.leakAreaCm2 > 0) {
    const dpPa = ambient.pressurePa - pressurePa;
    const areaM2 = cm2ToM2(params.leakAreaCm2);
    if (dpPa >= 0) {
      const density = gasDensityKgPerM3(ambient.pressurePa, ambient.tempC, ambient.o2Fraction, ambient.co2Fraction);
      const q = leakVolumeFlowM3PerS(dpPa, areaM2, params.leakCd, density, params.leakLaminarBelowPa);
      leakInMolPerS = q * molarConcentrationMolPerM3(ambient.pressurePa, ambient.tempC);
    } else if (nTotal > 0) {
      const density = gasDensityKgPerM3(pressurePa, params.tempC, nO2 / nTotal, nCo2 / nTotal);
      const q = leakVolumeFlowM3PerS(dpPa, areaM2, params.leakCd, density, params.leakLaminarBelowPa);
      leakOutMolPerS = (-q * nTotal) / volume;
    }
  }
  const ambientN2Fraction = 1 - ambient.o2Fraction - ambient.co2Fraction;

  // Inlets, and the relief path that takes what they displace.
  const actuators = inputs.actuators;
  const n2InMolPerS = actuators.n2 ? n2InletMolPerS(params.n2FlowNm3PerH) : 0;
  const n2InO2Fraction = n2InletO2Fraction(params.n2PurityFraction);
  const airInMolPerS = actuators.air ? airInletMolPerS(params.airFlowM3PerH, ambient.pressurePa, ambient.tempC) : 0;
  const inletsMolPerS = n2InMolPerS + airInMolPerS;

  // Scrubber.
  const scrubMolPerS = actuators.scrub
    ? scrubberCo2RemovalMolPerS(params.scrubberFlowM3PerH, params.scrubberEfficiency, nCo2, volume)
    : 0;

  // Per-path, per-species flows (the ledger's derivative).
  const leakOutFraction = nTotal > 0 ? leakOutMolPerS / nTotal : 0;
  out[LEAK_IN + O2] = leakInMolPerS * ambient.o2Fraction;
  out[LEAK_IN + CO2] = leakInMolPerS * ambient.co2Fraction;
  out[LEAK_IN + N2] = leakInMolPerS * ambientN2Fraction;
  out[LEAK_OUT + O2] = leakOutFraction * nO2;
  out[LEAK_OUT + CO2] = leakOutFraction * nCo2;
  out[LEAK_OUT + N2] = leakOutFraction * nN2;
  out[N2_INLET + O2] = n2InMolPerS * n2InO2Fraction;
  out[N2_INLET + CO2] = 0;
  out[N2_INLET + N2] = n2InMolPerS * (1 - n2InO2Fraction);
  out[AIR_INLET + O2] = airInMolPerS * ambient.o2Fraction;
  out[AIR_INLET + CO2] = airInMolPerS * ambient.co2Fraction;
  out[AIR_INLET + N2] = airInMolPerS * ambientN2Fraction;
  out[RELIEF_OUT + O2] = reliefOutflowMolPerS(inletsMolPerS, nO2, nTotal);
  out[RELIEF_OUT + CO2] = reliefOutflowMolPerS(inletsMolPerS, nCo2, nTotal);
  out[RELIEF_OUT + N2] = reliefOutflowMolPerS(inletsMolPerS, nN2, nTotal);
  out[O2_CONSUMED] = o2UptakeMolPerS;
  out[CO2_PRODUCED] = co2ProductionMolPerS;
  out[CO2_SCRUBBED] = scrubMolPerS;

  // The free gas: the sum of the paths.
  for (let s = 0; s < SPECIES_COUNT; s++) {
    out[GAS + s] =
      out[LEAK_IN + s]! -
      out[LEAK_OUT + s]! +
      out[N2_INLET + s]! +
      out[AIR_INLET + s]! -
      out[RELIEF_OUT + s]!;
  }
  out[GAS + O2] = out[GAS + O2]! - o2UptakeMolPerS;
  out[GAS + CO2] = out[GAS + CO2]! + co2ProductionMolPerS - scrubMolPerS;
}

/**
 * The shortest time constant of the cell's linear(ised) terms, s: the leak's pressure relaxation
 * (leak.ts), and the flush time V/Q of each inlet and of the scrubber loop as if it were switched on.
 * An explicit integrator keeps its step well below this; respiration is far slower than all of them.
 */
export function cellFastestTimeConstantS(params: CellParams, ambient: AmbientConditions): number {
  const volume = params.freeVolumeM3;
  const density = gasDensityKgPerM3(ambient.pressurePa, params.tempC, ambient.o2Fraction, ambient.co2Fraction);
  let fastest = leakPressureTimeConstantS(
    volume,
    ambient.pressurePa,
    cm2ToM2(params.leakAreaCm2),
    params.leakCd,
    density,
    params.leakLaminarBelowPa,
  );
  const cellMolPerM3 = molarConcentrationMolPerM3(ambient.pressurePa, params.tempC);
  const flushS = (molPerS: number): number => (molPerS > 0 ? (volume * cellMolPerM3) / molPerS : Infinity);
  fastest = Math.min(
    fastest,
    flushS(n2InletMolPerS(params.n2FlowNm3PerH)),
    flushS(airInletMolPerS(params.airFlowM3PerH, ambient.pressurePa, ambient.tempC)),
    flushS(((params.scrubberFlowM3PerH * params.scrubberEfficiency) / 3600) * cellMolPerM3),
  );
  return fastest;
}
