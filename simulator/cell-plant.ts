/**
 * A storage cell as the rest of the bench sees it: a plant that advances in time, takes actuator
 * commands, and is read through sensor models. This file assembles it; the parts are:
 *  - the physics, `cellDerivative` (model/cell.ts), run in its fused form (model/cell-fused-derivative.ts),
 *    whose per-step coefficients are computed through the per-term functions whenever an input changes
 *    (an event, `setActuators`, `setAmbient`); nothing here adds to it;
 *  - the stepper (stepper/cell-stepper.ts): sub-steps on RK4 or the adaptive Dormand–Prince integrator;
 *  - the discrete events between sub-steps (events/cell-events.ts: relief valve, bed switch-over,
 *    thermostat, kinetics temperature, break-point drift), which stay out of the derivative;
 *  - the instruments (instruments/): the sensors, the calibration-gas bottles, the two-point calibrations;
 *  - the start state, the ledger's per-step bookings and the truth (plant/).
 *
 * Time: `step(dtS)` is the only thing that moves plant time. Callers drive it from the virtual clock
 * (engine/virtual-clock.ts), never from the wall clock. Actuators and ambient are held constant over a
 * `step` call, so a valve switched at t is switched at a step boundary.
 */
import { cellFastestTimeConstantS, type AmbientConditions, type CellActuators, type CellInputs, type CellParams } from './model/cell.js';
import { cellFusedDerivativeFn, cellStepCoefficients, createCellStepCoefficients } from './model/cell-fused-derivative.js';
import { readGasLedger, readGasMol, type GasLedger, type SpeciesMol } from './model/cell-state.js';
import { applyCellEvents, type CellEventContext } from './events/cell-events.js';
import { createCalibrationBottles, type CalibrationBottleReading } from './instruments/calibration-bottles.js';
import { createCellSensors, type CellSensorName, type SensorReadings } from './instruments/cell-sensors.js';
import { calibrateFromBottles, calibrateToGases } from './instruments/two-point-calibration.js';
import { createCellTruthReader, type CellTruth } from './plant/cell-truth.js';
import { cellAbsolutePressurePa } from './plant/free-gas-volume.js';
import { createInitialCellState } from './plant/initial-cell-state.js';
import { createStepFlowBooking } from './plant/step-flow-booking.js';
import {
  checkCoolingSetpoint,
  resolveActuators,
  resolveAmbient,
  resolveCellPlantOptions,
  type CellPlantOptions,
  type PlantIntegrator,
} from './plant-options.js';
import type { PlantPreset } from './presets/plant-preset.js';
import type { FirstOrderSensor } from './sensors/first-order-sensor.js';
import type { SensorCalibration } from './sensors/sensor-calibration.js';
import type { SensorFault } from './sensors/sensor-fault.js';
import { adaptiveToleranceOptions } from './stepper/adaptive-tolerance.js';
import { createCellStepper } from './stepper/cell-stepper.js';
import { SimulatorError } from './simulator-error.js';

export type { CalibrationBottleReading } from './instruments/calibration-bottles.js';
export type { CellSensorName, SensorReadings, SensorValues } from './instruments/cell-sensors.js';
export type { CellTruth } from './plant/cell-truth.js';

