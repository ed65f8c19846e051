/**
 * A storage cell as the rest of the bench sees it: a plant that advances in time, takes actuator
 * commands, and is read through sensor models. It owns the state vector, the RK4 stepper, the sensors and
 * the discrete events; the physics is `cellDerivative` (model/cell.ts) and nothing here adds to it.
 *
 * The hot loop runs the fused form of that derivative (model/cell-fused-derivative.ts): the inputs'
 * per-step coefficients are computed through the per-term functions whenever an input changes (an event,
 * `setActuators`, `setAmbient`), and each RK4 stage only evaluates what depends on the state.
 *
 * Time: `step(dtS)` is the only thing that moves plant time. Callers drive it from the virtual clock
 * (engine/virtual-clock.ts), never from the wall clock. Inside a step the plant takes sub-steps: under RK4
 * (cells) equal ones no longer than `maxStepS` and no longer than half the cell's fastest time constant;
 * under the adaptive Dormand–Prince integrator (pallet covers, engine/dopri5.ts) the ones its error
 * control chooses, up to `maxStepS`, the last ending on the step's end. Actuators and ambient are held
 * constant over a `step` call, so a valve switched at t is switched at a step boundary.
 *
 * Discrete events, applied between sub-steps in this order (STYLE.md 6):
 *  1. the relief valve vents or admits gas to bring the cell back to its opening pressure (relief-valve.ts);
 *  2. the scrubber switches beds when the adsorbing one is 90 % loaded, letting the void air in (co2-scrubber.ts);
 *  3. the cooling thermostat switches on or off (cooling-thermostat.ts);
 *  4. the kinetics temperature follows the fruit when it has moved by more than 0.002 K (model/cell.ts);
 *  5. once per hour of plant time, the break point's drift with storage time (rq-break-point.ts).
 */
import { createRk4Stepper, type Rk4Stepper } from './engine/rk4.js';
import { createDopri5Stepper, type Dopri5Options, type Dopri5Stepper } from './engine/dopri5.js';
import { createRandom, deriveSeed } from './engine/random.js';
import {
  cellDerivative,
  cellFastestTimeConstantS,
  freeGasPressurePa,
  molFromKpa,
  type AmbientConditions,
  type CellActuators,
  type CellAlgebraic,
  type CellInputs,
  type CellParams,
} from './model/cell.js';
import { cellFusedDerivativeFn, cellStepCoefficients, createCellStepCoefficients } from './model/cell-fused-derivative.js';
import {
  CELL_CLOSED_DOOR_SIZE,
  CELL_DYNAMIC_SIZE,
  CELL_INTEGRATED_SIZE,
  CellStateIndex,
  CO2,
  N2,
  O2,
  SPECIES_COUNT,
  createCellState,
  readGasLedger,
  readGasMol,
  type GasLedger,
  type SpeciesMol,
} from './model/cell-state.js';
import { gasVolumeWithBagM3 } from './model/breather-bag.js';
import { co2SolubilityMolPerKpa } from './model/co2-dissolution.js';
import { coolingOnNext } from './model/cooling-thermostat.js';
import { ethanolMgPerKg } from './model/fermentation-ethanol.js';
import { reliefValveVentMol } from './model/relief-valve.js';
import { FERMENTATIVE_HEAT_J_PER_MOL_CO2, OXIDATIVE_HEAT_J_PER_MOL_O2 } from './model/respiration-heat.js';
import { airInletMolPerS } from './model/air-inlet.js';
import { n2InletMolPerS, n2InletO2Fraction } from './model/n2-inlet.js';
import { breakPointDriftVmFermScale, breakPointO2Kpa } from './model/rq-break-point.js';
import {
  resolveActuators,
  resolveAmbient,
  resolveCellPlantOptions,
  type CellPlantOptions,
  type PlantIntegrator,
} from './plant-options.js';
import type { PlantPreset } from './presets/plant-preset.js';
import { createGasSensor } from './sensors/gas-sensor.js';
import { createTemperatureSensor } from './sensors/temperature-sensor.js';
import { createCalibrationGasBottle, drawFromAll, type CalibrationGasBottle } from './sensors/calibration-gas-bottle.js';
import type { FirstOrderSensor } from './sensors/first-order-sensor.js';
import type { SensorCalibration } from './sensors/sensor-calibration.js';
import type { SensorFault } from './sensors/sensor-fault.js';
import { SimulatorError } from './simulator-error.js';

