/**
 * The cell's derivative (cell.ts) as one fused, allocation-free function for the integrator's hot loop,
 * and the per-step coefficients it runs on. Same equations, same parameters: cell.ts's `cellDerivative`,
 * the composition of the per-term functions, stays the reference, and this file is derived from it.
 *
 * Two halves:
 *  - `cellStepCoefficients(inputs, params, c)` evaluates, through the per-term functions themselves, every
 *    quantity that depends only on parameters and on inputs held constant over a step (STYLE.md 6: the
 *    actuators, the ambient, the thermostat, the kinetics temperature, the drift, the active bed): the
 *    Arrhenius factors (respiration.ts, fruit-firmness.ts), the CO2 solubility (co2-dissolution.ts), the
 *    inlet flows (n2-inlet.ts, air-inlet.ts), the ambient air's density and concentration (gas-properties.ts),
 *    the leak's inflow per Pa and per √Pa (from leak.ts's own function), reciprocals and products of
 *    parameters. It writes them into a
 *    `Float64Array`; the plant refreshes it whenever an input changes, between steps.
 *  - `cellFusedDerivative(state, c, out)` evaluates what depends on the state, term by term as
 *    `cellDerivative` does. It reads two typed arrays and writes a third: no objects, no optional fields,
 *    no allocation, one shape at every call site, which is what lets the JIT keep it tight.
 *
 * Where the two differ is rounding only: divisions by a parameter become multiplications by its
 * reciprocal, and the three Michaelis–Menten denominators of respiration and softening share one division
 * (a/A, b/B and c/S as a·B·S·r, b·A·S·r and c·A·B·r with r = 1/(A·B·S)). A division costs several
 * multiplications, and divisions dominated the reference's time. With the breather bag at a limit, the
 * pressure and hence the leak's Δp are computed exactly as the reference computes them, because Δp is a
 * small difference of large numbers; while the bag is slack both take p = p_amb.
 * test/simulator/cell-fused-derivative.test.ts checks the agreement, 1e-12 relative, on random states and
 * inputs for every preset.
 *
 * Each block below names the term file whose equation it evaluates. When an equation changes there, the
 * agreement test fails until the same change is made here.
 */
import type { DerivativeFn } from '../engine/rk4.js';
import type { CellInputs, CellParams } from './cell.js';
import { CellStateIndex, CO2, N2, O2 } from './cell-state.js';
import { fruitTempRateKPerS } from './cell-heat-balance.js';
import { co2SolubilityMolPerKpa } from './co2-dissolution.js';
import { scrubberCo2RemovalMolPerS } from './co2-scrubber.js';
import { airInletMolPerS } from './air-inlet.js';
import { doorExchangeM3PerS } from './door-exchange.js';
import { ethanolMgPerKg } from './fermentation-ethanol.js';
import { firmnessArrhenius, injuryRatePerS } from './fruit-firmness.js';
import {
  GAS_CONSTANT_J_PER_MOL_K,
  MOLAR_MASS_CO2_KG_PER_MOL,
  MOLAR_MASS_N2_KG_PER_MOL,
  MOLAR_MASS_O2_KG_PER_MOL,
  ZERO_CELSIUS_K,
  gasDensityKgPerM3,
  molarConcentrationMolPerM3,
} from './gas-properties.js';
import { cm2ToM2, leakVolumeFlowM3PerS } from './leak.js';
import { n2InletMolPerS, n2InletO2Fraction } from './n2-inlet.js';
import { FERMENTATIVE_HEAT_J_PER_MOL_CO2, OXIDATIVE_HEAT_J_PER_MOL_O2 } from './respiration-heat.js';
import { vmFermMolPerKgS, vmO2MolPerKgS } from './respiration.js';