/** The fused derivative as the steppers call it: one module-level function for every plant (monomorphic). */
const fusedDerivative = cellFusedDerivativeFn;

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
  /** Changes the cooling setpoint, °C (the range of the option `tempC`, −10 to 40). */
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
  /** The cell's absolute pressure, Pa: `truth().absolutePressurePa` without the rest of the truth. */
  absolutePressurePa(): number;
  /** Moles in the free gas. */
  gasMol(): SpeciesMol;
  /** Cumulative moles through every path since the start (see model/cell-state.ts). */
  ledger(): GasLedger;
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
  const { state, co2Dissolved0Mol } = createInitialCellState(params, initial, resolved.ambient.pressurePa);

  // What the events read and change, and what they and the setters signal to the stepper.
  const events: CellEventContext = {
    state,
    params,
    inputs,
    setpointC: params.tempC,
    coefficientsStale: true,
    gasMovedByEvent: false,
    drift: {
      respiration: resolved.preset.respiration,
      breakPoint: resolved.preset.breakPoint,
      storageDayAtStart: resolved.storageDayAtStart,
      nextUpdateS: 0,
    },
  };
  // Coefficients of the fused derivative, and the inlets' flows for the ledger; refreshed before a
  // sub-step whenever an input has changed.
  const coefficients = createCellStepCoefficients();
  const booking = createStepFlowBooking(state, params, inputs);
  function refreshCoefficients(): void {
    cellStepCoefficients(inputs, params, coefficients);
    booking.refresh();
    events.coefficientsStale = false;
  }

  let timeS = 0;
  // The time the cooling ran during the current `step` call, s (the thermostat switches between sub-steps).
  let coolingOnS = 0;
  /** After each sub-step: the cooling's time, the events, and the sensors' view of the result. */
  function afterSubStep(tS: number, hS: number): void {
    // The heat removed is booked for the state the thermostat had during the sub-step, before it switches.
    if (inputs.coolingOn) coolingOnS += hS;
    sensors.update(state, applyCellEvents(events, tS), hS);
  }

  const stepper = createCellStepper({
    state,
    integrator: resolved.integrator,
    maxStepS: resolved.maxStepS,
    derivative: fusedDerivative,
    coefficients,
    // RK4's sub-step for the inputs now: at most `maxStepS` and half the cell's fastest time constant.
    fixedSubStepS: () => Math.min(resolved.maxStepS, 0.5 * cellFastestTimeConstantS(params, inputs.ambient, inputs.actuators)),
    ...(resolved.integrator === 'dopri5' ? { adaptive: adaptiveToleranceOptions(state, params) } : {}),
    signals: events,
    refreshCoefficients,
    afterSubStep,
  });
  applyCellEvents(events, 0);

  const sensors = createCellSensors(resolved.sensors, resolved.seed, { o2Kpa: initial.o2Kpa, co2Kpa: initial.co2Kpa, tempC: params.tempC });
  const bottles = createCalibrationBottles(resolved.calibrationGas);
  const truth = createCellTruthReader(state, inputs, params, resolved.storageDayAtStart);

  function step(dtS: number): void {
    if (typeof dtS !== 'number' || !Number.isFinite(dtS) || dtS < 0) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"dtS" must be a finite number ≥ 0: ${String(dtS)}`);
    }
    if (dtS === 0) return;
    const startS = timeS;
    coolingOnS = 0;
    // The door holds over a call (an actuator), and with it the length of the integrated vector.
    stepper.advance(startS, dtS, inputs.actuators.door);
    booking.book(dtS, coolingOnS);
    timeS = startS + dtS;
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
      return events.setpointC;
    },
    integrator: resolved.integrator,
    get subStepS() {
      return stepper.subStepS;
    },
    get integratorSteps() {
      return stepper.integratorSteps;
    },
    get rejectedSteps() {
      return stepper.rejectedSteps;
    },
    step,
    setActuators(update: Partial<CellActuators>): void {
      const before = inputs.actuators;
      inputs.actuators = resolveActuators(update, before);
      events.coefficientsStale = true;
      if (inputs.actuators.door !== before.door) stepper.chooseSubStep();
    },
    setAmbient(update: Partial<AmbientConditions>): void {
      inputs.ambient = resolveAmbient(update, inputs.ambient);
      events.coefficientsStale = true;
      stepper.chooseSubStep();
    },
    setCoolingSetpoint(tempC: number): void {
      events.setpointC = checkCoolingSetpoint(tempC);
    },
    readSensors: (): SensorReadings => sensors.read(timeS),
    setSensorFault(sensor: CellSensorName, fault: SensorFault | null): void {
      sensors.named(sensor).setFault(fault);
    },
    calibrateSensor: (sensor: CellSensorName, zero: number, span: number): Readonly<SensorCalibration> =>
      calibrateToGases(sensors, sensor, zero, span),
    calibrateFromBottles: (sensor: 'o2' | 'co2'): Readonly<SensorCalibration> => calibrateFromBottles(sensors, bottles, sensor, inputs.ambient),
    calibrationBottles: () => bottles.readings(),
    sensor: (name: CellSensorName): FirstOrderSensor => sensors.named(name),
    truth: () => truth(timeS),
    absolutePressurePa: () => cellAbsolutePressurePa(state, params, inputs.ambient.pressurePa),
    gasMol: () => readGasMol(state),
    ledger: () => readGasLedger(state, co2Dissolved0Mol),
  };
}
