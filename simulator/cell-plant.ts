/**
 * A storage cell as the rest of the bench sees it: a plant that advances in time, takes actuator
 * commands, and is read through sensor models. It owns the state vector, the RK4 stepper and the sensors;
 * the physics is `cellDerivative` (model/cell.ts) and nothing here adds to it.
 *
 * Time: `step(dtS)` is the only thing that moves plant time. Callers drive it from the virtual clock
 * (engine/virtual-clock.ts), never from the wall clock. Inside a step the plant takes equal RK4 sub-steps
 * no longer than `maxStepS` and no longer than half the cell's fastest time constant; actuators and
 * ambient are held constant over a `step` call, so a valve switched at t is switched at a step boundary.
 */
import { createRk4Stepper, type DerivativeFn } from './engine/rk4.js';
import { createRandom, deriveSeed } from './engine/random.js';
import {
  cellDerivative,
  cellFastestTimeConstantS,
  freeGasPressurePa,
  molFromKpa,
  type AmbientConditions,
  type CellActuators,
  type CellInputs,
  type CellParams,
} from './model/cell.js';
import {
  CELL_STATE_SIZE,
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
import {
  resolveActuators,
  resolveAmbient,
  resolveCellPlantOptions,
  type CellPlantOptions,
} from './plant-options.js';
import type { PlantPreset } from './presets/plant-preset.js';
import { createGasSensor } from './sensors/gas-sensor.js';
import { createTemperatureSensor } from './sensors/temperature-sensor.js';
import { SimulatorError } from './simulator-error.js';

/** What the sensors report, with the plant time they were taken at. */
export interface SensorReadings {
  /** Plant time of the reading, s since the start of the run. */
  timeS: number;
  /** O2 analyser reading, kPa. */
  o2Kpa: number;
  /** CO2 analyser reading, kPa. */
  co2Kpa: number;
  /** Temperature probe reading, °C. */
  tempC: number;
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
  /** Cell temperature, °C. */
  tempC: number;
  /** O2 consumed by the fruit, mol/s. */
  o2UptakeMolPerS: number;
  /** CO2 produced by the fruit, mol/s. */
  co2ProductionMolPerS: number;
  /** Respiratory quotient of the fruit, CO2 produced / O2 consumed (NaN without fruit). */
  rq: number;
  /** Net flow through the leak, mol/s (positive: into the cell). */
  leakInflowMolPerS: number;
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
  /** RK4 sub-step in use, s. */
  readonly subStepS: number;
  /** Advances the plant by `dtS` seconds (finite, ≥ 0). */
  step(dtS: number): void;
  /** Switches actuators; fields left out keep their state. */
  setActuators(update: Partial<CellActuators>): void;
  /** Changes ambient conditions (e.g. a barometric swing); fields left out keep their value. */
  setAmbient(update: Partial<AmbientConditions>): void;
  /** Reads the O2, CO2 and temperature sensors (draws fresh noise). */
  readSensors(): SensorReadings;
  /** The true state. */
  truth(): CellTruth;
  /** Moles in the free gas. */
  gasMol(): SpeciesMol;
  /** Cumulative moles through every path since the start (see model/cell-state.ts). */
  ledger(): GasLedger;
}

export function createCellPlant(options: CellPlantOptions = {}): CellPlant {
  const resolved = resolveCellPlantOptions(options);
  const params: CellParams = Object.freeze({ ...resolved.params });
  const inputs: CellInputs = { actuators: resolved.actuators, ambient: resolved.ambient };
  const { initial } = resolved;

  // Initial free gas: the given partial pressures, the balance gas making up the absolute pressure.
  const absoluteKpa = (resolved.ambient.pressurePa + initial.gaugePressurePa) / 1000;
  const state = createCellState({
    o2Mol: molFromKpa(initial.o2Kpa, params.freeVolumeM3, params.tempC),
    co2Mol: molFromKpa(initial.co2Kpa, params.freeVolumeM3, params.tempC),
    n2Mol: molFromKpa(absoluteKpa - initial.o2Kpa - initial.co2Kpa, params.freeVolumeM3, params.tempC),
  });
  const stepper = createRk4Stepper(CELL_STATE_SIZE);
  const derivative: DerivativeFn = (tS, y, out) => cellDerivative(tS, y, inputs, params, out);
  const rates = new Float64Array(CELL_STATE_SIZE);

  let timeS = 0;
  let subStepS = 0;
  function chooseSubStep(): void {
    subStepS = Math.min(resolved.maxStepS, 0.5 * cellFastestTimeConstantS(params, inputs.ambient));
  }
  chooseSubStep();

  const kpaPerMol = freeGasPressurePa(1, params.freeVolumeM3, params.tempC) / 1000;
  const seed = resolved.seed;
  const o2Sensor = createGasSensor(resolved.sensors.o2, createRandom(deriveSeed(seed, 'o2')), initial.o2Kpa);
  const co2Sensor = createGasSensor(resolved.sensors.co2, createRandom(deriveSeed(seed, 'co2')), initial.co2Kpa);
  const tempSensor = createTemperatureSensor(resolved.sensors.temp, createRandom(deriveSeed(seed, 'temp')), params.tempC);

  function step(dtS: number): void {
    if (typeof dtS !== 'number' || !Number.isFinite(dtS) || dtS < 0) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"dtS" must be a finite number ≥ 0: ${String(dtS)}`);
    }
    if (dtS === 0) return;
    const steps = Math.max(1, Math.ceil(dtS / subStepS - 1e-9));
    const hS = dtS / steps;
    const startS = timeS;
    for (let n = 0; n < steps; n++) {
      stepper.step(derivative, startS + n * hS, state, hS);
      o2Sensor.update(state[CellStateIndex.gas + O2]! * kpaPerMol, hS);
      co2Sensor.update(state[CellStateIndex.gas + CO2]! * kpaPerMol, hS);
      tempSensor.update(params.tempC, hS);
    }
    timeS = startS + dtS;
  }

  function truth(): CellTruth {
    cellDerivative(timeS, state, inputs, params, rates);
    const G = CellStateIndex;
    const nO2 = state[G.gas + O2]!;
    const nCo2 = state[G.gas + CO2]!;
    const nN2 = state[G.gas + N2]!;
    const absolutePressurePa = (nO2 + nCo2 + nN2) * kpaPerMol * 1000;
    let leakInflowMolPerS = 0;
    for (let s = 0; s < SPECIES_COUNT; s++) leakInflowMolPerS += rates[G.leakIn + s]! - rates[G.leakOut + s]!;
    const o2UptakeMolPerS = rates[G.o2Consumed]!;
    const co2ProductionMolPerS = rates[G.co2Produced]!;
    return {
      timeS,
      o2Kpa: nO2 * kpaPerMol,
      co2Kpa: nCo2 * kpaPerMol,
      n2Kpa: nN2 * kpaPerMol,
      pressurePa: absolutePressurePa - inputs.ambient.pressurePa,
      absolutePressurePa,
      tempC: params.tempC,
      o2UptakeMolPerS,
      co2ProductionMolPerS,
      rq: params.fruitKg > 0 ? co2ProductionMolPerS / o2UptakeMolPerS : NaN,
      leakInflowMolPerS,
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
    get subStepS() {
      return subStepS;
    },
    step,
    setActuators(update: Partial<CellActuators>): void {
      inputs.actuators = resolveActuators(update, inputs.actuators);
    },
    setAmbient(update: Partial<AmbientConditions>): void {
      inputs.ambient = resolveAmbient(update, inputs.ambient);
      chooseSubStep();
    },
    readSensors(): SensorReadings {
      return { timeS, o2Kpa: o2Sensor.read(), co2Kpa: co2Sensor.read(), tempC: tempSensor.read() };
    },
    truth,
    gasMol: () => readGasMol(state),
    ledger: () => readGasLedger(state),
  };
}