// ---- Coefficient layout (indices into the Float64Array) ----
// Gas volume (breather-bag.ts).
const C_FREE_VOLUME_M3 = 0;
/** Rigid free volume plus the bag's capacity, m³. */
const C_FULL_VOLUME_M3 = 1;
const C_AMBIENT_PA = 2;
// The fruit (respiration.ts, co2-dissolution.ts, fermentation-ethanol.ts, fruit-firmness.ts); 1 with fruit.
const C_HAS_FRUIT = 3;
const C_FRUIT_KG = 4;
const C_VM_O2 = 5;
const C_KM_O2 = 6;
const C_INV_KM_CO2 = 7;
/** Vmf(T) times the drift's scale. */
const C_VM_FERM_SCALED = 8;
const C_INV_KM_FERM_O2 = 9;
const C_RQ_OX = 10;
const C_SOLUBILITY = 11;
const C_INV_DISSOLUTION_TAU = 12;
const C_ETHANOL_CLEARANCE = 13;
/** −k_ref · Arrhenius factor of softening. */
const C_SOFTENING = 14;
const C_FIRM_KM_O2 = 15;
const C_INV_FIRM_KM_CO2 = 16;
const C_FIRM_MIN_N = 17;
const C_ETHANOL_THRESHOLD = 18;
/** mg/kg of ethanol per mol in the fruit. */
const C_ETHANOL_MG_PER_KG_PER_MOL = 19;
/** Injury rate per mg/kg above the threshold, 1/s. */
const C_INJURY_PER_MG_PER_KG = 20;
// The leak (leak.ts); 1 with a leak.
const C_HAS_LEAK = 21;
/** Cd · A, m². */
const C_CD_AREA = 22;
const C_LAMINAR_PA = 23;
/** Inflow, mol/s, per Pa of Δp below Δp_lin. */
const C_LEAK_IN_LAMINAR = 24;
/** Inflow, mol/s, per √Pa of Δp above Δp_lin. */
const C_LEAK_IN_TURBULENT = 25;
const C_AMBIENT_DENSITY = 26;
const C_AMBIENT_MOL_PER_M3 = 27;
// Ambient mole fractions.
const C_AMB_O2 = 28;
const C_AMB_CO2 = 29;
const C_AMB_N2 = 30;
// Inlets (n2-inlet.ts, air-inlet.ts): mol/s per species, 0 while shut.
const C_N2_IN_O2 = 31;
const C_N2_IN_N2 = 32;
const C_AIR_IN_O2 = 33;
const C_AIR_IN_CO2 = 34;
const C_AIR_IN_N2 = 35;
// Scrubber (co2-scrubber.ts); 1 while it runs.
const C_SCRUB_ON = 36;
/** Removal by a clean bed, mol/s per (mol/m³) of CO2: η0 · Q/3600 (0 for beds without capacity). */
const C_SCRUB_CLEAN_M3_PER_S = 37;
const C_INV_BED_CAPACITY = 38;
const C_REGENERATION_PER_S = 39;
/** 1 while bed A adsorbs. */
const C_ACTIVE_IS_A = 40;
// Door (door-exchange.ts); 1 while open.
const C_DOOR_OPEN = 41;
const C_DOOR_AREA_M2 = 42;
const C_DOOR_HEIGHT_M = 43;
// Heat balance (cell-heat-balance.ts).
const C_AMBIENT_TEMP_C = 44;
const C_FRUIT_AIR_G = 45;
/** 1 / (m · c_f), K/J. */
const C_INV_FRUIT_HEAT_CAPACITY = 46;
const C_WALL_UA = 47;
const C_FAN_W = 48;
/** Cooling capacity while the unit runs, else 0, W. */
const C_COOLING_W = 49;
const C_INV_AIR_NODE_HEAT_CAPACITY = 50;
/** The kinetics temperature the temperature factors were computed for (a cache key). */
const C_KINETICS_TEMP_C = 51;
const C_VM_FERM = 52;
const C_INV_LAMINAR_PA = 53;
const C_INV_AMBIENT_PA = 54;

/** Length of the coefficient array. */
export const CELL_STEP_COEFFICIENTS_SIZE = 55;

/** Specific heat of air at constant pressure, J kg⁻¹ K⁻¹ (as cell.ts). */
const AIR_CP_J_PER_KG_K = 1005;

/** A coefficient array for `cellStepCoefficients`; one per plant (it caches the temperature factors). */
export function createCellStepCoefficients(): Float64Array {
  const c = new Float64Array(CELL_STEP_COEFFICIENTS_SIZE);
  c[C_KINETICS_TEMP_C] = NaN;
  return c;
}

/**
 * Fills `c` with the step's coefficients for `inputs` and `params`. `inputs.kineticsTempC` must be set (the
 * plant always sets it): the fused derivative takes the kinetics temperature as constant over the step.
 * A given `c` must always be used with the same `params` (the temperature factors are cached in it).
 * Coefficients that are slopes of a term are taken from the term's own function, evaluated at a point.
 */
