/** The plant simulator: storage-cell physics, its integrator and virtual clock, presets and sensor models. */
export { SimulatorError, type SimulatorErrorCode } from './simulator-error.js';

export { createRk4Stepper, type DerivativeFn, type Rk4Stepper } from './engine/rk4.js';
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
export { createRandom, createRandomFromState, deriveSeed, type Random } from './engine/random.js';

export {
  GAS_CONSTANT_J_PER_MOL_K,
  MOL_PER_NORMAL_M3,
  STANDARD_ATMOSPHERE_PA,
  AIR_O2_FRACTION,
  AIR_CO2_FRACTION,
  celsiusToKelvin,
  gasDensityKgPerM3,
  molarConcentrationMolPerM3,
} from './model/gas-properties.js';
export {
  arrheniusFactor,
  vmO2MolPerKgS,
  vmFermMolPerKgS,
  o2UptakeMolPerKgS,
  fermentativeCo2MolPerKgS,
  co2ProductionMolPerKgS,
  respirationRates,
  type RespirationKinetics,
  type RespirationRates,
} from './model/respiration.js';
export { leakVolumeFlowM3PerS, leakPressureTimeConstantS, cm2ToM2 } from './model/leak.js';
export { n2InletMolPerS, n2InletO2Fraction } from './model/n2-inlet.js';
export { airInletMolPerS } from './model/air-inlet.js';
export { reliefOutflowMolPerS } from './model/relief-outflow.js';
export { scrubberCo2RemovalMolPerS } from './model/co2-scrubber.js';
export {
  CELL_STATE_SIZE,
  CellStateIndex,
  createCellState,
  readGasLedger,
  readGasMol,
  type GasLedger,
  type SpeciesMol,
} from './model/cell-state.js';
export {
  cellDerivative,
  cellFastestTimeConstantS,
  freeGasPressurePa,
  molFromKpa,
  type AmbientConditions,
  type CellActuators,
  type CellInputs,
  type CellParams,
} from './model/cell.js';

export {
  conferencePear,
  getPreset,
  presetNames,
  type PlantPreset,
  type PresetSource,
  type EnclosureGeometry,
  type StorageRegime,
} from './presets/index.js';

export {
  createFirstOrderSensor,
  lagStep,
  quantize,
  sensorReading,
  type FirstOrderSensor,
  type SensorSpec,
} from './sensors/first-order-sensor.js';
export { createGasSensor, O2_SENSOR_DEFAULTS, CO2_SENSOR_DEFAULTS } from './sensors/gas-sensor.js';
export { createTemperatureSensor, TEMPERATURE_SENSOR_DEFAULTS } from './sensors/temperature-sensor.js';

export {
  resolveCellPlantOptions,
  DEFAULT_AMBIENT,
  DEFAULT_PRESET,
  type CellPlantOptions,
  type InitialGasOptions,
  type SensorOptions,
  type ResolvedCellPlantOptions,
} from './plant-options.js';
export { createCellPlant, type CellPlant, type CellTruth, type SensorReadings } from './cell-plant.js';
export { formatSensorLine, parseOutputLine, type PlantLinkOutputs, type PlantLinkSensors } from './plant-link.js';
