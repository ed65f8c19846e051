/**
 * A storage cell: the free gas, the fruit, the air node and the scrubber beds, and every term that moves
 * them, composed into one derivative function for the integrator. Equations and sources are in the file of
 * each term; this file only adds them up. Per gas species i ∈ {O2, CO2, N2+Ar}, in mol/s:
 *
 *     dn_i/dt = leakIn_i − leakOut_i + n2Inlet_i + airInlet_i + doorIn_i − doorOut_i + resp_i − scrub_i − diss_i
 *
 *     resp_O2 = −m · rO2,  resp_CO2 = +m · rCO2                  (respiration.ts, m fruit kg)
 *     leakIn_i = x_amb,i · Q · p_amb/(R·T_amb)  when p_amb > p   (leak.ts)
 *     leakOut_i = n_i / V_gas · (−Q)             when p > p_amb
 *     n2Inlet_i, airInlet_i                                      (n2-inlet.ts, air-inlet.ts)
 *     doorIn_i = x_amb,i · Q_d · c_amb,  doorOut_i = Q_d · n_i/V_gas   (door-exchange.ts)
 *     scrub_CO2 = η0·(1 − L_a/C)·Q_s/3600·n_CO2/V_gas              (co2-scrubber.ts)
 *     diss_CO2 = (S(T_f)·pCO2 − n_d)/τ_d                          (co2-dissolution.ts)
 *
 * with p = n·R·T_a/V_gas, V_gas the rigid free volume plus what the breather bag holds (breather-bag.ts),
 * T_a the air node temperature. The fruit: temperature, ethanol, firmness, injury (cell-heat-balance.ts,
 * fermentation-ethanol.ts, fruit-firmness.ts); the air node: cell-heat-balance.ts. Every gas term is also
 * integrated into the ledger (cell-state.ts).
 *
 * Discrete events stay outside: the relief valve, the cooling thermostat, the scrubber's bed switch-over
 * and the break point's drift are applied between steps by the plant (cell-plant.ts), which passes their
 * state in `inputs`.
 *
 * Temperature of the kinetics: respiration, CO2 solubility and softening take their temperature from
 * `inputs.kineticsTempC`, the fruit temperature as of the last step, which the plant refreshes whenever the
 * fruit has moved by more than 0.002 K; the error in a rate is then below 0.02 %, and two exponentials
 * per evaluation are saved.
 *
 * Pure: the result depends only on the arguments, and nothing but `out` is written (a memo of the
 * temperature factors aside, which cannot change a result).
 */
import { CellStateIndex, CO2, N2, O2 } from './cell-state.js';
import { gasVolumeWithBagM3 } from './breather-bag.js';
import { airNodeHeatW, fruitTempRateKPerS, type HeatBalanceParams } from './cell-heat-balance.js';
import { co2DissolutionMolPerS, co2SolubilityMolPerKpa } from './co2-dissolution.js';
import { scrubberCo2RemovalMolPerS, scrubberRegenerationMolPerS } from './co2-scrubber.js';
import { airInletMolPerS } from './air-inlet.js';
import { doorExchangeM3PerS } from './door-exchange.js';
import { ethanolMgPerKg, ethanolRateMolPerS } from './fermentation-ethanol.js';
import { firmnessArrhenius, firmnessRateNPerS, injuryRatePerS, type FirmnessParams } from './fruit-firmness.js';
import { GAS_CONSTANT_J_PER_MOL_K, celsiusToKelvin, gasDensityKgPerM3, molarConcentrationMolPerM3 } from './gas-properties.js';
import { cm2ToM2, leakPressureTimeConstantS, leakVolumeFlowM3PerS } from './leak.js';
import { n2InletMolPerS, n2InletO2Fraction } from './n2-inlet.js';
import { respirationHeatW } from './respiration-heat.js';
import {
  fermentativeCo2MolPerKgS,
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
  /** Cell door open. */
  door: boolean;
}

