/**
 * Options of a cell plant, their defaults, and their validation. Every option is optional; the defaults
 * below describe a 'Conference' pear cell that has just been closed, full of air, with every actuator
 * off. A wrong option throws `SimulatorError` `SIM_ERR_INVALID_OPTION` naming the option, the allowed
 * range and the value given; an unknown option name (a typo) is an error too, not silently ignored.
 */
import { AIR_CO2_FRACTION, AIR_O2_FRACTION, STANDARD_ATMOSPHERE_PA } from './model/gas-properties.js';
import type { AmbientConditions, CellActuators, CellParams } from './model/cell.js';
import { getPreset } from './presets/preset-registry.js';
import type { PlantPreset } from './presets/plant-preset.js';
import type { SensorSpec } from './sensors/first-order-sensor.js';
import type { CalibrationGasBottleSpec } from './sensors/calibration-gas-bottle.js';
import { ETHANOL_CLEARANCE_PER_S } from './model/fermentation-ethanol.js';
import { DEFAULT_FIRMNESS, DEFAULT_INITIAL_FIRMNESS_N } from './model/fruit-firmness.js';
import { CO2_SENSOR_DEFAULTS, O2_SENSOR_DEFAULTS } from './sensors/gas-sensor.js';
import { TEMPERATURE_SENSOR_DEFAULTS } from './sensors/temperature-sensor.js';
import { invalidOption } from './simulator-error.js';

/** State of the free gas when the run starts. */
export interface InitialGasOptions {
  /** O2 partial pressure, kPa, ≥ 0. Default: the ambient O2 fraction at the starting pressure (≈ 21.2 kPa). */
  o2Kpa?: number;
  /** CO2 partial pressure, kPa, ≥ 0. Default: the ambient CO2 fraction at the starting pressure (≈ 0.04 kPa). */
  co2Kpa?: number;
  /** Cell pressure relative to ambient, Pa, −10 000 to 10 000. Default 0. */
  gaugePressurePa?: number;
  /** Fruit temperature, °C, −10 to 40. Default: the cell temperature `tempC` (the fruit is cooled already). */
  fruitTempC?: number;
  /** Flesh firmness, N, 0 to 200. Default 70 [E]. */
  firmnessN?: number;
}

export interface SensorOptions {
  /** O2 analyser, kPa. Default `O2_SENSOR_DEFAULTS`: τ 15 s, σ 0.005 kPa, resolution 0.01 kPa, 0–25 kPa. */
  o2?: Partial<SensorSpec>;
  /** CO2 analyser, kPa. Default `CO2_SENSOR_DEFAULTS`: τ 20 s, σ 0.01 kPa, resolution 0.01 kPa, 0–20 kPa. */
  co2?: Partial<SensorSpec>;
  /** Temperature probe, °C. Default `TEMPERATURE_SENSOR_DEFAULTS`: τ 60 s, σ 0.02 °C, resolution 0.01 °C. */
  temp?: Partial<SensorSpec>;
}

export interface CalibrationGasOptions {
  /** The zero gas, N2 (sensors/calibration-gas-bottle.ts). Default "zero N2", 10 L at 150 bar, empty at 2 bar. */
  zero?: Partial<CalibrationGasBottleSpec>;
  /**
   * The CO2 span gas, CO2 in N2, and its CO2 mole fraction, 0 to 1 (default 0.12: 12 kPa at normal
   * pressure, 60 % of the analyser's 20 kPa range; DOMAIN.md §6: span at 50–80 % of full scale). Default
   * bottle "CO2 span", 10 L at 150 bar.
   */
  co2Span?: Partial<CalibrationGasBottleSpec> & { co2Fraction?: number };
  /**
   * Normal litres one flush takes from a bottle: the analyser's sample flow times its flush time, 0 to 100.
   * Default 1.5 (0.5 L/min for 3 min [E]).
   */
  litresPerFlush?: number;
}