/** How often the break point's storage-time drift is brought up to date, s of plant time. */
const DRIFT_UPDATE_PERIOD_S = 3600;
/** The kinetics temperature follows the fruit once it has moved by more than this, K. */
const KINETICS_TEMP_TOLERANCE_K = 0.002;
/** Bed load, as a fraction of capacity, at which the scrubber switches beds. */
const BED_SWITCH_FRACTION = 0.9;

// State indices the per-sub-step code reads, as plain module constants (the JIT folds them).
const GAS = CellStateIndex.gas;
const AIR_TEMP = CellStateIndex.airTempC;
const FRUIT_TEMP = CellStateIndex.fruitTempC;

/** The fused derivative as the steppers call it: one module-level function for every plant (monomorphic). */
const fusedDerivative = cellFusedDerivativeFn;

/** What the sensors report, with the plant time they were taken at; null: no reading (a dropout fault). */
export interface SensorReadings {
  /** Plant time of the reading, s since the start of the run. */
  timeS: number;
  /** O2 analyser reading, kPa. */
  o2Kpa: number | null;
  /** CO2 analyser reading, kPa. */
  co2Kpa: number | null;
  /** Temperature probe reading (cell air), °C. */
  tempC: number | null;
}

/** The cell's own sensors, by name. */
export type CellSensorName = 'o2' | 'co2' | 'temp';

/** A calibration-gas bottle as a report shows it. */
export interface CalibrationBottleReading {
  name: string;
  /** Pressure in the bottle, bar. */
  pressureBar: number;
  /** Normal litres still usable above its minimum pressure. */
  normalLitresLeft: number;
  /** Normal litres drawn since the start. */
  normalLitresDrawn: number;
}

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

export interface CellPlant {
  /** The preset the plant was built from. */
  readonly preset: PlantPreset;
  /** The cell's resolved parameters. */
  readonly params: Readonly<CellParams>;
  /** Gross cell volume, m³. */
  readonly grossVolumeM3: number;
  /** Plant time, s since the start of the run. */
  readonly timeS: number;
  /** Current actuator states (a copy). */
  readonly actuators: Readonly<CellActuators>;
  /** Current ambient conditions (a copy). */
  readonly ambient: Readonly<AmbientConditions>;
  /** Cooling setpoint, °C. */
  readonly coolingSetpointC: number;
  /** The integrator: fixed-step 'rk4', or the adaptive 'dopri5' (plant-options.ts `integrator`). */
  readonly integrator: PlantIntegrator;
  /** Sub-step in use, s: RK4's fixed one, or the adaptive integrator's last accepted step. */
  readonly subStepS: number;
  /** Integrator sub-steps taken (accepted) since the start. */
  readonly integratorSteps: number;
  /** Sub-steps the adaptive integrator rejected and retried shorter (0 under RK4). */
  readonly rejectedSteps: number;
  /** Advances the plant by `dtS` seconds (finite, ≥ 0). */
  step(dtS: number): void;
  /** Switches actuators; fields left out keep their state. */
  setActuators(update: Partial<CellActuators>): void;
  /** Changes ambient conditions (e.g. a barometric swing); fields left out keep their value. */
  setAmbient(update: Partial<AmbientConditions>): void;
  /** Changes the cooling setpoint, °C (−10 to 40). */
  setCoolingSetpoint(tempC: number): void;
  /** Reads the O2, CO2 and temperature sensors (draws fresh noise). */
  readSensors(): SensorReadings;
  /** Switches a fault of one sensor on, or off with null (sensors/sensor-fault.ts); from now on. */
  setSensorFault(sensor: CellSensorName, fault: SensorFault | null): void;
  /**
   * Two-point calibration of one sensor against a zero and a span gas of the values given
   * (sensors/sensor-calibration.ts); nothing is drawn from the plant's bottles.
   */
  calibrateSensor(sensor: CellSensorName, zero: number, span: number): Readonly<SensorCalibration>;
  /**
   * Two-point calibration of a gas analyser from the plant's calibration-gas bottles (plant option
   * `calibrationGas`): a flush of zero gas (N2) for both, then a flush of the CO2 span bottle for 'co2' or
   * of outside air (its O2 at the ambient pressure) for 'o2'. Each flush draws `litresPerFlush` from its
   * bottle; a bottle that cannot give it throws SIM_ERR_BOTTLE_EMPTY and nothing is drawn or changed.
   */
  calibrateFromBottles(sensor: 'o2' | 'co2'): Readonly<SensorCalibration>;
  /** The calibration-gas bottles now. */
  calibrationBottles(): { zero: CalibrationBottleReading; co2Span: CalibrationBottleReading };
  /** A sensor itself, for inspection (its spec, lagged value, age, fault, calibration). */
  sensor(sensor: CellSensorName): FirstOrderSensor;
  /** The true state. */
  truth(): CellTruth;
  /** Moles in the free gas. */
  gasMol(): SpeciesMol;
  /** Cumulative moles through every path since the start (see model/cell-state.ts). */
  ledger(): GasLedger;
}

