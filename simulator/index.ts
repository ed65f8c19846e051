/** The plant simulator's API: cells and pallet covers as plants, their runs and options, presets, plant time, and the sensor modules a board meets. */
export { SimulatorError, type SimulatorErrorCode } from './simulator-error.js';

// Plant time (DESIGN.md: the simulator is the single source of plant time).
export {
  createVirtualClock,
  type VirtualClock,
  type VirtualClockOptions,
  type VirtualTimerId,
} from './engine/virtual-clock.js';
export {
  createScaledRealtimeDriver,
  type ScaledRealtimeDriver,
  type ScaledRealtimeDriverOptions,
  type WallTime,
} from './engine/scaled-realtime-driver.js';
export { createLockstepDriver, type LockstepDriver, type LockstepDriverOptions } from './engine/lockstep-driver.js';
export type { Clock, TimerHandle } from '../time/index.js';
export { createPlantEpochClock, type PlantEpochClock, type PlantEpochClockOptions } from './engine/plant-epoch-clock.js';

// A plant, its options and what it reports.
export {
  createCellPlant,
  type CalibrationBottleReading,
  type CellPlant,
  type CellSensorName,
  type CellTruth,
  type SensorReadings,
  type SensorValues,
} from './cell-plant.js';
export {
  resolveCellPlantOptions,
  type CalibrationGasOptions,
  type CellPlantOptions,
  type InitialGasOptions,
  type PlantIntegrator,
  type SensorOptions,
  type ResolvedCellPlantOptions,
} from './plant-options.js';
export {
  DEFAULT_AMBIENT,
  DEFAULT_PRESET,
  MIN_STEP_S,
  PLANT_OPTION_TABLE,
  type PlantOptionSpec,
} from './plant-option-table.js';
export type { AmbientConditions, CellActuators, CellParams } from './model/cell.js';
export type { GasLedger, SpeciesMol } from './model/cell-state.js';
export type { FirstOrderSensor, SensorSpec } from './sensors/first-order-sensor.js';
export type { SensorFault } from './sensors/sensor-fault.js';
export type { SensorCalibration } from './sensors/sensor-calibration.js';
export type { CalibrationGasBottleSpec } from './sensors/calibration-gas-bottle.js';
export {
  createCentralAnalyser,
  type CentralAnalyser,
  type CentralAnalyserOptions,
  type ManifoldReading,
  type SampledGas,
} from './sensors/central-analyser.js';

// Runs, the airtightness test, the loading rule.
export { runPlant, type PlantRunOptions, type PlantRunRow, type PlantRunSummary } from './plant-run.js';
export {
  runPressureDecayTest,
  DCA_LEAK_LIMIT_CM2_PER_100M3,
  type PressureDecayTestOptions,
  type PressureDecayTestResult,
  type PressureDecaySample,
} from './pressure-decay-test.js';
export {
  checkLoadingRule,
  loadingRuleViolations,
  MAX_LOTS,
  MIN_LOT_FRACTION,
  MAX_HARVEST_SPREAD_DAYS,
  type Lot,
  type LoadingRule,
  type LoadingRuleViolation,
} from './loading-rule.js';

// Presets, and a preset's steady-state respiration (`cellbench sim --rq-curve`).
export {
  allPresets,
  getPreset,
  presetNames,
  type PlantPreset,
  type PresetSource,
  type EnclosureGeometry,
  type StorageRegime,
} from './presets/index.js';
export { respirationRates, type RespirationKinetics, type RespirationRates } from './model/respiration.js';

// What a board's UARTs and plant link meet: the sensor-module emulators and the board-side plant link.
export {
  O2StreamModule,
  O2_STATUS,
  formatO2Line,
  o2LineChecksum,
  ModbusCo2Module,
  CO2_STATUS,
  CO2_MODULE_REGISTERS,
  modbusCrc,
  withModbusCrc,
  parseBoardPlantLine,
  formatTimeLine,
  type O2ModuleFault,
  type O2ModuleValues,
  type O2StreamModuleOptions,
  type Co2ModuleFault,
  type Co2ModuleValues,
  type ModbusCo2ModuleOptions,
  type ModbusReply,
  type BoardPlantLine,
  type CellOutputs,
} from './modules/index.js';

// The physics core, exported on purpose for bench/sim-bench.ts, whose floor row times the RK4 step and the
// fused derivative alone on a cell's state, without the plant around them. Not for plant users.
export { createRk4Stepper, type DerivativeFn } from './engine/rk4.js';
export { CELL_CLOSED_DOOR_SIZE, CELL_DYNAMIC_SIZE, CellStateIndex, createCellState } from './model/cell-state.js';
export { molFromKpa } from './model/cell.js';
export { cellFusedDerivativeFn, cellStepCoefficients, createCellStepCoefficients } from './model/cell-fused-derivative.js';