export interface CellPlantOptions {
  /** Preset name or preset object. Default `'conference-pear'`. */
  preset?: string | PlantPreset;
  /** Gross cell volume, m³, > 0 and ≤ 100 000. Default: the preset's (100 m³). */
  grossVolumeM3?: number;
  /**
   * Free gas volume, m³, > 0 and ≤ grossVolumeM3. Default: the preset's free-gas fraction × grossVolumeM3
   * (55 m³ of 100 m³).
   */
  freeVolumeM3?: number;
  /**
   * Fruit mass, kg, 0 to 5 000 000 (0 turns respiration off). Default: the preset's fill per gross volume
   * × grossVolumeM3 (25 000 kg in 100 m³).
   */
  fruitKg?: number;
  /**
   * Effective leak area, cm², 0 to 10 000 (0: perfectly tight). Default: the preset's leak per gross volume
   * × grossVolumeM3 (0.10 cm² per 100 m³, the DCA limit).
   */
  leakAreaCm2?: number;
  /** Discharge coefficient of the leak, > 0 and ≤ 1. Default: the preset's (0.61). */
  leakCd?: number;
  /** Leak flow is linear in Δp below this, Pa, > 0 and ≤ 100. Default 1. */
  leakLaminarBelowPa?: number;
  /**
   * Cooling setpoint, and the temperature of the air and the fruit at the start, °C, −10 to 40. Default: the
   * preset's storage temperature (−1 °C for the pear).
   */
  tempC?: number;
  /**
   * Capacity of the breather bag, m³, 0 to the free volume. Default: 1 % of the gross volume for a cell,
   * 5 % for a pallet cover or container (the cover's own slack) [E]. The pressure-decay test sets 0.
   */
  breatherBagM3?: number;
  /** Relief valve opening pressure (both ways), Pa, > 0 and ≤ 20 000. Default 200 [E]. */
  reliefValveOpeningPa?: number;
  /** CO2 capacity of each scrubber bed, mol, > 0 and ≤ 1e6. Default 0.2 mol per m³ gross [E]. */
  scrubberBedCapacityMol?: number;
  /** Regeneration rate of the idle bed, 1/s, > 0 and ≤ 1. Default 1/1200 (a bed is clean in about an hour) [E]. */
  scrubberRegenerationPerS?: number;
  /** Ambient air let into the cell at each bed switch-over, m³, 0 to 1000. Default 0.001 m³ per m³ gross [E]. */
  scrubberVoidM3?: number;
  /** Door area, m², > 0 and ≤ 100. Default 5 (cell: 2 × 2.5 m) or 1 (pallet: lifting the cover) [E]. */
  doorAreaM2?: number;
  /** Door height, m, > 0 and ≤ 20. Default 2.5 (cell) or 1 (pallet) [E]. */
  doorHeightM?: number;
  /** Specific heat of the fruit, J kg⁻¹ K⁻¹, > 0 and ≤ 10 000. Default 3800 (apples 3.81 kJ kg⁻¹ K⁻¹, ASHRAE). */
  fruitHeatCapacityJPerKgK?: number;
  /** Fruit-to-air conductance per kg of fruit, W kg⁻¹ K⁻¹, > 0 and ≤ 10. Default 0.15 [E]. */
  fruitAirConductanceWPerKgK?: number;
  /** Heat capacity of the air node, J/K, > 0 and ≤ 1e10. Default 10 kJ K⁻¹ per m³ gross [E]. */
  airNodeHeatCapacityJPerK?: number;
  /** Wall conductance UA, W/K, 0 to 1e6. Default 0.35 W K⁻¹ per m³ gross (cell) or 10 (pallet film) [E]. */
  wallConductanceWPerK?: number;
  /** Fan power into the cell air, W, 0 to 1e6. Default 2 W per m³ gross (cell, storage speed) or 10 W (pallet unit) [E]. */
  fanPowerW?: number;
  /**
   * Cooling capacity, W, 0 to 1e7. Default for a cell: 120 W per t of fruit plus twice the wall and fan load
   * at 25 K (8.7 kW for the 40 t apple room) [E]; 0 for a pallet cover, which sits in a cold room (its ambient).
   */
  coolingCapacityW?: number;
  /** Coefficient of performance of the cooling unit, > 0 and ≤ 20. Default 2.5 [E]. */
  coolingCop?: number;
  /** Thermostat hysteresis half-width, K, > 0 and ≤ 10. Default 0.3 [E]. */
  coolingBandK?: number;
  /** Time constant of CO2 exchange between gas and fruit, s, > 0 and ≤ 1e7. Default 7200 [E]. */
  co2DissolutionTimeConstantS?: number;
  /** Ethanol clearance from the fruit, 1/s, 0 to 1. Default ln 2 / 3 days [E]. */
  ethanolClearancePerS?: number;
  /** N2 generator flow when the N2 valve is open, Nm³/h, 0 to 10 000. Default 30. */
  n2FlowNm3PerH?: number;
  /** N2 fraction of the generator's product (rest O2), 0.5 to 1. Default 0.97. */
  n2PurityFraction?: number;
  /** Fresh-air flow when the air valve is open, m³/h of ambient air, 0 to 100 000. Default 50. */
  airFlowM3PerH?: number;
  /** Cell gas flow through the adsorbing scrubber bed when it runs, m³/h, 0 to 100 000. Default 20. */
  scrubberFlowM3PerH?: number;
  /** Fraction of the CO2 a clean bed removes from its flow, 0 to 1. Default 0.9. */
  scrubberEfficiency?: number;
  /**
   * Conditions outside the cell. Defaults: pressurePa 101 325 (50 000 to 120 000), tempC 15 for a cell or the
   * preset's storage temperature for a pallet (it stands in a cold room) (−40 to 60), o2Fraction 0.2095 and
   * co2Fraction 0.0004 (each 0 to 1, together ≤ 1).
   */
  ambient?: Partial<AmbientConditions>;
  /** Free gas at the start. Default: ambient air at ambient pressure. */
  initial?: InitialGasOptions;
  /** Actuators at the start. Default: all off. */
  actuators?: Partial<CellActuators>;
  /**
   * Longest integrator sub-step, s, from 0.01 (MIN_STEP_S) to 3600. Default 10. Under RK4 the plant also keeps each
   * sub-step at most half the cell's fastest time constant (a leaky small enclosure, a strong inlet), so
   * this only ever shortens it; the adaptive integrator chooses its steps up to this length.
   */
  maxStepS?: number;
  /**
   * The integrator (README "Integrators"): 'rk4', fixed steps, or 'dopri5', the adaptive Dormand–Prince
   * 5(4) (engine/dopri5.ts). Default: 'rk4' for a cell preset, 'dopri5' for a pallet preset, whose leak
   * time constant (≈ 2 s while its breather bag is at a limit) would hold RK4 to 1 s steps all the time.
   */
  integrator?: PlantIntegrator;
  /** Seed of the sensor noise, an integer. Default 1. */
  seed?: number;
  /**
   * Days the fruit has been in storage when the run starts, 0 to 1000. Default 0. The RQ break point
   * drifts with storage time (the preset's `breakPoint.driftKpaPerDay`).
   */
  storageDayAtStart?: number;
  /** Sensor models; each field overrides the default spec. */
  sensors?: SensorOptions;
  /** The calibration-gas bottles `calibrateFromBottles` draws from. */
  calibrationGas?: CalibrationGasOptions;
}