/** Everything outside the derivative that drives it, held constant over a step. */
export interface CellInputs {
  actuators: CellActuators;
  ambient: AmbientConditions;
  /**
   * Factor on the fermentation maximum Vmf, for the break point's drift with storage time
   * (model/rq-break-point.ts). Changes only between steps. Default 1.
   */
  fermentationScale?: number;
  /** Cooling unit running (its thermostat decides between steps). Default false. */
  coolingOn?: boolean;
  /** Temperature of the fruit kinetics, °C (see the file comment). Default: the fruit temperature in the state. */
  kineticsTempC?: number;
  /** Which scrubber bed adsorbs: 0 = A, 1 = B. Default 0. */
  activeBed?: 0 | 1;
}

/** Constants of one cell for one run. */
export interface CellParams extends HeatBalanceParams {
  /** Rigid free gas volume (gross volume minus fruit, bins and equipment), m³. */
  freeVolumeM3: number;
  /** Capacity of the breather bag, m³ (0: none). */
  breatherBagM3: number;
  /** Relief valve opening pressure, both ways, Pa. */
  reliefValveOpeningPa: number;
  /** Fruit mass, kg. 0 turns the fruit off. */
  fruitKg: number;
  /** Cooling setpoint, and the temperature of fruit and air at the start, °C. */
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
  /** Cell gas flow through the adsorbing scrubber bed, m³/h. */
  scrubberFlowM3PerH: number;
  /** Fraction of the CO2 in that flow a clean bed removes, 0–1. */
  scrubberEfficiency: number;
  /** CO2 capacity of each bed, mol. */
  scrubberBedCapacityMol: number;
  /** Regeneration rate of the idle bed, 1/s. */
  scrubberRegenerationPerS: number;
  /** Ambient air that enters the cell at each bed switch-over, m³. */
  scrubberVoidM3: number;
  /** Door area, m², and height, m. */
  doorAreaM2: number;
  doorHeightM: number;
  /** Coefficient of performance of the cooling unit (heat removed per electric energy). */
  coolingCop: number;
  /** Half-width of the thermostat's hysteresis, K. */
  coolingBandK: number;
  /** Time constant of CO2 exchange between gas and fruit, s. */
  co2DissolutionTimeConstantS: number;
  /** First-order clearance of ethanol from the fruit, 1/s. */
  ethanolClearancePerS: number;
  /** Softening and injury coefficients. */
  firmness: FirmnessParams;
}

// Block offsets as plain module constants, which the JIT folds into the hot loop.
const I = CellStateIndex;
const GAS = I.gas;
const LEAK_OUT = I.leakOut;
const DOOR_OUT = I.doorOut;
/** Specific heat of air at constant pressure, J kg⁻¹ K⁻¹. */
const AIR_CP_J_PER_KG_K = 1005;

/** Free gas pressure p = n·R·T/V, Pa. */
export function freeGasPressurePa(totalMol: number, gasVolumeM3: number, tempC: number): number {
  return (totalMol * GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(tempC)) / gasVolumeM3;
}

/** Moles of a species that has partial pressure `kpa` in `volumeM3` at `tempC`. */
export function molFromKpa(kpa: number, volumeM3: number, tempC: number): number {
  return molarConcentrationMolPerM3(kpa * 1000, tempC) * volumeM3;
}

/**
 * Temperature factors for the last (kinetics, fruit mass, temperature) seen. A cache, not state: the values
 * are functions of those only, so results are the same with or without it.
 */
const memo = {
  kinetics: null as RespirationKinetics | null,
  firmness: null as FirmnessParams | null,
  fruitKg: NaN,
  tempC: NaN,
  vmO2: 0,
  vmFerm: 0,
  solubility: 0,
  softening: 0,
};

function refreshMemo(params: CellParams, tempC: number): void {
  const k = params.respiration;
  if (k === memo.kinetics && tempC === memo.tempC && params.fruitKg === memo.fruitKg && params.firmness === memo.firmness) return;
  memo.kinetics = k;
  memo.firmness = params.firmness;
  memo.fruitKg = params.fruitKg;
  memo.tempC = tempC;
  memo.vmO2 = vmO2MolPerKgS(k, tempC);
  memo.vmFerm = vmFermMolPerKgS(k, tempC);
  memo.solubility = co2SolubilityMolPerKpa(params.fruitKg, tempC);
  memo.softening = firmnessArrhenius(params.firmness, tempC);
}