/** Relative tolerance of the adaptive integrator: far below what any sensor resolves. */
const ADAPTIVE_REL_TOL = 1e-6;

/**
 * The adaptive integrator's tolerances for a cell whose initial state is `state`: the relative one above,
 * and per dynamic entry an absolute one in the entry's unit, a millionth of its scale (the gas's and the
 * dissolved CO2's: the free gas's moles; temperatures: 1e-5 K; ethanol: 1 µg/kg; firmness: 1e-5 N; a bed:
 * its capacity), so that an entry near 0 (no ethanol yet, an empty bed) does not force tiny steps.
 */
function adaptiveToleranceOptions(state: Float64Array, params: CellParams): Dopri5Options {
  const I = CellStateIndex;
  const gasMol = state[GAS + O2]! + state[GAS + CO2]! + state[GAS + N2]!;
  const absTol = new Float64Array(CELL_DYNAMIC_SIZE);
  absTol[GAS + O2] = absTol[GAS + CO2] = absTol[GAS + N2] = absTol[I.co2Dissolved] = 1e-6 * gasMol;
  absTol[I.fruitTempC] = absTol[I.airTempC] = 1e-5;
  // 1 µg/kg of ethanol (46.07 g/mol), in mol for the whole load (at least 1 kg).
  absTol[I.ethanolMol] = (1e-9 / 0.04607) * Math.max(1, params.fruitKg);
  absTol[I.firmnessN] = 1e-5;
  absTol[I.bedALoad] = absTol[I.bedBLoad] = 1e-6 * Math.max(1, params.scrubberBedCapacityMol);
  return { quadratureFrom: CELL_DYNAMIC_SIZE, relTol: ADAPTIVE_REL_TOL, absTol };
}