export function cellStepCoefficients(inputs: CellInputs, params: CellParams, c: Float64Array): void {
  const ambient = inputs.ambient;
  const actuators = inputs.actuators;
  c[C_FREE_VOLUME_M3] = params.freeVolumeM3;
  c[C_AMBIENT_PA] = ambient.pressurePa;
  c[C_INV_AMBIENT_PA] = 1 / ambient.pressurePa;
  c[C_FULL_VOLUME_M3] = params.freeVolumeM3 + params.breatherBagM3;

  // The fruit.
  const fruitKg = params.fruitKg;
  const k = params.respiration;
  const f = params.firmness;
  c[C_HAS_FRUIT] = fruitKg > 0 ? 1 : 0;
  c[C_FRUIT_KG] = fruitKg;
  if (fruitKg > 0) {
    const tempC = inputs.kineticsTempC;
    if (tempC === undefined) throw new TypeError('cellStepCoefficients: inputs.kineticsTempC must be set');
    if (tempC !== c[C_KINETICS_TEMP_C]) {
      c[C_KINETICS_TEMP_C] = tempC;
      c[C_VM_O2] = vmO2MolPerKgS(k, tempC);
      c[C_VM_FERM] = vmFermMolPerKgS(k, tempC);
      c[C_SOLUBILITY] = co2SolubilityMolPerKpa(fruitKg, tempC);
      c[C_SOFTENING] = -f.kRefPerS * firmnessArrhenius(f, tempC);
    }
  }
  c[C_KM_O2] = k.kmO2Kpa;
  c[C_INV_KM_CO2] = 1 / k.kmCo2Kpa;
  c[C_VM_FERM_SCALED] = c[C_VM_FERM]! * (inputs.fermentationScale ?? 1);
  c[C_INV_KM_FERM_O2] = 1 / k.kmFermO2Kpa;
  c[C_RQ_OX] = k.rqOx;
  c[C_INV_DISSOLUTION_TAU] = 1 / params.co2DissolutionTimeConstantS;
  c[C_ETHANOL_CLEARANCE] = params.ethanolClearancePerS;
  c[C_FIRM_KM_O2] = f.kmO2Kpa;
  c[C_INV_FIRM_KM_CO2] = 1 / f.kmCo2Kpa;
  c[C_FIRM_MIN_N] = f.minFirmnessN;
  c[C_ETHANOL_THRESHOLD] = f.ethanolThresholdMgPerKg;
  c[C_ETHANOL_MG_PER_KG_PER_MOL] = ethanolMgPerKg(1, fruitKg);
  c[C_INJURY_PER_MG_PER_KG] = injuryRatePerS(f, f.ethanolThresholdMgPerKg + 1);

  // The leak: its inflow is Q(Δp)·c_amb with the ambient air upstream, which is constant over a step.
  const ambientDensity = gasDensityKgPerM3(ambient.pressurePa, ambient.tempC, ambient.o2Fraction, ambient.co2Fraction);
  const ambientMolPerM3 = molarConcentrationMolPerM3(ambient.pressurePa, ambient.tempC);
  const areaM2 = cm2ToM2(params.leakAreaCm2);
  const laminarPa = params.leakLaminarBelowPa;
  const qAtLaminarM3PerS = leakVolumeFlowM3PerS(laminarPa, areaM2, params.leakCd, ambientDensity, laminarPa);
  c[C_HAS_LEAK] = params.leakAreaCm2 > 0 ? 1 : 0;
  c[C_CD_AREA] = params.leakCd * areaM2;
  c[C_INV_LAMINAR_PA] = 1 / laminarPa;
  c[C_LAMINAR_PA] = laminarPa;
  c[C_LEAK_IN_LAMINAR] = (qAtLaminarM3PerS / laminarPa) * ambientMolPerM3;
  c[C_LEAK_IN_TURBULENT] = (qAtLaminarM3PerS / Math.sqrt(laminarPa)) * ambientMolPerM3;
  c[C_AMBIENT_DENSITY] = ambientDensity;
  c[C_AMBIENT_MOL_PER_M3] = ambientMolPerM3;

  const xN2 = 1 - ambient.o2Fraction - ambient.co2Fraction;
  c[C_AMB_O2] = ambient.o2Fraction;
  c[C_AMB_CO2] = ambient.co2Fraction;
  c[C_AMB_N2] = xN2;

  const n2In = actuators.n2 ? n2InletMolPerS(params.n2FlowNm3PerH) : 0;
  const n2InO2 = n2InletO2Fraction(params.n2PurityFraction);
  const airIn = actuators.air ? airInletMolPerS(params.airFlowM3PerH, ambient.pressurePa, ambient.tempC) : 0;
  c[C_N2_IN_O2] = n2In * n2InO2;
  c[C_N2_IN_N2] = n2In * (1 - n2InO2);
  c[C_AIR_IN_O2] = airIn * ambient.o2Fraction;
  c[C_AIR_IN_CO2] = airIn * ambient.co2Fraction;
  c[C_AIR_IN_N2] = airIn * xN2;

  // Scrubber: a clean bed's removal of 1 mol CO2 in 1 m³ is its η0·Q/3600.
  const capacityMol = params.scrubberBedCapacityMol;
  c[C_SCRUB_ON] = actuators.scrub ? 1 : 0;
  c[C_SCRUB_CLEAN_M3_PER_S] = scrubberCo2RemovalMolPerS(params.scrubberFlowM3PerH, params.scrubberEfficiency, 1, 1, 0, capacityMol);
  c[C_INV_BED_CAPACITY] = capacityMol > 0 ? 1 / capacityMol : 0;
  c[C_REGENERATION_PER_S] = params.scrubberRegenerationPerS;
  c[C_ACTIVE_IS_A] = (inputs.activeBed ?? 0) === 0 ? 1 : 0;

  c[C_DOOR_OPEN] = actuators.door ? 1 : 0;
  c[C_DOOR_AREA_M2] = params.doorAreaM2;
  c[C_DOOR_HEIGHT_M] = params.doorHeightM;

  c[C_AMBIENT_TEMP_C] = ambient.tempC;
  c[C_FRUIT_AIR_G] = params.fruitAirConductanceWPerK;
  // dT_f/dt per W of net heat into the fruit.
  c[C_INV_FRUIT_HEAT_CAPACITY] = fruitKg > 0 ? fruitTempRateKPerS(params, 1, 0, 0) : 0;
  c[C_WALL_UA] = params.wallConductanceWPerK;
  c[C_FAN_W] = params.fanPowerW;
  c[C_COOLING_W] = (inputs.coolingOn ?? false) ? params.coolingCapacityW : 0;
  c[C_INV_AIR_NODE_HEAT_CAPACITY] = 1 / params.airNodeHeatCapacityJPerK;
}