/** What the derivative also computes, for truth(): gas volume, pressure, rates. */
export interface CellAlgebraic {
  gasVolumeM3: number;
  pressurePa: number;
  o2Kpa: number;
  co2Kpa: number;
  o2UptakeMolPerS: number;
  co2ProductionMolPerS: number;
  fermentativeCo2MolPerS: number;
  respirationHeatW: number;
  coolingElectricW: number;
}

/**
 * Writes dy/dt of the integrated part of the cell state (the first CELL_INTEGRATED_SIZE entries, which is
 * all it reads) into `out`; fills `algebraic` if given.
 */
export function cellDerivative(
  _tS: number,
  state: Float64Array,
  inputs: CellInputs,
  params: CellParams,
  out: Float64Array,
  algebraic?: CellAlgebraic,
): void {
  const nO2 = state[GAS + O2]!;
  const nCo2 = state[GAS + CO2]!;
  const nN2 = state[GAS + N2]!;
  const nTotal = nO2 + nCo2 + nN2;
  const airTempC = state[I.airTempC]!;
  const fruitTempC = state[I.fruitTempC]!;
  const ambient = inputs.ambient;
  const gasVolumeM3 = gasVolumeWithBagM3(nTotal, airTempC, params.freeVolumeM3, params.breatherBagM3, ambient.pressurePa);
  const paPerMol = (GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(airTempC)) / gasVolumeM3;
  // breather-bag.ts: while the bag is slack (the gas volume strictly between the rigid volume and the
  // full bag) the cell is at ambient pressure, exactly, and no gas flows through the leak.
  const freeVolumeM3 = params.freeVolumeM3;
  const bagSlack = gasVolumeM3 > freeVolumeM3 && gasVolumeM3 < freeVolumeM3 + params.breatherBagM3;
  const pressurePa = bagSlack ? ambient.pressurePa : nTotal * paPerMol;
  const o2Kpa = (nO2 * paPerMol) / 1000;
  const co2Kpa = (nCo2 * paPerMol) / 1000;
  const fruitKg = params.fruitKg;

  // The fruit: respiration, fermentation, dissolution, ethanol, softening.
  let o2UptakeMolPerS = 0;
  let co2ProductionMolPerS = 0;
  let fermMolPerS = 0;
  let dissolveMolPerS = 0;
  let firmnessRate = 0;
  let injuryRate = 0;
  let ethanolRate = 0;
  if (fruitKg > 0) {
    refreshMemo(params, inputs.kineticsTempC ?? fruitTempC);
    const k = params.respiration;
    const perKg = o2UptakeMolPerKgS(memo.vmO2, k, o2Kpa, co2Kpa);
    const fermPerKg = fermentativeCo2MolPerKgS(memo.vmFerm * (inputs.fermentationScale ?? 1), k, o2Kpa);
    o2UptakeMolPerS = fruitKg * perKg;
    fermMolPerS = fruitKg * fermPerKg;
    co2ProductionMolPerS = k.rqOx * o2UptakeMolPerS + fermMolPerS;
    dissolveMolPerS = co2DissolutionMolPerS(memo.solubility, co2Kpa, state[I.co2Dissolved]!, params.co2DissolutionTimeConstantS);
    const ethanolMol = state[I.ethanolMol]!;
    ethanolRate = ethanolRateMolPerS(fermMolPerS, ethanolMol, params.ethanolClearancePerS);
    firmnessRate = firmnessRateNPerS(params.firmness, memo.softening, o2Kpa, co2Kpa, state[I.firmnessN]!);
    injuryRate = injuryRatePerS(params.firmness, ethanolMgPerKg(ethanolMol, fruitKg));
  }

  // Leak, one direction at a time.
  let leakInMolPerS = 0;
  let leakOutMolPerS = 0;
  const dpPa = ambient.pressurePa - pressurePa;
  // dpPa is exactly 0 while the breather bag is slack: no leak flow, nothing to compute.
  if (params.leakAreaCm2 > 0 && dpPa !== 0) {
    const areaM2 = cm2ToM2(params.leakAreaCm2);
    if (dpPa >= 0) {
      const density = gasDensityKgPerM3(ambient.pressurePa, ambient.tempC, ambient.o2Fraction, ambient.co2Fraction);
      const q = leakVolumeFlowM3PerS(dpPa, areaM2, params.leakCd, density, params.leakLaminarBelowPa);
      leakInMolPerS = q * molarConcentrationMolPerM3(ambient.pressurePa, ambient.tempC);
    } else if (nTotal > 0) {
      const density = gasDensityKgPerM3(pressurePa, airTempC, nO2 / nTotal, nCo2 / nTotal);
      const q = leakVolumeFlowM3PerS(dpPa, areaM2, params.leakCd, density, params.leakLaminarBelowPa);
      leakOutMolPerS = (-q * nTotal) / gasVolumeM3;
    }
  }
  const ambientN2Fraction = 1 - ambient.o2Fraction - ambient.co2Fraction;

  // Door: equal volumes of ambient air in and cell gas out.
  const actuators = inputs.actuators;
  let doorInMolPerS = 0;
  let doorOutFraction = 0;
  let doorHeatW = 0;
  if (actuators.door && nTotal > 0) {
    const ambientDensity = gasDensityKgPerM3(ambient.pressurePa, ambient.tempC, ambient.o2Fraction, ambient.co2Fraction);
    const cellDensity = gasDensityKgPerM3(pressurePa, airTempC, nO2 / nTotal, nCo2 / nTotal);
    const q = doorExchangeM3PerS(params.doorAreaM2, params.doorHeightM, cellDensity, ambientDensity);
    doorInMolPerS = q * molarConcentrationMolPerM3(ambient.pressurePa, ambient.tempC);
    doorOutFraction = q / gasVolumeM3;
    doorHeatW = q * ambientDensity * AIR_CP_J_PER_KG_K * (ambient.tempC - airTempC);
  }

  // Inlets.
  const n2InMolPerS = actuators.n2 ? n2InletMolPerS(params.n2FlowNm3PerH) : 0;
  const n2InO2Fraction = n2InletO2Fraction(params.n2PurityFraction);
  const airInMolPerS = actuators.air ? airInletMolPerS(params.airFlowM3PerH, ambient.pressurePa, ambient.tempC) : 0;

  // Scrubber beds.
  const bedA = state[I.bedALoad]!;
  const bedB = state[I.bedBLoad]!;
  const activeIsA = (inputs.activeBed ?? 0) === 0;
  let scrubMolPerS = 0;
  let regenMolPerS = 0;
  if (actuators.scrub) {
    scrubMolPerS = scrubberCo2RemovalMolPerS(
      params.scrubberFlowM3PerH, params.scrubberEfficiency, nCo2, gasVolumeM3,
      activeIsA ? bedA : bedB, params.scrubberBedCapacityMol,
    );
    regenMolPerS = scrubberRegenerationMolPerS(activeIsA ? bedB : bedA, params.scrubberRegenerationPerS);
  }

  // Per-path, per-species flows (the ledger's derivative). Leak and door inflows have the ambient's
  // composition, constant over a step: the ledger integrates their totals and the plant splits them.
  const leakOutFraction = nTotal > 0 ? leakOutMolPerS / nTotal : 0;
  out[I.leakInStep] = leakInMolPerS;
  out[LEAK_OUT + O2] = leakOutFraction * nO2;
  out[LEAK_OUT + CO2] = leakOutFraction * nCo2;
  out[LEAK_OUT + N2] = leakOutFraction * nN2;
  out[I.doorInStep] = doorInMolPerS;
  out[DOOR_OUT + O2] = doorOutFraction * nO2;
  out[DOOR_OUT + CO2] = doorOutFraction * nCo2;
  out[DOOR_OUT + N2] = doorOutFraction * nN2;
  out[I.o2Consumed] = o2UptakeMolPerS;
  out[I.co2Produced] = co2ProductionMolPerS;
  out[I.co2Scrubbed] = scrubMolPerS;
  out[I.fermentativeCo2] = fermMolPerS;
  out[I.bedALoad] = activeIsA ? scrubMolPerS : -regenMolPerS;
  out[I.bedBLoad] = activeIsA ? -regenMolPerS : scrubMolPerS;

  // The free gas: the sum of the paths. The inlets' flows are constant over a step; the plant books them
  // in the ledger as rate × step (cell-plant.ts), which is what RK4 integrates here.
  out[GAS + O2] = leakInMolPerS * ambient.o2Fraction - out[LEAK_OUT + O2]! + doorInMolPerS * ambient.o2Fraction - out[DOOR_OUT + O2]!;
  out[GAS + CO2] = leakInMolPerS * ambient.co2Fraction - out[LEAK_OUT + CO2]! + doorInMolPerS * ambient.co2Fraction - out[DOOR_OUT + CO2]!;
  out[GAS + N2] = leakInMolPerS * ambientN2Fraction - out[LEAK_OUT + N2]! + doorInMolPerS * ambientN2Fraction - out[DOOR_OUT + N2]!;
  out[GAS + O2] = out[GAS + O2]! + n2InMolPerS * n2InO2Fraction + airInMolPerS * ambient.o2Fraction - o2UptakeMolPerS;
  out[GAS + CO2] = out[GAS + CO2]! + airInMolPerS * ambient.co2Fraction + co2ProductionMolPerS - scrubMolPerS - dissolveMolPerS;
  out[GAS + N2] = out[GAS + N2]! + n2InMolPerS * (1 - n2InO2Fraction) + airInMolPerS * ambientN2Fraction;

  // The fruit and the air node.
  const qResp = respirationHeatW(o2UptakeMolPerS, fermMolPerS);
  const coolingOn = inputs.coolingOn ?? false;
  out[I.co2Dissolved] = dissolveMolPerS;
  out[I.ethanolMol] = ethanolRate;
  out[I.firmnessN] = firmnessRate;
  out[I.injuryIndex] = injuryRate;
  out[I.fruitTempC] = fruitKg > 0 ? fruitTempRateKPerS(params, qResp, fruitTempC, airTempC) : 0;
  out[I.airTempC] = airNodeHeatW(params, fruitTempC, airTempC, ambient.tempC, coolingOn, doorHeatW) / params.airNodeHeatCapacityJPerK;

  if (algebraic) {
    algebraic.gasVolumeM3 = gasVolumeM3;
    algebraic.pressurePa = pressurePa;
    algebraic.o2Kpa = o2Kpa;
    algebraic.co2Kpa = co2Kpa;
    algebraic.o2UptakeMolPerS = o2UptakeMolPerS;
    algebraic.co2ProductionMolPerS = co2ProductionMolPerS;
    algebraic.fermentativeCo2MolPerS = fermMolPerS;
    algebraic.respirationHeatW = qResp;
    algebraic.coolingElectricW = (coolingOn ? params.coolingCapacityW / params.coolingCop : 0) + params.fanPowerW;
  }
}