export function createCellPlant(options: CellPlantOptions = {}): CellPlant {
  const resolved = resolveCellPlantOptions(options);
  const params: CellParams = Object.freeze({ ...resolved.params });
  const { initial } = resolved;
  const inputs: CellInputs = {
    actuators: resolved.actuators,
    ambient: resolved.ambient,
    fermentationScale: 1,
    coolingOn: false,
    kineticsTempC: initial.fruitTempC,
    activeBed: 0,
  };
  let setpointC = params.tempC;

  // Initial free gas: the given partial pressures at the cell temperature, the balance gas making up the
  // absolute pressure, in the rigid volume plus a half-full breather bag.
  const absoluteKpa = (resolved.ambient.pressurePa + initial.gaugePressurePa) / 1000;
  const startVolumeM3 = params.freeVolumeM3 + (initial.gaugePressurePa === 0 ? params.breatherBagM3 / 2 : initial.gaugePressurePa > 0 ? params.breatherBagM3 : 0);
  const state = createCellState({
    o2Mol: molFromKpa(initial.o2Kpa, startVolumeM3, params.tempC),
    co2Mol: molFromKpa(initial.co2Kpa, startVolumeM3, params.tempC),
    n2Mol: molFromKpa(absoluteKpa - initial.o2Kpa - initial.co2Kpa, startVolumeM3, params.tempC),
  });
  const I = CellStateIndex;
  state[AIR_TEMP] = params.tempC;
  state[FRUIT_TEMP] = params.fruitKg > 0 ? initial.fruitTempC : params.tempC;
  state[I.firmnessN] = initial.firmnessN;
  const co2Dissolved0Mol = params.fruitKg > 0 ? co2SolubilityMolPerKpa(params.fruitKg, initial.fruitTempC) * initial.co2Kpa : 0;
  state[I.co2Dissolved] = co2Dissolved0Mol;

  // The integrator carries the first CELL_INTEGRATED_SIZE entries while the door is open, and the first
  // CELL_CLOSED_DOOR_SIZE while it is shut (the door's flows are 0 then), through views on the same memory.
  const integratedOpen = state.subarray(0, CELL_INTEGRATED_SIZE);
  const integratedClosed = state.subarray(0, CELL_CLOSED_DOOR_SIZE);
  const stepperOpen = createRk4Stepper(CELL_INTEGRATED_SIZE, { quadratureFrom: CELL_DYNAMIC_SIZE });
  const stepperClosed = createRk4Stepper(CELL_CLOSED_DOOR_SIZE, { quadratureFrom: CELL_DYNAMIC_SIZE });
  /** RK4's sub-step for the inputs now: at most `maxStepS` and half the cell's fastest time constant. */
  const rk4SubStepS = (): number => Math.min(resolved.maxStepS, 0.5 * cellFastestTimeConstantS(params, inputs.ambient, inputs.actuators));
  const adaptive = resolved.integrator === 'dopri5';
  const adaptiveOptions = adaptive
    ? {
        ...adaptiveToleranceOptions(state, params),
        initialStepS: rk4SubStepS(),
      }
    : undefined;
  const adaptiveOpen = adaptive ? createDopri5Stepper(CELL_INTEGRATED_SIZE, adaptiveOptions) : undefined;
  const adaptiveClosed = adaptive ? createDopri5Stepper(CELL_CLOSED_DOOR_SIZE, adaptiveOptions) : undefined;
  // Coefficients of the fused derivative; refreshed before a sub-step whenever an input has changed.
  const coefficients = createCellStepCoefficients();
  let coefficientsStale = true;
  // The inlets' flows for the ledger, refreshed with the coefficients.
  let n2InMolPerS = 0;
  let airInMolPerS = 0;
  const n2InO2Fraction = n2InletO2Fraction(params.n2PurityFraction);
  function refreshCoefficients(): void {
    cellStepCoefficients(inputs, params, coefficients);
    n2InMolPerS = n2InletMolPerS(params.n2FlowNm3PerH);
    const ambient = inputs.ambient;
    airInMolPerS = airInletMolPerS(params.airFlowM3PerH, ambient.pressurePa, ambient.tempC);
    coefficientsStale = false;
  }
  const rates = new Float64Array(CELL_INTEGRATED_SIZE);
  const algebraic: CellAlgebraic = {
    gasVolumeM3: 0, pressurePa: 0, o2Kpa: 0, co2Kpa: 0, o2UptakeMolPerS: 0, co2ProductionMolPerS: 0,
    fermentativeCo2MolPerS: 0, respirationHeatW: 0, coolingElectricW: 0,
  };
  const evaluate = (): void => cellDerivative(timeS, state, inputs, params, rates, algebraic);

  let timeS = 0;
  let integratorSteps = 0;
  let subStepS = 0;
  // RK4's sub-step; the adaptive integrator's first step, after which it chooses its own.
  function chooseSubStep(): void {
    if (adaptive && integratorSteps > 0) return;
    subStepS = rk4SubStepS();
  }
  chooseSubStep();
  // Set by an event that moved gas between sub-steps: the adaptive integrator's kept stage is stale then.
  let gasMovedByEvent = false;

  let nextDriftUpdateS = 0;
  function updateDrift(atS: number): void {
    const scale = breakPointDriftVmFermScale(
      resolved.preset.respiration,
      resolved.preset.breakPoint,
      resolved.storageDayAtStart + atS / 86_400,
    );
    if (scale !== inputs.fermentationScale) coefficientsStale = true;
    inputs.fermentationScale = scale;
    nextDriftUpdateS = atS + DRIFT_UPDATE_PERIOD_S;
  }

  /** The volume the free gas takes now, rigid volume plus breather bag (breather-bag.ts), m³. */
  function gasVolumeNowM3(): number {
    const nTotal = state[GAS + O2]! + state[GAS + CO2]! + state[GAS + N2]!;
    return gasVolumeWithBagM3(nTotal, state[AIR_TEMP]!, params.freeVolumeM3, params.breatherBagM3, inputs.ambient.pressurePa);
  }

  /**
   * The relief valve, for the gas at `volumeM3`: vents cell gas or admits ambient air, booked in the
   * ledger. Returns true if it moved gas.
   */
  function reliefValve(volumeM3: number): boolean {
    // While the breather bag is slack the cell is at ambient pressure (breather-bag.ts): the valve is shut.
    // That is nearly always, and the test costs two comparisons.
    if (volumeM3 > params.freeVolumeM3 && volumeM3 < params.freeVolumeM3 + params.breatherBagM3) return false;
    const nTotal = state[GAS + O2]! + state[GAS + CO2]! + state[GAS + N2]!;
    const ambient = inputs.ambient;
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
        state[I.reliefIn + s] = state[I.reliefIn + s]! + inMol * x[s]!;
      }
      return true;
    }
    const fraction = vent / nTotal;
    for (let s = 0; s < SPECIES_COUNT; s++) {
      const out = state[GAS + s]! * fraction;
      state[GAS + s] = state[GAS + s]! - out;
      state[I.reliefOut + s] = state[I.reliefOut + s]! + out;
    }
    return true;
  }

  /**
   * Bed switch-over when the adsorbing bed is nearly full: the regenerated bed's air comes in. Returns
   * true if it switched.
   */
  function scrubberSwitch(): boolean {
    if (!inputs.actuators.scrub) return false;
    const load = state[inputs.activeBed === 0 ? I.bedALoad : I.bedBLoad]!;
    if (load < BED_SWITCH_FRACTION * params.scrubberBedCapacityMol) return false;
    inputs.activeBed = inputs.activeBed === 0 ? 1 : 0;
    coefficientsStale = true;
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

  /**
   * Moves the step's total inflow of ambient air at `stepIndex` into the per-species ledger at `ledgerIndex`,
   * by the ambient's mole fractions (constant over the step), and sets the total back to 0.
   */
  function splitAmbientInflow(stepIndex: number, ledgerIndex: number): void {
    const mol = state[stepIndex]!;
    if (mol === 0) return;
    const ambient = inputs.ambient;
    state[ledgerIndex + O2] = state[ledgerIndex + O2]! + mol * ambient.o2Fraction;
    state[ledgerIndex + CO2] = state[ledgerIndex + CO2]! + mol * ambient.co2Fraction;
    state[ledgerIndex + N2] = state[ledgerIndex + N2]! + mol * (1 - ambient.o2Fraction - ambient.co2Fraction);
    state[stepIndex] = 0;
  }

  /**
   * Books, once per `step` call, the flows that RK4 integrated in the gas but that the ledger takes outside
   * the integrator; inputs are held over a call, so each is exact:
   *  - the ambient inflows' totals (leak in, door in), split by the ambient's mole fractions;
   *  - the N2 and air inlets, rate × `dtS` (RK4 integrates a constant exactly too);
   *  - the cooling unit's heat for the `coolingOnS` seconds it ran (the thermostat switches between
   *    sub-steps), and the fans.
   */
  function bookStepFlows(dtS: number, coolingOnS: number): void {
    const actuators = inputs.actuators;
    splitAmbientInflow(I.leakInStep, I.leakIn);
    if (actuators.door) splitAmbientInflow(I.doorInStep, I.doorIn);
    if (actuators.n2) {
      const mol = n2InMolPerS * dtS;
      const xO2 = n2InO2Fraction;
      state[I.n2Inlet + O2] = state[I.n2Inlet + O2]! + mol * xO2;
      state[I.n2Inlet + N2] = state[I.n2Inlet + N2]! + mol * (1 - xO2);
    }
    if (actuators.air) {
      const ambient = inputs.ambient;
      const mol = airInMolPerS * dtS;
      state[I.airInlet + O2] = state[I.airInlet + O2]! + mol * ambient.o2Fraction;
      state[I.airInlet + CO2] = state[I.airInlet + CO2]! + mol * ambient.co2Fraction;
      state[I.airInlet + N2] = state[I.airInlet + N2]! + mol * (1 - ambient.o2Fraction - ambient.co2Fraction);
    }
    state[I.coolingHeatJ] = state[I.coolingHeatJ]! + params.coolingCapacityW * coolingOnS;
    state[I.fanEnergyJ] = state[I.fanEnergyJ]! + params.fanPowerW * dtS;
  }

  /** The discrete events after a sub-step ending at `atS`, in the order above; returns the gas volume after them, m³. */
  function events(atS: number): number {
    let volumeM3 = gasVolumeNowM3();
    if (reliefValve(volumeM3)) {
      volumeM3 = gasVolumeNowM3();
      gasMovedByEvent = true;
    }
    if (scrubberSwitch()) {
      volumeM3 = gasVolumeNowM3();
      gasMovedByEvent = true;
    }
    if (params.coolingCapacityW > 0) {
      const wasOn = inputs.coolingOn ?? false;
      inputs.coolingOn = coolingOnNext(state[AIR_TEMP]!, setpointC, params.coolingBandK, wasOn);
      if (inputs.coolingOn !== wasOn) coefficientsStale = true;
    }
    const fruitTempC = state[FRUIT_TEMP]!;
    if (Math.abs(fruitTempC - inputs.kineticsTempC!) > KINETICS_TEMP_TOLERANCE_K) {
      inputs.kineticsTempC = fruitTempC;
      coefficientsStale = true;
    }
    if (atS >= nextDriftUpdateS) updateDrift(atS);
    return volumeM3;
  }
  events(0);

  const seed = resolved.seed;
  const o2Sensor = createGasSensor(resolved.sensors.o2, createRandom(deriveSeed(seed, 'o2')), initial.o2Kpa);
  const co2Sensor = createGasSensor(resolved.sensors.co2, createRandom(deriveSeed(seed, 'co2')), initial.co2Kpa);
  const tempSensor = createTemperatureSensor(resolved.sensors.temp, createRandom(deriveSeed(seed, 'temp')), params.tempC);
  const gas = resolved.calibrationGas;
  const zeroBottle = createCalibrationGasBottle(gas.zero);
  const co2SpanBottle = createCalibrationGasBottle(gas.co2Span);
  const bottleReading = (bottle: CalibrationGasBottle): CalibrationBottleReading => ({
    name: bottle.spec.name,
    pressureBar: bottle.pressureBar,
    normalLitresLeft: bottle.normalLitresLeft,
    normalLitresDrawn: bottle.normalLitresDrawn,
  });

  function sensorNamed(name: CellSensorName): FirstOrderSensor {
    if (name === 'o2') return o2Sensor;
    if (name === 'co2') return co2Sensor;
    if (name === 'temp') return tempSensor;
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"sensor" must be "o2", "co2" or "temp": ${JSON.stringify(name)}`);
  }

  /** Lets the sensors see `hS` of the current state, the gas at `volumeM3`: partial pressures from the moles. */
  function updateSensors(volumeM3: number, hS: number): void {
    const airTempC = state[AIR_TEMP]!;
    const kpaPerMol = freeGasPressurePa(1, volumeM3, airTempC) / 1000;
    o2Sensor.update(state[GAS + O2]! * kpaPerMol, hS);
    co2Sensor.update(state[GAS + CO2]! * kpaPerMol, hS);
    tempSensor.update(airTempC, hS);
  }

  function step(dtS: number): void {
    if (typeof dtS !== 'number' || !Number.isFinite(dtS) || dtS < 0) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"dtS" must be a finite number ≥ 0: ${String(dtS)}`);
    }
    if (dtS === 0) return;
    const startS = timeS;
    // The door holds over a call (an actuator), and with it the length of the integrated vector.
    const doorOpen = inputs.actuators.door;
    const integrated = doorOpen ? integratedOpen : integratedClosed;
    const coolingOnS = adaptive ? stepAdaptive(startS, dtS, doorOpen ? adaptiveOpen! : adaptiveClosed!, integrated) : stepRk4(startS, dtS, doorOpen ? stepperOpen : stepperClosed, integrated);
    bookStepFlows(dtS, coolingOnS);
    timeS = startS + dtS;
  }

  /** `step` with RK4: equal sub-steps of at most `subStepS`. Returns the time the cooling ran, s. */
  function stepRk4(startS: number, dtS: number, stepper: Rk4Stepper, integrated: Float64Array): number {
    const steps = Math.max(1, Math.ceil(dtS / subStepS - 1e-9));
    const hS = dtS / steps;
    let coolingOnS = 0;
    for (let n = 0; n < steps; n++) {
      if (coefficientsStale) refreshCoefficients();
      stepper.step(fusedDerivative, startS + n * hS, integrated, hS, coefficients);
      // The heat removed is booked for the state the thermostat had during the sub-step, before it switches.
      if (inputs.coolingOn) coolingOnS += hS;
      updateSensors(events(startS + (n + 1) * hS), hS);
    }
    integratorSteps += steps;
    return coolingOnS;
  }

  /**
   * `step` with the adaptive integrator: accepted steps of the length it chooses, at most `maxStepS`, the
   * last one ending on `startS + dtS`; the events after each (`afterAdaptiveStep`). Returns the time the
   * cooling ran, s.
   */
  function stepAdaptive(startS: number, dtS: number, stepper: Dopri5Stepper, integrated: Float64Array): number {
    adaptiveCoolingOnS = 0;
    refreshAdaptiveInputs();
    stepper.advance(fusedDerivative, startS, integrated, dtS, coefficients, adaptiveAdvance);
    return adaptiveCoolingOnS;
  }

  /** Refreshes stale coefficients; the derivative's inputs changed, so a kept stage of either stepper is stale. */
  function refreshAdaptiveInputs(): void {
    if (!coefficientsStale) return;
    refreshCoefficients();
    adaptiveOpen!.invalidate();
    adaptiveClosed!.invalidate();
  }

  let adaptiveCoolingOnS = 0;
  /** After each adaptive step ending at `tS`: the events, the sensors, and the inputs for the next step. */
  function afterAdaptiveStep(tS: number, hS: number): void {
    subStepS = hS;
    integratorSteps++;
    if (inputs.coolingOn) adaptiveCoolingOnS += hS;
    gasMovedByEvent = false;
    updateSensors(events(tS), hS);
    if (gasMovedByEvent) {
      adaptiveOpen!.invalidate();
      adaptiveClosed!.invalidate();
    }
    refreshAdaptiveInputs();
  }
  const adaptiveAdvance = { maxStepS: resolved.maxStepS, afterStep: afterAdaptiveStep };

  function truth(): CellTruth {
    evaluate();
    const a = algebraic;
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
      tempC: state[AIR_TEMP]!,
      fruitTempC: state[FRUIT_TEMP]!,
      bagVolumeM3: a.gasVolumeM3 - params.freeVolumeM3,
      o2UptakeMolPerS: a.o2UptakeMolPerS,
      co2ProductionMolPerS: a.co2ProductionMolPerS,
      rq: params.fruitKg > 0 ? a.co2ProductionMolPerS / a.o2UptakeMolPerS : NaN,
      leakInflowMolPerS,
      storageDays: resolved.storageDayAtStart + timeS / 86_400,
      rqBreakPointO2Kpa: breakPointO2Kpa(params.respiration, state[FRUIT_TEMP]!, a.co2Kpa, inputs.fermentationScale),
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
  }

  return {
    preset: resolved.preset,
    params,
    grossVolumeM3: resolved.grossVolumeM3,
    get timeS() {
      return timeS;
    },
    get actuators() {
      return { ...inputs.actuators };
    },
    get ambient() {
      return { ...inputs.ambient };
    },
    get coolingSetpointC() {
      return setpointC;
    },
    integrator: resolved.integrator,
    get subStepS() {
      return subStepS;
    },
    get integratorSteps() {
      return integratorSteps;
    },
    get rejectedSteps() {
      return adaptive ? adaptiveOpen!.rejected + adaptiveClosed!.rejected : 0;
    },
    step,
    setActuators(update: Partial<CellActuators>): void {
      const before = inputs.actuators;
      inputs.actuators = resolveActuators(update, before);
      coefficientsStale = true;
      if (inputs.actuators.door !== before.door) chooseSubStep();
    },
    setAmbient(update: Partial<AmbientConditions>): void {
      inputs.ambient = resolveAmbient(update, inputs.ambient);
      coefficientsStale = true;
      chooseSubStep();
    },
    setCoolingSetpoint(tempC: number): void {
      if (typeof tempC !== 'number' || !Number.isFinite(tempC) || tempC < -10 || tempC > 40) {
        throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"tempC" must be a finite number ≥ -10 and ≤ 40: ${String(tempC)}`);
      }
      setpointC = tempC;
    },
    readSensors(): SensorReadings {
      return { timeS, o2Kpa: o2Sensor.read(), co2Kpa: co2Sensor.read(), tempC: tempSensor.read() };
    },
    setSensorFault(sensor: CellSensorName, fault: SensorFault | null): void {
      sensorNamed(sensor).setFault(fault);
    },
    calibrateSensor(sensor: CellSensorName, zero: number, span: number): Readonly<SensorCalibration> {
      for (const [name, value] of [['zero', zero], ['span', span]] as const) {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"${name}" must be a finite number: ${String(value)}`);
        }
      }
      if (span === zero) throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"span" must differ from "zero": ${span}`);
      return sensorNamed(sensor).calibrate(zero, span);
    },
    calibrateFromBottles(sensor: 'o2' | 'co2'): Readonly<SensorCalibration> {
      if (sensor !== 'o2' && sensor !== 'co2') {
        throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"sensor" must be "o2" or "co2" (the gas analysers): ${JSON.stringify(sensor)}`);
      }
      drawFromAll(sensor === 'co2' ? [zeroBottle, co2SpanBottle] : [zeroBottle], gas.litresPerFlush);
      // The analyser's sample vents to the outside: a gas's partial pressure is its fraction × p_amb.
      const ambient = inputs.ambient;
      const spanFraction = sensor === 'co2' ? gas.co2SpanFraction : ambient.o2Fraction;
      return sensorNamed(sensor).calibrate(0, (spanFraction * ambient.pressurePa) / 1000);
    },
    calibrationBottles: () => ({ zero: bottleReading(zeroBottle), co2Span: bottleReading(co2SpanBottle) }),
    sensor: (name: CellSensorName) => sensorNamed(name),
    truth,
    gasMol: () => readGasMol(state),
    ledger: () => readGasLedger(state, co2Dissolved0Mol),
  };
}