// Block offsets as plain module constants, which the JIT folds into the loop.
const I = CellStateIndex;
const GAS = I.gas;
const CO2_DISSOLVED = I.co2Dissolved;
const FRUIT_TEMP = I.fruitTempC;
const AIR_TEMP = I.airTempC;
const ETHANOL = I.ethanolMol;
const FIRMNESS = I.firmnessN;
const BED_A = I.bedALoad;
const BED_B = I.bedBLoad;
const LEAK_IN_STEP = I.leakInStep;
const LEAK_OUT = I.leakOut;
const DOOR_IN_STEP = I.doorInStep;
const DOOR_OUT = I.doorOut;
const O2_CONSUMED = I.o2Consumed;
const CO2_PRODUCED = I.co2Produced;
const CO2_SCRUBBED = I.co2Scrubbed;
const FERMENTATIVE_CO2 = I.fermentativeCo2;
const INJURY = I.injuryIndex;

/**
 * dy/dt of the integrated part of the cell state, as `cellDerivative(t, state, inputs, params, out)` gives
 * it, for the coefficients `c` that `cellStepCoefficients(inputs, params, c)` filled. Reads only the first
 * CELL_DYNAMIC_SIZE entries of `state`; writes the first CELL_CLOSED_DOOR_SIZE entries of `out`, and the
 * door's up to CELL_INTEGRATED_SIZE only while the door is open (shut, their rates are 0 and the plant
 * integrates the shorter prefix).
 */