/** Time for a flow of `molPerS` to exchange `cellMol` moles, s (Infinity without flow). */
function flushTimeS(cellMol: number, molPerS: number): number {
  return molPerS > 0 ? cellMol / molPerS : Infinity;
}

/**
 * The shortest time constant of the cell's fast terms, s: the leak's pressure relaxation with the bag
 * at a limit (leak.ts), the flush time V/Q of each inlet and of the scrubber loop as if switched on, the
 * door exchange while the door is open, and the air node's thermal time constant. An explicit integrator
 * keeps its step well below this; respiration, dissolution and the fruit's temperature are far slower.
 */
export function cellFastestTimeConstantS(params: CellParams, ambient: AmbientConditions, actuators?: CellActuators): number {
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
  const cellMol = volume * cellMolPerM3;
  fastest = Math.min(
    fastest,
    flushTimeS(cellMol, n2InletMolPerS(params.n2FlowNm3PerH)),
    flushTimeS(cellMol, airInletMolPerS(params.airFlowM3PerH, ambient.pressurePa, ambient.tempC)),
    flushTimeS(cellMol, ((params.scrubberFlowM3PerH * params.scrubberEfficiency) / 3600) * cellMolPerM3),
  );
  let thermalConductanceWPerK = params.wallConductanceWPerK + (params.fruitKg > 0 ? params.fruitAirConductanceWPerK : 0);
  if (actuators?.door) {
    const ambientDensity = gasDensityKgPerM3(ambient.pressurePa, ambient.tempC, ambient.o2Fraction, ambient.co2Fraction);
    const q = doorExchangeM3PerS(params.doorAreaM2, params.doorHeightM, density, ambientDensity);
    fastest = Math.min(fastest, volume / q);
    thermalConductanceWPerK += q * ambientDensity * AIR_CP_J_PER_KG_K;
  }
  return Math.min(fastest, params.airNodeHeatCapacityJPerK / thermalConductanceWPerK);
}
