/** The plant simulator: storage-cell physics, its integrator and virtual clock, presets and sensor models. */
export { SimulatorError, type SimulatorErrorCode } from './simulator-error.js';

export { createRk4Stepper, type DerivativeFn, type Rk4Stepper, type Rk4StepperOptions } from './engine/rk4.js';
export { createDopri5Stepper, type Dopri5AdvanceOptions, type Dopri5Options, type Dopri5Stepper } from './engine/dopri5.js';
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
export {
  createLockstepDriver,
  type LockstepDriver,
  type LockstepDriverOptions,
} from './engine/lockstep-driver.js';
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
export { gasVolumeWithBagM3 } from './model/breather-bag.js';
export { reliefValveVentMol } from './model/relief-valve.js';
export { scrubberRegenerationMolPerS } from './model/co2-scrubber.js';
export { co2SolubilityMolPerKpa, co2DissolutionMolPerS } from './model/co2-dissolution.js';
export { ethanolMgPerKg, ethanolRateMolPerS, ETHANOL_CLEARANCE_PER_S } from './model/fermentation-ethanol.js';
export { respirationHeatW, OXIDATIVE_HEAT_J_PER_MOL_O2, FERMENTATIVE_HEAT_J_PER_MOL_CO2 } from './model/respiration-heat.js';
export { fruitTempRateKPerS, airNodeHeatW, type HeatBalanceParams } from './model/cell-heat-balance.js';
export { coolingOnNext } from './model/cooling-thermostat.js';
export { doorExchangeM3PerS } from './model/door-exchange.js';
export {
  firmnessRateNPerS,
  firmnessArrhenius,
  injuryRatePerS,
  DEFAULT_FIRMNESS,
  DEFAULT_INITIAL_FIRMNESS_N,
  type FirmnessParams,
} from './model/fruit-firmness.js';
export {
  createWeatherParams,
  weatherPressurePa,
  weatherTempC,
  type WeatherParams,
} from './model/barometric-weather.js';
export { scrubberCo2RemovalMolPerS } from './model/co2-scrubber.js';
export {
  CELL_STATE_SIZE,
  CELL_INTEGRATED_SIZE,
  CELL_DYNAMIC_SIZE,
  CELL_CLOSED_DOOR_SIZE,
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
  type CellAlgebraic,
  molFromKpa,
  type AmbientConditions,
  type CellActuators,
  type CellInputs,
  type CellParams,
} from './model/cell.js';
export {
  CELL_STEP_COEFFICIENTS_SIZE,
  cellFusedDerivative,
  cellFusedDerivativeFn,
  cellStepCoefficients,
  createCellStepCoefficients,
} from './model/cell-fused-derivative.js';

export {
  RQ_BREAK_FACTOR,
  rqThreshold,
  breakPointO2Kpa,
  vmFermForBreakPointMolPerKgS,
  breakPointDriftVmFermScale,
  type RqBreakPoint,
} from './model/rq-break-point.js';
export {
  conferencePear,
  elstarApple,
  galaApple,
  goldenDeliciousApple,
  jonagoldApple,
  starkrimsonApple,
  containerGala,
  palletCoverElstar,
  appleKinetics,
  APPLE_KM_O2_KPA,
  APPLE_VM_O2_REF_MOL_PER_KG_S,
  ML_PER_MOL_STP,
  allPresets,
  getPreset,
  presetNames,
  type PlantPreset,
  type PresetSource,
  type EnclosureGeometry,
  type StorageRegime,
} from './presets/index.js';

export {
  createFirstOrderSensor,
  decimalInverse,
  lagStep,
  quantize,
  sensorReading,
  sensorRaw,
  type FirstOrderSensor,
  type SensorSpec,
} from './sensors/first-order-sensor.js';
export { createGasSensor, O2_SENSOR_DEFAULTS, CO2_SENSOR_DEFAULTS } from './sensors/gas-sensor.js';
export { applyFault, type SensorFault, type ActiveFault } from './sensors/sensor-fault.js';
export { calibrated, calibrationSlope, IDENTITY_CALIBRATION, type SensorCalibration } from './sensors/sensor-calibration.js';
export {
  createCalibrationGasBottle,
  drawFromAll,
  NORMAL_PRESSURE_BAR,
  type CalibrationGasBottle,
  type CalibrationGasBottleSpec,
} from './sensors/calibration-gas-bottle.js';
export {
  createCentralAnalyser,
  type CentralAnalyser,
  type CentralAnalyserOptions,
  type ManifoldReading,
  type SampledGas,
} from './sensors/central-analyser.js';
export { createTemperatureSensor, TEMPERATURE_SENSOR_DEFAULTS } from './sensors/temperature-sensor.js';

export {
  resolveCellPlantOptions,
  DEFAULT_AMBIENT,
  DEFAULT_PRESET,
  type CalibrationGasOptions,
  type CellPlantOptions,
  type InitialGasOptions,
  type PlantIntegrator,
  type SensorOptions,
  type ResolvedCellPlantOptions,
} from './plant-options.js';
export {
  createCellPlant,
  type CalibrationBottleReading,
  type CellPlant,
  type CellSensorName,
  type CellTruth,
  type SensorReadings,
} from './cell-plant.js';
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
export { regimeHoldActuators, SCRUB_BAND_KPA, type RegimeTargets } from './control/index.js';
export { runPlant, type PlantRunOptions, type PlantRunRow, type PlantRunSummary } from './plant-run.js';
export {
  pressureDecayHalfTimeS,
  equivalentLeakAreaM2,
  pressureDecayGaugePa,
  pressureDecayHalfTimeExactS,
  equivalentLeakAreaExactM2,
} from './model/pressure-decay.js';
export {
  runPressureDecayTest,
  DCA_LEAK_LIMIT_CM2_PER_100M3,
  type PressureDecayTestOptions,
  type PressureDecayTestResult,
  type PressureDecaySample,
} from './pressure-decay-test.js';
export { formatSensorLine, parseOutputLine, type PlantLinkOutputs, type PlantLinkSensors } from './plant-link.js';
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
