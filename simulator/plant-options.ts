/**
 * Options of a cell plant and their validation. Every option is optional; the defaults describe a
 * 'Conference' pear cell that has just been closed, full of air, with every actuator off. Defaults, ranges,
 * units and the known option names come from one table (plant-option-table.ts); the doc comments below
 * repeat the defaults for the editor. A wrong option throws `SimulatorError` `SIM_ERR_INVALID_OPTION`
 * naming the option, the allowed range and the value given; an unknown option name (a typo) is an error
 * too, not silently ignored.
 */
import type { AmbientConditions, CellActuators, CellParams } from './model/cell.js';
import { DEFAULT_FIRMNESS } from './model/fruit-firmness.js';
import { getPreset } from './presets/preset-registry.js';
import type { PlantPreset } from './presets/plant-preset.js';
import type { SensorSpec } from './sensors/first-order-sensor.js';
import type { CalibrationGasBottleSpec } from './sensors/calibration-gas-bottle.js';
import { CO2_SENSOR_DEFAULTS, O2_SENSOR_DEFAULTS } from './sensors/gas-sensor.js';
import { TEMPERATURE_SENSOR_DEFAULTS } from './sensors/temperature-sensor.js';
import { invalidOption } from './simulator-error.js';
import {
  DEFAULT_AMBIENT,
  DEFAULT_PRESET,
  optionKeysOf,
  PLANT_OPTION_TABLE,
  plantOption,
  rangeText,
  type OptionDefaults,
  type PlantOptionSpec,
} from './plant-option-table.js';

export { DEFAULT_AMBIENT, DEFAULT_PRESET, MIN_STEP_S } from './plant-option-table.js';

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

// Known option names, from the table.
const TOP_LEVEL_KEYS = optionKeysOf('');
const AMBIENT_KEYS = optionKeysOf('ambient');
const INITIAL_KEYS = optionKeysOf('initial');
const ACTUATOR_KEYS = optionKeysOf('actuators');
const SENSOR_KEYS = optionKeysOf('sensors');
const CALIBRATION_GAS_KEYS = optionKeysOf('calibrationGas');

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

/** The group `name`'s own options given, `{}` when it is left out; throws for a non-object or an unknown key. */
function group(name: string, value: unknown, known: readonly string[] = optionKeysOf(name)): Record<string, unknown> {
  return value === undefined ? {} : checkKeys(name, value, known);
}

/**
 * `given` if it is a finite number inside the range of `spec`, `fallback` if undefined; throws otherwise,
 * naming `label` (default: the entry's name). `bound` is the value of the entry's `maxOption`, if it has one.
 */
function checkNumber(spec: PlantOptionSpec, given: unknown, fallback: number, bound?: number, label: string = spec.name): number {
  // Defaults are checked too: they may come from a caller's own preset object.
  const value = given === undefined ? fallback : given;
  const max = bound ?? spec.max;
  if (typeof value === 'number' && Number.isFinite(value)) {
    const min = spec.min;
    const low = min !== undefined && (spec.above ? value <= min : value < min);
    const high = max !== undefined && value > max;
    if (!low && !high) return value;
  }
  // Only a wrong value pays for the message.
  const range = rangeText(spec, spec.maxOption !== undefined && bound !== undefined ? `${spec.maxOption} (${bound})` : undefined);
  const rule = `a finite number${range === '' ? '' : ` ${range}`}`;
  throw invalidOption(`"${label}" must be ${rule}: ${typeof value === 'number' ? value : show(value)}`);
}

/** The table's default of a numeric entry. */
function defaultOf(spec: PlantOptionSpec, d: OptionDefaults): number {
  const value = spec.default;
  return typeof value === 'function' ? value(d) : (value as number);
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
  // kinetics here, against the table's 'preset-number' entries.
  const preset = value as PlantPreset;
  for (const part of ['respiration', 'breakPoint', 'geometry', 'storage'] as const) {
    if (preset[part] === null || typeof preset[part] !== 'object') {
      throw invalidOption(`"preset.${part}" must be an object: ${show(preset[part])}`);
    }
  }
  for (const spec of PRESET_NUMBERS) {
    const [, part, field] = spec.name.split('.') as [string, 'respiration' | 'breakPoint', string];
    const given = (preset[part] as unknown as Record<string, unknown>)[field];
    checkNumber(spec, given, NaN, undefined, `preset "${preset.name}" ${part}.${field}`);
  }
  return preset;
}

const PRESET_NUMBERS = PLANT_OPTION_TABLE.filter((spec) => spec.kind === 'preset-number');
// The ambient entries, looked up once (setAmbient runs every few minutes of a run).
const AMBIENT_PRESSURE = plantOption('ambient.pressurePa');
const AMBIENT_TEMP = plantOption('ambient.tempC');
const AMBIENT_O2 = plantOption('ambient.o2Fraction');
const AMBIENT_CO2 = plantOption('ambient.co2Fraction');