/** The integrators a plant can run on. */
export type PlantIntegrator = 'rk4' | 'dopri5';

/** Options with every default filled in and checked. */
export interface ResolvedCellPlantOptions {
  preset: PlantPreset;
  grossVolumeM3: number;
  params: CellParams;
  ambient: AmbientConditions;
  initial: Required<InitialGasOptions>;
  actuators: CellActuators;
  maxStepS: number;
  integrator: PlantIntegrator;
  seed: number;
  storageDayAtStart: number;
  sensors: { o2: SensorSpec; co2: SensorSpec; temp: SensorSpec };
  calibrationGas: {
    zero: CalibrationGasBottleSpec;
    co2Span: CalibrationGasBottleSpec;
    co2SpanFraction: number;
    litresPerFlush: number;
  };
}

export const DEFAULT_PRESET = 'conference-pear';
export const DEFAULT_AMBIENT: Readonly<AmbientConditions> = Object.freeze({
  pressurePa: STANDARD_ATMOSPHERE_PA,
  tempC: 15,
  o2Fraction: AIR_O2_FRACTION,
  co2Fraction: AIR_CO2_FRACTION,
});

const TOP_LEVEL_KEYS = [
  'preset', 'grossVolumeM3', 'freeVolumeM3', 'fruitKg', 'leakAreaCm2', 'leakCd', 'leakLaminarBelowPa',
  'tempC', 'n2FlowNm3PerH', 'n2PurityFraction', 'airFlowM3PerH', 'scrubberFlowM3PerH', 'scrubberEfficiency',
  'breatherBagM3', 'reliefValveOpeningPa', 'scrubberBedCapacityMol', 'scrubberRegenerationPerS', 'scrubberVoidM3',
  'doorAreaM2', 'doorHeightM', 'fruitHeatCapacityJPerKgK', 'fruitAirConductanceWPerKgK', 'airNodeHeatCapacityJPerK',
  'wallConductanceWPerK', 'fanPowerW', 'coolingCapacityW', 'coolingCop', 'coolingBandK', 'co2DissolutionTimeConstantS',
  'ethanolClearancePerS',
  'ambient', 'initial', 'actuators', 'maxStepS', 'integrator', 'seed', 'sensors', 'storageDayAtStart', 'calibrationGas',
] as const;
const CALIBRATION_GAS_KEYS = ['zero', 'co2Span', 'litresPerFlush'] as const;
const BOTTLE_KEYS = ['name', 'waterVolumeL', 'fillBar', 'minimumBar'] as const;
const AMBIENT_KEYS = ['pressurePa', 'tempC', 'o2Fraction', 'co2Fraction'] as const;
const INITIAL_KEYS = ['o2Kpa', 'co2Kpa', 'gaugePressurePa', 'fruitTempC', 'firmnessN'] as const;
const ACTUATOR_KEYS = ['n2', 'air', 'scrub', 'door'] as const;
const SENSOR_KEYS = ['o2', 'co2', 'temp'] as const;
const SENSOR_SPEC_KEYS = ['timeConstantS', 'noiseSd', 'offset', 'resolution', 'rangeMin', 'rangeMax', 'gain', 'driftPerDay'] as const;