export function cellFusedDerivative(state: Float64Array, c: Float64Array, out: Float64Array): void {
  const nO2 = state[GAS + O2]!;
  const nCo2 = state[GAS + CO2]!;
  const nN2 = state[GAS + N2]!;
  const nTotal = nO2 + nCo2 + nN2;
  const airTempC = state[AIR_TEMP]!;
  const fruitTempC = state[FRUIT_TEMP]!;
  const ambientPa = c[C_AMBIENT_PA]!;

  // Gas volume and pressure (breather-bag.ts, cell.ts freeGasPressurePa): the volume the gas needs at
  // ambient pressure, n·R·T/p_amb, says whether the bag is empty, slack or full. Slack, the cell is at
  // ambient pressure exactly (no leak flow) and p/n = p_amb/n. At a limit the volume is rigid and the
  // pressure is computed as the reference computes it, so that Δp, a small difference of large numbers,
  // is the reference's to the last bit.
  const rt = GAS_CONSTANT_J_PER_MOL_K * (airTempC + ZERO_CELSIUS_K);
  const neededM3 = nTotal * rt * c[C_INV_AMBIENT_PA]!;
  const freeVolumeM3 = c[C_FREE_VOLUME_M3]!;
  const fullVolumeM3 = c[C_FULL_VOLUME_M3]!;
  let gasVolumeM3: number;
  let paPerMol: number;
  let pressurePa: number;
  if (neededM3 > freeVolumeM3 && neededM3 < fullVolumeM3) {
    gasVolumeM3 = neededM3;
    paPerMol = ambientPa / nTotal;
    pressurePa = ambientPa;
  } else {
    gasVolumeM3 = neededM3 <= freeVolumeM3 ? freeVolumeM3 : fullVolumeM3;
    paPerMol = rt / gasVolumeM3;
    pressurePa = nTotal * paPerMol;
  }
  const kpaPerMol = paPerMol * 0.001;
  const o2Kpa = nO2 * kpaPerMol;
  const co2Kpa = nCo2 * kpaPerMol;

  // The fruit.
  let o2UptakeMolPerS = 0;
  let co2ProductionMolPerS = 0;
  let fermMolPerS = 0;
  let dissolveMolPerS = 0;
  let firmnessRate = 0;
  let injuryRate = 0;
  let ethanolRate = 0;
  const hasFruit = c[C_HAS_FRUIT] === 1;
  if (hasFruit) {
    const fruitKg = c[C_FRUIT_KG]!;
    const o2 = o2Kpa > 0 ? o2Kpa : 0;
    const co2 = co2Kpa > 0 ? co2Kpa : 0;
    // The three Michaelis–Menten denominators (all > 0: the Km are) share one division, r = 1/(A·B·S).
    // respiration.ts: rO2 = Vm·pO2 / A, A = (KmO2 + pO2)(1 + pCO2/KmCO2);  F = Vmf / B, B = 1 + pO2/Kmf.
    // fruit-firmness.ts: dF/dt = −k(T)·pO2 / S·(F − F_min), S = (K_O2 + pO2)(1 + pCO2/K_CO2).
    const uptakeDenominator = (c[C_KM_O2]! + o2) * (1 + co2 * c[C_INV_KM_CO2]!);
    const fermDenominator = 1 + o2 * c[C_INV_KM_FERM_O2]!;
    const softeningDenominator = (c[C_FIRM_KM_O2]! + o2) * (1 + co2 * c[C_INV_FIRM_KM_CO2]!);
    const r = 1 / (uptakeDenominator * fermDenominator * softeningDenominator);
    o2UptakeMolPerS = fruitKg * (c[C_VM_O2]! * o2 * (fermDenominator * softeningDenominator) * r);
    fermMolPerS = fruitKg * (c[C_VM_FERM_SCALED]! * (uptakeDenominator * softeningDenominator) * r);
    co2ProductionMolPerS = c[C_RQ_OX]! * o2UptakeMolPerS + fermMolPerS;
    // co2-dissolution.ts: (S·pCO2 − n_d)/τ_d.
    dissolveMolPerS = (c[C_SOLUBILITY]! * co2 - state[CO2_DISSOLVED]!) * c[C_INV_DISSOLUTION_TAU]!;
    // fermentation-ethanol.ts: dE/dt = F − k_E·E.
    const ethanolMol = state[ETHANOL]!;
    ethanolRate = fermMolPerS - c[C_ETHANOL_CLEARANCE]! * ethanolMol;
    // fruit-firmness.ts: softening (above) and the low-O2 injury index.
    firmnessRate = c[C_SOFTENING]! * o2 * (uptakeDenominator * fermDenominator) * r * (state[FIRMNESS]! - c[C_FIRM_MIN_N]!);
    const excess = ethanolMol * c[C_ETHANOL_MG_PER_KG_PER_MOL]! - c[C_ETHANOL_THRESHOLD]!;
    injuryRate = excess > 0 ? excess * c[C_INJURY_PER_MG_PER_KG]! : 0;
  }

  // Leak (leak.ts), one direction at a time; dpPa is exactly 0 while the bag is slack.
  let leakInMolPerS = 0;
  let leakOutFraction = 0;
  const dpPa = ambientPa - pressurePa;
  if (c[C_HAS_LEAK] === 1 && dpPa !== 0) {
    const laminarPa = c[C_LAMINAR_PA]!;
    if (dpPa >= 0) {
      leakInMolPerS = dpPa < laminarPa ? dpPa * c[C_LEAK_IN_LAMINAR]! : c[C_LEAK_IN_TURBULENT]! * Math.sqrt(dpPa);
    } else if (nTotal > 0) {
      // Out through the leak, the cell gas upstream. Its density (gas-properties.ts: p/(R·T) times the
      // molar mass of the mixture) is its mass over its volume, Σ n_i·M_i / V, which needs no division by
      // n; and 2·|Δp|/ρ = 2·|Δp|·V/mass.
      const massKg = nO2 * MOLAR_MASS_O2_KG_PER_MOL + nCo2 * MOLAR_MASS_CO2_KG_PER_MOL + nN2 * MOLAR_MASS_N2_KG_PER_MOL;
      const magnitude = -dpPa;
      // Out: −Q·n/V mol/s, a fraction −Q/V of each species per second (Q < 0 here).
      leakOutFraction =
        magnitude < laminarPa
          ? (c[C_CD_AREA]! * Math.sqrt((2 * laminarPa * gasVolumeM3) / massKg) * (magnitude * c[C_INV_LAMINAR_PA]!)) / gasVolumeM3
          : (c[C_CD_AREA]! * Math.sqrt((2 * magnitude * gasVolumeM3) / massKg)) / gasVolumeM3;
    }
  }
  const xO2Amb = c[C_AMB_O2]!;
  const xCo2Amb = c[C_AMB_CO2]!;
  const xN2Amb = c[C_AMB_N2]!;

  // Door (door-exchange.ts): equal volumes of ambient air in and cell gas out.
  let doorInMolPerS = 0;
  let doorOutFraction = 0;
  let doorHeatW = 0;
  if (c[C_DOOR_OPEN] === 1 && nTotal > 0) {
    const ambientDensity = c[C_AMBIENT_DENSITY]!;
    const cellDensity = gasDensityKgPerM3(pressurePa, airTempC, nO2 / nTotal, nCo2 / nTotal);
    const q = doorExchangeM3PerS(c[C_DOOR_AREA_M2]!, c[C_DOOR_HEIGHT_M]!, cellDensity, ambientDensity);
    doorInMolPerS = q * c[C_AMBIENT_MOL_PER_M3]!;
    doorOutFraction = q / gasVolumeM3;
    doorHeatW = q * ambientDensity * AIR_CP_J_PER_KG_K * (c[C_AMBIENT_TEMP_C]! - airTempC);
  }

  // Scrubber beds (co2-scrubber.ts): removal η0·(1 − L_a/C)·Q/3600·n_CO2/V, regeneration k_r·L_r.
  const bedA = state[BED_A]!;
  const bedB = state[BED_B]!;
  const activeIsA = c[C_ACTIVE_IS_A] === 1;
  let scrubMolPerS = 0;
  let regenMolPerS = 0;
  if (c[C_SCRUB_ON] === 1) {
    const load = activeIsA ? bedA : bedB;
    const co2 = nCo2 > 0 ? nCo2 : 0;
    const free = Math.max(0, 1 - load * c[C_INV_BED_CAPACITY]!);
    scrubMolPerS = (c[C_SCRUB_CLEAN_M3_PER_S]! * free * co2) / gasVolumeM3;
    const idle = activeIsA ? bedB : bedA;
    regenMolPerS = idle > 0 ? c[C_REGENERATION_PER_S]! * idle : 0;
  }

  // Per-path, per-species flows (the ledger's derivative).
  const leakInO2 = leakInMolPerS * xO2Amb;
  const leakInCo2 = leakInMolPerS * xCo2Amb;
  const leakInN2 = leakInMolPerS * xN2Amb;
  const leakOutO2 = leakOutFraction * nO2;
  const leakOutCo2 = leakOutFraction * nCo2;
  const leakOutN2 = leakOutFraction * nN2;
  const doorInO2 = doorInMolPerS * xO2Amb;
  const doorInCo2 = doorInMolPerS * xCo2Amb;
  const doorInN2 = doorInMolPerS * xN2Amb;
  const doorOutO2 = doorOutFraction * nO2;
  const doorOutCo2 = doorOutFraction * nCo2;
  const doorOutN2 = doorOutFraction * nN2;
  out[LEAK_IN_STEP] = leakInMolPerS;
  out[LEAK_OUT + O2] = leakOutO2;
  out[LEAK_OUT + CO2] = leakOutCo2;
  out[LEAK_OUT + N2] = leakOutN2;
  if (c[C_DOOR_OPEN] === 1) {
    out[DOOR_IN_STEP] = doorInMolPerS;
    out[DOOR_OUT + O2] = doorOutO2;
    out[DOOR_OUT + CO2] = doorOutCo2;
    out[DOOR_OUT + N2] = doorOutN2;
  }
  out[O2_CONSUMED] = o2UptakeMolPerS;
  out[CO2_PRODUCED] = co2ProductionMolPerS;
  out[CO2_SCRUBBED] = scrubMolPerS;
  out[FERMENTATIVE_CO2] = fermMolPerS;
  out[BED_A] = activeIsA ? scrubMolPerS : -regenMolPerS;
  out[BED_B] = activeIsA ? -regenMolPerS : scrubMolPerS;

  // The free gas: the sum of the paths, the inlets, the fruit and the scrubber.
  out[GAS + O2] = leakInO2 - leakOutO2 + doorInO2 - doorOutO2 + c[C_N2_IN_O2]! + c[C_AIR_IN_O2]! - o2UptakeMolPerS;
  out[GAS + CO2] =
    leakInCo2 - leakOutCo2 + doorInCo2 - doorOutCo2 + c[C_AIR_IN_CO2]! + co2ProductionMolPerS - scrubMolPerS - dissolveMolPerS;
  out[GAS + N2] = leakInN2 - leakOutN2 + doorInN2 - doorOutN2 + c[C_N2_IN_N2]! + c[C_AIR_IN_N2]!;

  // The fruit and the air node (respiration-heat.ts, cell-heat-balance.ts).
  const qResp = OXIDATIVE_HEAT_J_PER_MOL_O2 * o2UptakeMolPerS + FERMENTATIVE_HEAT_J_PER_MOL_CO2 * fermMolPerS;
  out[CO2_DISSOLVED] = dissolveMolPerS;
  out[ETHANOL] = ethanolRate;
  out[FIRMNESS] = firmnessRate;
  out[INJURY] = injuryRate;
  const fruitToAirW = hasFruit ? c[C_FRUIT_AIR_G]! * (fruitTempC - airTempC) : 0;
  out[FRUIT_TEMP] = hasFruit ? (qResp - fruitToAirW) * c[C_INV_FRUIT_HEAT_CAPACITY]! : 0;
  out[AIR_TEMP] =
    (fruitToAirW + c[C_WALL_UA]! * (c[C_AMBIENT_TEMP_C]! - airTempC) + c[C_FAN_W]! - c[C_COOLING_W]! + doorHeatW) *
    c[C_INV_AIR_NODE_HEAT_CAPACITY]!;
}

/**
 * `cellFusedDerivative` in the integrators' `DerivativeFn` form, its context the coefficients. Every plant
 * and the benchmark hand the integrators this one function, so that their call site sees one target and
 * the JIT can inline it; a second wrapper closure elsewhere would make it polymorphic and slow every user.
 */
export const cellFusedDerivativeFn: DerivativeFn<Float64Array> = (_tS, y, out, coefficients) => cellFusedDerivative(y, coefficients, out);