/** Checks an ambient update against the allowed ranges; `base` fills what `value` leaves out. */
export function resolveAmbient(value: unknown, base: Readonly<AmbientConditions>): AmbientConditions {
  const raw = value === undefined ? {} : checkKeys('ambient', value, AMBIENT_KEYS);
  const ambient: AmbientConditions = {
    pressurePa: checkNumber(AMBIENT_PRESSURE, raw.pressurePa, base.pressurePa),
    tempC: checkNumber(AMBIENT_TEMP, raw.tempC, base.tempC),
    o2Fraction: checkNumber(AMBIENT_O2, raw.o2Fraction, base.o2Fraction),
    co2Fraction: checkNumber(AMBIENT_CO2, raw.co2Fraction, base.co2Fraction),
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

/** The cooling setpoint `setCoolingSetpoint` takes, in the range of the option `tempC`. */
export function checkCoolingSetpoint(tempC: unknown): number {
  return checkNumber(plantOption('tempC'), tempC, NaN);
}

/** A sensor's spec: the table's entries below `sensors.<sensor>`, each defaulting to `base`'s field. */
function resolveSensorSpec(name: string, value: unknown, base: Readonly<SensorSpec>): SensorSpec {
  const raw = group(name, value);
  const field = (key: keyof SensorSpec): number => {
    const spec = plantOption(`${name}.${key}`);
    return checkNumber(spec, raw[key], (base[key] as number | undefined) ?? (spec.default as number));
  };
  const spec: SensorSpec = {
    timeConstantS: field('timeConstantS'),
    noiseSd: field('noiseSd'),
    offset: field('offset'),
    resolution: field('resolution'),
    rangeMin: field('rangeMin'),
    rangeMax: field('rangeMax'),
    gain: field('gain'),
    driftPerDay: field('driftPerDay'),
  };
  if (spec.rangeMax <= spec.rangeMin) {
    throw invalidOption(`"${name}.rangeMax" must be > "${name}.rangeMin" (${spec.rangeMin}): ${spec.rangeMax}`);
  }
  return spec;
}

/** A bottle's spec; its numbers are checked where the bottle is made (sensors/calibration-gas-bottle.ts). */
function resolveBottle(name: string, raw: Record<string, unknown>): CalibrationGasBottleSpec {
  const given = (key: keyof CalibrationGasBottleSpec): unknown => raw[key] ?? plantOption(`${name}.${key}`).default;
  return {
    name: given('name') as string,
    waterVolumeL: given('waterVolumeL') as number,
    fillBar: given('fillBar') as number,
    minimumBar: given('minimumBar') as number,
  };
}

/** Fills in the defaults and checks every option, in the table's order. */
export function resolveCellPlantOptions(options: CellPlantOptions = {}): ResolvedCellPlantOptions {
  const o = checkKeys('options', options, TOP_LEVEL_KEYS);
  const preset = resolvePreset(o.preset);
  const g = preset.geometry;
  // What derived defaults read, filled in as the options resolve (plant-option-table.ts).
  const d = { preset, pallet: preset.kind === 'pallet' } as OptionDefaults;
  /** The top-level option `name`, or its default; checked against the table. */
  const n = (name: string, bound?: number): number => {
    const spec = plantOption(name);
    return checkNumber(spec, o[name], defaultOf(spec, d), bound);
  };

  const grossVolumeM3 = (d.grossVolumeM3 = n('grossVolumeM3'));
  // A room of another size keeps the preset's proportions: free-gas fraction, fill and leak per volume.
  d.scale = grossVolumeM3 / g.grossVolumeM3;
  const freeVolumeM3 = (d.freeVolumeM3 = n('freeVolumeM3', grossVolumeM3));
  const rawAmbient = group('ambient', o.ambient, AMBIENT_KEYS);
  const ambient = (d.ambient = resolveAmbient(rawAmbient, { ...DEFAULT_AMBIENT, tempC: defaultOf(AMBIENT_TEMP, d) }));
  const fruitKg = (d.fruitKg = n('fruitKg'));

  const params: CellParams = {
    freeVolumeM3,
    breatherBagM3: n('breatherBagM3', freeVolumeM3),
    reliefValveOpeningPa: n('reliefValveOpeningPa'),
    fruitKg,
    tempC: (d.tempC = n('tempC')),
    respiration: preset.respiration,
    leakAreaCm2: n('leakAreaCm2'),
    leakCd: n('leakCd'),
    leakLaminarBelowPa: n('leakLaminarBelowPa'),
    n2FlowNm3PerH: n('n2FlowNm3PerH'),
    n2PurityFraction: n('n2PurityFraction'),
    airFlowM3PerH: n('airFlowM3PerH'),
    scrubberFlowM3PerH: n('scrubberFlowM3PerH'),
    scrubberEfficiency: n('scrubberEfficiency'),
    scrubberBedCapacityMol: n('scrubberBedCapacityMol'),
    scrubberRegenerationPerS: n('scrubberRegenerationPerS'),
    scrubberVoidM3: n('scrubberVoidM3'),
    doorAreaM2: n('doorAreaM2'),
    doorHeightM: n('doorHeightM'),
    fruitHeatCapacityJPerKgK: n('fruitHeatCapacityJPerKgK'),
    fruitAirConductanceWPerK: fruitKg * n('fruitAirConductanceWPerKgK'),
    airNodeHeatCapacityJPerK: n('airNodeHeatCapacityJPerK'),
    wallConductanceWPerK: 0,
    fanPowerW: 0,
    coolingCapacityW: 0,
    coolingCop: n('coolingCop'),
    coolingBandK: n('coolingBandK'),
    co2DissolutionTimeConstantS: n('co2DissolutionTimeConstantS'),
    ethanolClearancePerS: n('ethanolClearancePerS'),
    firmness: DEFAULT_FIRMNESS,
  };
  params.wallConductanceWPerK = d.wallConductanceWPerK = n('wallConductanceWPerK');
  params.fanPowerW = d.fanPowerW = n('fanPowerW');
  params.coolingCapacityW = n('coolingCapacityW');

  const rawInitial = group('initial', o.initial, INITIAL_KEYS);
  const initialNumber = (key: string): number => {
    const spec = plantOption(`initial.${key}`);
    return checkNumber(spec, rawInitial[key], defaultOf(spec, d));
  };
  const fruitTempC = initialNumber('fruitTempC');
  const firmnessN = initialNumber('firmnessN');
  const gaugePressurePa = initialNumber('gaugePressurePa');
  const absoluteKpa = (d.absoluteKpa = (ambient.pressurePa + gaugePressurePa) / 1000);
  const o2Kpa = initialNumber('o2Kpa');
  const co2Kpa = initialNumber('co2Kpa');
  if (o2Kpa + co2Kpa > absoluteKpa) {
    throw invalidOption(
      `"initial.o2Kpa" + "initial.co2Kpa" must be ≤ the starting absolute pressure (${absoluteKpa} kPa): ${o2Kpa} + ${co2Kpa}`,
    );
  }

  const seed = o.seed === undefined ? (plantOption('seed').default as number) : o.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw invalidOption(`"seed" must be an integer: ${show(seed)}`);
  }

  const integrator = o.integrator ?? (d.pallet ? 'dopri5' : 'rk4');
  const choices = plantOption('integrator').choices!;
  if (typeof integrator !== 'string' || !choices.includes(integrator)) {
    throw invalidOption(`"integrator" must be ${choices.map((c) => `"${c}"`).join(' or ')}: ${show(integrator)}`);
  }

  const rawSensors = group('sensors', o.sensors, SENSOR_KEYS);
  const rawGas = group('calibrationGas', o.calibrationGas, CALIBRATION_GAS_KEYS);
  const rawZero = group('calibrationGas.zero', rawGas.zero);
  const rawSpan = group('calibrationGas.co2Span', rawGas.co2Span);
  const gasNumber = (name: string, given: unknown): number => {
    const spec = plantOption(name);
    return checkNumber(spec, given, spec.default as number);
  };
  const actuatorDefaults = Object.fromEntries(ACTUATOR_KEYS.map((key) => [key, plantOption(`actuators.${key}`).default])) as unknown as CellActuators;
  return {
    preset,
    grossVolumeM3,
    params,
    ambient,
    initial: { o2Kpa, co2Kpa, gaugePressurePa, fruitTempC, firmnessN },
    actuators: resolveActuators(o.actuators, actuatorDefaults),
    // 10 ms is far below any time constant of a cell or a pallet cover; a shorter step only makes a run
    // that cannot finish (a season at 1 ns steps is 2.3e16 sub-steps).
    maxStepS: n('maxStepS'),
    integrator: integrator as PlantIntegrator,
    seed,
    storageDayAtStart: n('storageDayAtStart'),
    sensors: {
      o2: resolveSensorSpec('sensors.o2', rawSensors.o2, O2_SENSOR_DEFAULTS),
      co2: resolveSensorSpec('sensors.co2', rawSensors.co2, CO2_SENSOR_DEFAULTS),
      temp: resolveSensorSpec('sensors.temp', rawSensors.temp, TEMPERATURE_SENSOR_DEFAULTS),
    },
    calibrationGas: {
      zero: resolveBottle('calibrationGas.zero', rawZero),
      co2Span: resolveBottle('calibrationGas.co2Span', rawSpan),
      co2SpanFraction: gasNumber('calibrationGas.co2Span.co2Fraction', rawSpan.co2Fraction),
      litresPerFlush: gasNumber('calibrationGas.litresPerFlush', rawGas.litresPerFlush),
    },
  };
}