function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Throws if `value` is not a plain object with only `known` keys; returns it as a record. */
function checkKeys(name: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidOption(`"${name}" must be an object: ${show(value)}`);
  }
  // for…in rather than Object.keys: no array per call (setAmbient runs every few minutes of a run).
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (!known.includes(key)) {
      const where = name === 'options' ? 'option' : `option in "${name}"`;
      throw invalidOption(`unknown ${where} "${key}"; known: ${known.join(', ')}`);
    }
  }
  return value as Record<string, unknown>;
}

interface Range {
  min?: number;
  max?: number;
  /** min is exclusive. */
  above?: boolean;
  /** Text for the max bound, when it comes from another option. */
  maxLabel?: string;
}

/** `value` if it is a finite number inside `range`, `fallback` if undefined; throws otherwise. */
/** The shortest integrator sub-step a plant accepts, s. */
export const MIN_STEP_S = 0.01;

function checkNumber(name: string, given: unknown, fallback: number, range: Range = {}): number {
  // Defaults are checked too: they may come from a caller's own preset object.
  const value = given === undefined ? fallback : given;
  if (typeof value === 'number' && Number.isFinite(value)) {
    const low = range.min !== undefined && (range.above ? value <= range.min : value < range.min);
    const high = range.max !== undefined && value > range.max;
    if (!low && !high) return value;
  }
  // Only a wrong value pays for the message.
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.above ? '>' : '≥'} ${range.min}`);
  if (range.max !== undefined) parts.push(`≤ ${range.maxLabel ?? range.max}`);
  const rule = `a finite number${parts.length > 0 ? ` ${parts.join(' and ')}` : ''}`;
  throw invalidOption(`"${name}" must be ${rule}: ${typeof value === 'number' ? value : show(value)}`);
}

function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(`"${name}" must be true or false: ${show(value)}`);
  return value;
}

function resolvePreset(value: unknown): PlantPreset {
  if (value === undefined) return getPreset(DEFAULT_PRESET);
  if (typeof value === 'string') return getPreset(value);
  if (value === null || typeof value !== 'object' || typeof (value as PlantPreset).name !== 'string') {
    throw invalidOption(`"preset" must be a preset name or a preset object: ${show(value)}`);
  }
  // A caller's own preset: its geometry is checked with the options it provides defaults for; its
  // kinetics here.
  const preset = value as PlantPreset;
  for (const part of ['respiration', 'breakPoint', 'geometry', 'storage'] as const) {
    if (preset[part] === null || typeof preset[part] !== 'object') {
      throw invalidOption(`"preset.${part}" must be an object: ${show(preset[part])}`);
    }
  }
  const k = preset.respiration;
  const p = `preset "${preset.name}" respiration`;
  checkNumber(`${p}.vmO2RefMolPerKgS`, k.vmO2RefMolPerKgS, NaN, { min: 0 });
  checkNumber(`${p}.eaO2JPerMol`, k.eaO2JPerMol, NaN, { min: 0 });
  checkNumber(`${p}.vmFermRefMolPerKgS`, k.vmFermRefMolPerKgS, NaN, { min: 0 });
  checkNumber(`${p}.eaFermJPerMol`, k.eaFermJPerMol, NaN, { min: 0 });
  checkNumber(`${p}.kmO2Kpa`, k.kmO2Kpa, NaN, { min: 0, above: true });
  checkNumber(`${p}.kmCo2Kpa`, k.kmCo2Kpa, NaN, { min: 0, above: true });
  checkNumber(`${p}.kmFermO2Kpa`, k.kmFermO2Kpa, NaN, { min: 0, above: true });
  checkNumber(`${p}.rqOx`, k.rqOx, NaN, { min: 0, above: true });
  checkNumber(`${p}.tRefC`, k.tRefC, NaN, { min: -50, max: 60 });
  const b = preset.breakPoint;
  const q = `preset "${preset.name}" breakPoint`;
  checkNumber(`${q}.o2Kpa`, b.o2Kpa, NaN, { min: 0, max: 25 });
  checkNumber(`${q}.tempC`, b.tempC, NaN, { min: -10, max: 40 });
  checkNumber(`${q}.co2Kpa`, b.co2Kpa, NaN, { min: 0, max: 25 });
  checkNumber(`${q}.driftKpaPerDay`, b.driftKpaPerDay, NaN, { min: -0.1, max: 0.1 });
  return preset;
}

const AMBIENT_PRESSURE_RANGE: Range = { min: 50_000, max: 120_000 };
const AMBIENT_TEMP_RANGE: Range = { min: -40, max: 60 };
const FRACTION_RANGE: Range = { min: 0, max: 1 };

/** Checks an ambient update against the allowed ranges; `base` fills what `value` leaves out. */
export function resolveAmbient(value: unknown, base: Readonly<AmbientConditions>): AmbientConditions {
  const raw = value === undefined ? {} : checkKeys('ambient', value, AMBIENT_KEYS);
  const ambient: AmbientConditions = {
    pressurePa: checkNumber('ambient.pressurePa', raw.pressurePa, base.pressurePa, AMBIENT_PRESSURE_RANGE),
    tempC: checkNumber('ambient.tempC', raw.tempC, base.tempC, AMBIENT_TEMP_RANGE),
    o2Fraction: checkNumber('ambient.o2Fraction', raw.o2Fraction, base.o2Fraction, FRACTION_RANGE),
    co2Fraction: checkNumber('ambient.co2Fraction', raw.co2Fraction, base.co2Fraction, FRACTION_RANGE),
  };
  if (ambient.o2Fraction + ambient.co2Fraction > 1) {
    throw invalidOption(
      `"ambient.o2Fraction" + "ambient.co2Fraction" must be ≤ 1: ${ambient.o2Fraction} + ${ambient.co2Fraction}`,
    );
  }
  return ambient;
}

/** Checks an actuator update; `base` fills what `value` leaves out. */
export function resolveActuators(value: unknown, base: Readonly<CellActuators>): CellActuators {
  const raw = value === undefined ? {} : checkKeys('actuators', value, ACTUATOR_KEYS);
  return {
    n2: checkBoolean('actuators.n2', raw.n2, base.n2),
    air: checkBoolean('actuators.air', raw.air, base.air),
    scrub: checkBoolean('actuators.scrub', raw.scrub, base.scrub),
    door: checkBoolean('actuators.door', raw.door, base.door),
  };
}

function resolveSensorSpec(name: string, value: unknown, base: Readonly<SensorSpec>): SensorSpec {
  const raw = value === undefined ? {} : checkKeys(name, value, SENSOR_SPEC_KEYS);
  const spec: SensorSpec = {
    timeConstantS: checkNumber(`${name}.timeConstantS`, raw.timeConstantS, base.timeConstantS, { min: 0 }),
    noiseSd: checkNumber(`${name}.noiseSd`, raw.noiseSd, base.noiseSd, { min: 0 }),
    offset: checkNumber(`${name}.offset`, raw.offset, base.offset),
    resolution: checkNumber(`${name}.resolution`, raw.resolution, base.resolution, { min: 0 }),
    rangeMin: checkNumber(`${name}.rangeMin`, raw.rangeMin, base.rangeMin),
    rangeMax: checkNumber(`${name}.rangeMax`, raw.rangeMax, base.rangeMax),
    gain: checkNumber(`${name}.gain`, raw.gain, base.gain ?? 1, { min: 0, above: true, max: 10 }),
    driftPerDay: checkNumber(`${name}.driftPerDay`, raw.driftPerDay, base.driftPerDay ?? 0),
  };
  if (spec.rangeMax <= spec.rangeMin) {
    throw invalidOption(`"${name}.rangeMax" must be > "${name}.rangeMin" (${spec.rangeMin}): ${spec.rangeMax}`);
  }
  return spec;
}

/** Fills in the defaults and checks every option. */
export function resolveCellPlantOptions(options: CellPlantOptions = {}): ResolvedCellPlantOptions {
  const o = checkKeys('options', options, TOP_LEVEL_KEYS);
  const preset = resolvePreset(o.preset);
  const g = preset.geometry;

  const grossVolumeM3 = checkNumber('grossVolumeM3', o.grossVolumeM3, g.grossVolumeM3, { min: 0, above: true, max: 100_000 });
  // A room of another size keeps the preset's proportions: free-gas fraction, fill and leak per volume.
  const scale = grossVolumeM3 / g.grossVolumeM3;
  const freeVolumeM3 = checkNumber('freeVolumeM3', o.freeVolumeM3, g.freeVolumeM3 * scale, {
    min: 0,
    above: true,
    max: grossVolumeM3,
    maxLabel: `grossVolumeM3 (${grossVolumeM3})`,
  });
  const pallet = preset.kind === 'pallet';
  const ambient = resolveAmbient(o.ambient, pallet ? { ...DEFAULT_AMBIENT, tempC: preset.storage.tempC } : DEFAULT_AMBIENT);
  const fruitKg = checkNumber('fruitKg', o.fruitKg, g.fruitKg * scale, { min: 0, max: 5_000_000 });
  const n = (name: string, fallback: number, range: Range): number => checkNumber(name, o[name], fallback, range);

  const params: CellParams = {
    freeVolumeM3,
    breatherBagM3: n('breatherBagM3', (pallet ? 0.05 : 0.01) * grossVolumeM3, {
      min: 0, max: freeVolumeM3, maxLabel: `freeVolumeM3 (${freeVolumeM3})`,
    }),
    reliefValveOpeningPa: n('reliefValveOpeningPa', 200, { min: 0, above: true, max: 20_000 }),
    fruitKg,
    tempC: checkNumber('tempC', o.tempC, preset.storage.tempC, { min: -10, max: 40 }),
    respiration: preset.respiration,
    leakAreaCm2: checkNumber('leakAreaCm2', o.leakAreaCm2, g.leakAreaCm2 * scale, { min: 0, max: 10_000 }),
    leakCd: checkNumber('leakCd', o.leakCd, g.leakCd, { min: 0, above: true, max: 1 }),
    leakLaminarBelowPa: checkNumber('leakLaminarBelowPa', o.leakLaminarBelowPa, 1, { min: 0, above: true, max: 100 }),
    n2FlowNm3PerH: checkNumber('n2FlowNm3PerH', o.n2FlowNm3PerH, 30, { min: 0, max: 10_000 }),
    n2PurityFraction: checkNumber('n2PurityFraction', o.n2PurityFraction, 0.97, { min: 0.5, max: 1 }),
    airFlowM3PerH: checkNumber('airFlowM3PerH', o.airFlowM3PerH, 50, { min: 0, max: 100_000 }),
    scrubberFlowM3PerH: checkNumber('scrubberFlowM3PerH', o.scrubberFlowM3PerH, 20, { min: 0, max: 100_000 }),
    scrubberEfficiency: checkNumber('scrubberEfficiency', o.scrubberEfficiency, 0.9, { min: 0, max: 1 }),
    scrubberBedCapacityMol: n('scrubberBedCapacityMol', 0.2 * grossVolumeM3, { min: 0, above: true, max: 1e6 }),
    scrubberRegenerationPerS: n('scrubberRegenerationPerS', 1 / 1200, { min: 0, above: true, max: 1 }),
    scrubberVoidM3: n('scrubberVoidM3', 0.001 * grossVolumeM3, { min: 0, max: 1000 }),
    doorAreaM2: n('doorAreaM2', pallet ? 1 : 5, { min: 0, above: true, max: 100 }),
    doorHeightM: n('doorHeightM', pallet ? 1 : 2.5, { min: 0, above: true, max: 20 }),
    fruitHeatCapacityJPerKgK: n('fruitHeatCapacityJPerKgK', 3800, { min: 0, above: true, max: 10_000 }),
    fruitAirConductanceWPerK: fruitKg * n('fruitAirConductanceWPerKgK', 0.15, { min: 0, above: true, max: 10 }),
    airNodeHeatCapacityJPerK: n('airNodeHeatCapacityJPerK', 10_000 * grossVolumeM3, { min: 0, above: true, max: 1e10 }),
    wallConductanceWPerK: 0,
    fanPowerW: 0,
    coolingCapacityW: 0,
    coolingCop: n('coolingCop', 2.5, { min: 0, above: true, max: 20 }),
    coolingBandK: n('coolingBandK', 0.3, { min: 0, above: true, max: 10 }),
    co2DissolutionTimeConstantS: n('co2DissolutionTimeConstantS', 7200, { min: 0, above: true, max: 1e7 }),
    ethanolClearancePerS: n('ethanolClearancePerS', ETHANOL_CLEARANCE_PER_S, { min: 0, max: 1 }),
    firmness: DEFAULT_FIRMNESS,
  };
  params.wallConductanceWPerK = n('wallConductanceWPerK', pallet ? 10 : 0.35 * grossVolumeM3, { min: 0, max: 1e6 });
  params.fanPowerW = n('fanPowerW', pallet ? 10 : 2 * grossVolumeM3, { min: 0, max: 1e6 });
  const loadAt25KW = params.wallConductanceWPerK * 25 + params.fanPowerW;
  params.coolingCapacityW = n('coolingCapacityW', pallet ? 0 : 0.12 * fruitKg + 2 * loadAt25KW, { min: 0, max: 1e7 });

  const rawInitial = o.initial === undefined ? {} : checkKeys('initial', o.initial, INITIAL_KEYS);
  const fruitTempC = checkNumber('initial.fruitTempC', rawInitial.fruitTempC, params.tempC, { min: -10, max: 40 });
  const firmnessN = checkNumber('initial.firmnessN', rawInitial.firmnessN, DEFAULT_INITIAL_FIRMNESS_N, { min: 0, max: 200 });
  const gaugePressurePa = checkNumber('initial.gaugePressurePa', rawInitial.gaugePressurePa, 0, {
    min: -10_000,
    max: 10_000,
  });
  const absoluteKpa = (ambient.pressurePa + gaugePressurePa) / 1000;
  const o2Kpa = checkNumber('initial.o2Kpa', rawInitial.o2Kpa, ambient.o2Fraction * absoluteKpa, { min: 0 });
  const co2Kpa = checkNumber('initial.co2Kpa', rawInitial.co2Kpa, ambient.co2Fraction * absoluteKpa, { min: 0 });
  if (o2Kpa + co2Kpa > absoluteKpa) {
    throw invalidOption(
      `"initial.o2Kpa" + "initial.co2Kpa" must be ≤ the starting absolute pressure (${absoluteKpa} kPa): ${o2Kpa} + ${co2Kpa}`,
    );
  }

  const seed = o.seed === undefined ? 1 : o.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw invalidOption(`"seed" must be an integer: ${show(seed)}`);
  }

  const integrator = o.integrator ?? (preset.kind === 'pallet' ? 'dopri5' : 'rk4');
  if (integrator !== 'rk4' && integrator !== 'dopri5') {
    throw invalidOption(`"integrator" must be "rk4" or "dopri5": ${show(integrator)}`);
  }

  const rawSensors = o.sensors === undefined ? {} : checkKeys('sensors', o.sensors, SENSOR_KEYS);
  const rawGas = o.calibrationGas === undefined ? {} : checkKeys('calibrationGas', o.calibrationGas, CALIBRATION_GAS_KEYS);
  const rawZero = rawGas.zero === undefined ? {} : checkKeys('calibrationGas.zero', rawGas.zero, BOTTLE_KEYS);
  const rawSpan = rawGas.co2Span === undefined ? {} : checkKeys('calibrationGas.co2Span', rawGas.co2Span, [...BOTTLE_KEYS, 'co2Fraction'] as const);
  // The bottles' own numbers are checked where the bottles are made (calibration-gas-bottle.ts).
  const bottle = (raw: Record<string, unknown>, name: string): CalibrationGasBottleSpec => ({
    name: (raw.name as string | undefined) ?? name,
    waterVolumeL: (raw.waterVolumeL as number | undefined) ?? 10,
    fillBar: (raw.fillBar as number | undefined) ?? 150,
    minimumBar: (raw.minimumBar as number | undefined) ?? 2,
  });
  return {
    preset,
    grossVolumeM3,
    params,
    ambient,
    initial: { o2Kpa, co2Kpa, gaugePressurePa, fruitTempC, firmnessN },
    actuators: resolveActuators(o.actuators, { n2: false, air: false, scrub: false, door: false }),
    // 10 ms is far below any time constant of a cell or a pallet cover; a shorter step only makes a run
    // that cannot finish (a season at 1 ns steps is 2.3e16 sub-steps).
    maxStepS: checkNumber('maxStepS', o.maxStepS, 10, { min: MIN_STEP_S, max: 3600 }),
    integrator,
    seed,
    storageDayAtStart: checkNumber('storageDayAtStart', o.storageDayAtStart, 0, { min: 0, max: 1000 }),
    sensors: {
      o2: resolveSensorSpec('sensors.o2', rawSensors.o2, O2_SENSOR_DEFAULTS),
      co2: resolveSensorSpec('sensors.co2', rawSensors.co2, CO2_SENSOR_DEFAULTS),
      temp: resolveSensorSpec('sensors.temp', rawSensors.temp, TEMPERATURE_SENSOR_DEFAULTS),
    },
    calibrationGas: {
      zero: bottle(rawZero, 'zero N2'),
      co2Span: bottle(rawSpan, 'CO2 span'),
      co2SpanFraction: checkNumber('calibrationGas.co2Span.co2Fraction', rawSpan.co2Fraction, 0.12, { min: 0, above: true, max: 1 }),
      litresPerFlush: checkNumber('calibrationGas.litresPerFlush', rawGas.litresPerFlush, 1.5, { min: 0, max: 100 }),
    },
  };
}
