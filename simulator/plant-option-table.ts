/**
 * Every option of a cell plant in one declarative table: its default, its range, its unit and what it
 * means. The validation (plant-options.ts) takes its defaults, ranges and known option names from here and
 * nowhere else; a test checks that every entry is validated, and that the defaults lie in their ranges.
 *
 * A default is a number, or a function of what is resolved before it (`OptionDefaults`: a room of another
 * size keeps the preset's proportions); `defaultDoc` says the same in words. A range is `min` (exclusive
 * with `above`) and `max`, or `maxOption`, another option's resolved value. Entries whose numbers are
 * checked where their part is made say so in `checkedBy` (the calibration-gas bottles).
 */
import type { AmbientConditions } from './model/cell.js';
import { ETHANOL_CLEARANCE_PER_S } from './model/fermentation-ethanol.js';
import { DEFAULT_INITIAL_FIRMNESS_N } from './model/fruit-firmness.js';
import { AIR_CO2_FRACTION, AIR_O2_FRACTION, STANDARD_ATMOSPHERE_PA } from './model/gas-properties.js';
import type { PlantPreset } from './presets/plant-preset.js';
import type { SensorSpec } from './sensors/first-order-sensor.js';
import { CO2_SENSOR_DEFAULTS, O2_SENSOR_DEFAULTS } from './sensors/gas-sensor.js';
import { TEMPERATURE_SENSOR_DEFAULTS } from './sensors/temperature-sensor.js';

/** What a derived default may depend on, filled in as the options are resolved, in the table's order. */
export interface OptionDefaults {
  preset: PlantPreset;
  /** The preset is a pallet cover or container. */
  pallet: boolean;
  grossVolumeM3: number;
  /** grossVolumeM3 over the preset's. */
  scale: number;
  freeVolumeM3: number;
  fruitKg: number;
  /** The cell temperature, °C. */
  tempC: number;
  wallConductanceWPerK: number;
  fanPowerW: number;
  ambient: AmbientConditions;
  /** Absolute cell pressure at the start, kPa. */
  absoluteKpa: number;
}

/** Options whose resolved value can bound another's. */
export type BoundingOption = 'grossVolumeM3' | 'freeVolumeM3';

export interface PlantOptionSpec {
  /** The option's path, as messages name it: `leakAreaCm2`, `ambient.tempC`, `sensors.o2.gain`. */
  readonly name: string;
  /**
   * 'number': a finite number in the range; 'integer'; 'boolean'; 'choice' (one of `choices`); 'preset'
   * (a name or a preset object); 'text' (a non-empty string); 'group' (an object of the entries below it);
   * 'preset-number': a number a caller's own preset object must carry (no default).
   */
  readonly kind: 'number' | 'integer' | 'boolean' | 'choice' | 'preset' | 'text' | 'group' | 'preset-number';
  /** Unit of the value; '' for a dimensionless one or a non-number. */
  readonly unit: string;
  /** What the option is. */
  readonly doc: string;
  /** The default in words. */
  readonly defaultDoc: string;
  /** The default: a value, or a function of what is resolved before it. Absent for groups and preset numbers. */
  readonly default?: number | boolean | string | ((d: OptionDefaults) => number);
  readonly min?: number;
  /** `min` is exclusive. */
  readonly above?: boolean;
  readonly max?: number;
  /** The upper bound is this option's resolved value. */
  readonly maxOption?: BoundingOption;
  /** Allowed values of a 'choice'. */
  readonly choices?: readonly string[];
  /** Where the value is checked, when it is not in plant-options.ts. */
  readonly checkedBy?: string;
}

type Spec = PlantOptionSpec;
const group = (name: string, doc: string, defaultDoc: string): Spec => ({ name, kind: 'group', unit: '', doc, defaultDoc });

/** The sensor spec fields, for each of the three sensors; their defaults are the sensor's defaults. */
function sensorEntries(sensor: 'o2' | 'co2' | 'temp', base: Readonly<SensorSpec>, unit: string, label: string, defaultsName: string): Spec[] {
  const p = `sensors.${sensor}`;
  return [
    group(p, `the ${label}: each field overrides the default spec`, defaultsName),
    { name: `${p}.timeConstantS`, kind: 'number', unit: 's', doc: 'first-order time constant', defaultDoc: String(base.timeConstantS), default: base.timeConstantS, min: 0 },
    { name: `${p}.noiseSd`, kind: 'number', unit, doc: 'standard deviation of the noise', defaultDoc: String(base.noiseSd), default: base.noiseSd, min: 0 },
    { name: `${p}.offset`, kind: 'number', unit, doc: 'offset of the raw reading', defaultDoc: String(base.offset), default: base.offset },
    { name: `${p}.resolution`, kind: 'number', unit, doc: 'step the reading is rounded to (0: none)', defaultDoc: String(base.resolution), default: base.resolution, min: 0 },
    { name: `${p}.rangeMin`, kind: 'number', unit, doc: 'lowest value the sensor reports', defaultDoc: String(base.rangeMin), default: base.rangeMin },
    { name: `${p}.rangeMax`, kind: 'number', unit, doc: 'highest value the sensor reports, > rangeMin', defaultDoc: String(base.rangeMax), default: base.rangeMax },
    { name: `${p}.gain`, kind: 'number', unit: '', doc: 'gain of the raw reading', defaultDoc: String(base.gain ?? 1), default: base.gain ?? 1, min: 0, above: true, max: 10 },
    { name: `${p}.driftPerDay`, kind: 'number', unit: `${unit}/d`, doc: 'drift of the offset per day', defaultDoc: String(base.driftPerDay ?? 0), default: base.driftPerDay ?? 0 },
  ];
}

/** A calibration-gas bottle's fields, checked where the bottle is made (sensors/calibration-gas-bottle.ts). */
function bottleEntries(bottle: 'zero' | 'co2Span', name: string): Spec[] {
  const p = `calibrationGas.${bottle}`;
  const checkedBy = 'sensors/calibration-gas-bottle.ts';
  return [
    { name: `${p}.name`, kind: 'text', unit: '', doc: 'what the bottle holds, for messages and reports', defaultDoc: JSON.stringify(name), default: name, checkedBy },
    { name: `${p}.waterVolumeL`, kind: 'number', unit: 'L', doc: 'water volume of the cylinder', defaultDoc: '10', default: 10, min: 0, above: true, max: 1000, checkedBy },
    { name: `${p}.fillBar`, kind: 'number', unit: 'bar', doc: 'filling pressure, > minimumBar', defaultDoc: '150', default: 150, min: 0, above: true, max: 300, checkedBy },
    { name: `${p}.minimumBar`, kind: 'number', unit: 'bar', doc: 'pressure at which the bottle counts as empty', defaultDoc: '2', default: 2, min: 0, max: 50, checkedBy },
  ];
}

/** Numbers a caller's own preset object must carry: its kinetics and its break point. */
function presetEntries(): Spec[] {
  const r = (field: string, unit: string, doc: string, range: Partial<Spec>): Spec => ({
    name: `preset.respiration.${field}`, kind: 'preset-number', unit, doc, defaultDoc: 'required', ...range,
  });
  const b = (field: string, unit: string, doc: string, range: Partial<Spec>): Spec => ({
    name: `preset.breakPoint.${field}`, kind: 'preset-number', unit, doc, defaultDoc: 'required', ...range,
  });
  return [
    r('vmO2RefMolPerKgS', 'mol kg⁻¹ s⁻¹', 'maximum O2 uptake at tRefC', { min: 0 }),
    r('eaO2JPerMol', 'J/mol', 'activation energy of the O2 uptake', { min: 0 }),
    r('vmFermRefMolPerKgS', 'mol kg⁻¹ s⁻¹', 'maximum fermentative CO2 at tRefC', { min: 0 }),
    r('eaFermJPerMol', 'J/mol', 'activation energy of fermentation', { min: 0 }),
    r('kmO2Kpa', 'kPa', 'Michaelis constant of the O2 uptake', { min: 0, above: true }),
    r('kmCo2Kpa', 'kPa', 'non-competitive CO2 inhibition constant', { min: 0, above: true }),
    r('kmFermO2Kpa', 'kPa', 'O2 inhibition constant of fermentation', { min: 0, above: true }),
    r('rqOx', '', 'respiratory quotient of the oxidative respiration', { min: 0, above: true }),
    r('tRefC', '°C', 'reference temperature of the maxima', { min: -50, max: 60 }),
    b('o2Kpa', 'kPa', 'the break point at the reference conditions', { min: 0, max: 25 }),
    b('tempC', '°C', 'temperature of the reference conditions', { min: -10, max: 40 }),
    b('co2Kpa', 'kPa', 'CO2 of the reference conditions', { min: 0, max: 25 }),
    b('driftKpaPerDay', 'kPa/d', 'drift of the break point with storage time', { min: -0.1, max: 0.1 }),
  ];
}

/** The shortest integrator sub-step a plant accepts, s. */
export const MIN_STEP_S = 0.01;

/** The default preset. */
export const DEFAULT_PRESET = 'conference-pear';

/** Conditions outside a cell unless given. */
export const DEFAULT_AMBIENT: Readonly<AmbientConditions> = Object.freeze({
  pressurePa: STANDARD_ATMOSPHERE_PA,
  tempC: 15,
  o2Fraction: AIR_O2_FRACTION,
  co2Fraction: AIR_CO2_FRACTION,
});

/**
 * The table, in the order the options are resolved (so a derived default only reads what comes before it,
 * and of several wrong options the first here is the one named).
 */
export const PLANT_OPTION_TABLE: readonly PlantOptionSpec[] = Object.freeze([
  { name: 'preset', kind: 'preset', unit: '', doc: 'preset name or preset object', defaultDoc: `'${DEFAULT_PRESET}'`, default: DEFAULT_PRESET },
  ...presetEntries(),
  {
    name: 'grossVolumeM3', kind: 'number', unit: 'm³', doc: 'gross cell volume',
    defaultDoc: "the preset's (100 m³)", default: (d) => d.preset.geometry.grossVolumeM3, min: 0, above: true, max: 100_000,
  },
  {
    name: 'freeVolumeM3', kind: 'number', unit: 'm³', doc: 'free gas volume',
    defaultDoc: "the preset's free-gas fraction × grossVolumeM3 (55 m³ of 100 m³)",
    default: (d) => d.preset.geometry.freeVolumeM3 * d.scale, min: 0, above: true, maxOption: 'grossVolumeM3',
  },
  group('ambient', 'conditions outside the cell; setAmbient changes them', 'as below'),
  { name: 'ambient.pressurePa', kind: 'number', unit: 'Pa', doc: 'barometric pressure', defaultDoc: '101325', default: DEFAULT_AMBIENT.pressurePa, min: 50_000, max: 120_000 },
  {
    name: 'ambient.tempC', kind: 'number', unit: '°C', doc: 'outside temperature',
    defaultDoc: "15 for a cell; the preset's storage temperature for a pallet (it stands in a cold room)",
    default: (d) => (d.pallet ? d.preset.storage.tempC : DEFAULT_AMBIENT.tempC), min: -40, max: 60,
  },
  { name: 'ambient.o2Fraction', kind: 'number', unit: '', doc: 'O2 mole fraction of the outside air (with co2Fraction ≤ 1)', defaultDoc: '0.2095', default: DEFAULT_AMBIENT.o2Fraction, min: 0, max: 1 },
  { name: 'ambient.co2Fraction', kind: 'number', unit: '', doc: 'CO2 mole fraction of the outside air', defaultDoc: '0.0004', default: DEFAULT_AMBIENT.co2Fraction, min: 0, max: 1 },
  {
    name: 'fruitKg', kind: 'number', unit: 'kg', doc: 'fruit mass (0 turns respiration off)',
    defaultDoc: "the preset's fill per gross volume × grossVolumeM3 (25 000 kg in 100 m³)",
    default: (d) => d.preset.geometry.fruitKg * d.scale, min: 0, max: 5_000_000,
  },
  {
    name: 'breatherBagM3', kind: 'number', unit: 'm³', doc: 'capacity of the breather bag (the pressure-decay test sets 0)',
    defaultDoc: '1 % of the gross volume for a cell, 5 % for a pallet cover or container [E]',
    default: (d) => (d.pallet ? 0.05 : 0.01) * d.grossVolumeM3, min: 0, maxOption: 'freeVolumeM3',
  },
  { name: 'reliefValveOpeningPa', kind: 'number', unit: 'Pa', doc: 'relief valve opening pressure, both ways', defaultDoc: '200 [E]', default: 200, min: 0, above: true, max: 20_000 },
  {
    name: 'tempC', kind: 'number', unit: '°C', doc: 'cooling setpoint, and the air and fruit temperature at the start',
    defaultDoc: "the preset's storage temperature (−1 °C for the pear)", default: (d) => d.preset.storage.tempC, min: -10, max: 40,
  },
  {
    name: 'leakAreaCm2', kind: 'number', unit: 'cm²', doc: 'effective leak area (0: perfectly tight)',
    defaultDoc: "the preset's leak per gross volume × grossVolumeM3 (0.10 cm² per 100 m³, the DCA limit)",
    default: (d) => d.preset.geometry.leakAreaCm2 * d.scale, min: 0, max: 10_000,
  },
  { name: 'leakCd', kind: 'number', unit: '', doc: 'discharge coefficient of the leak', defaultDoc: "the preset's (0.61)", default: (d) => d.preset.geometry.leakCd, min: 0, above: true, max: 1 },
  { name: 'leakLaminarBelowPa', kind: 'number', unit: 'Pa', doc: 'the leak flow is linear in Δp below this', defaultDoc: '1', default: 1, min: 0, above: true, max: 100 },
  { name: 'n2FlowNm3PerH', kind: 'number', unit: 'Nm³/h', doc: 'N2 generator flow when the N2 valve is open', defaultDoc: '30', default: 30, min: 0, max: 10_000 },
  { name: 'n2PurityFraction', kind: 'number', unit: '', doc: "N2 fraction of the generator's product (rest O2)", defaultDoc: '0.97', default: 0.97, min: 0.5, max: 1 },
  { name: 'airFlowM3PerH', kind: 'number', unit: 'm³/h', doc: 'fresh-air flow when the air valve is open, of ambient air', defaultDoc: '50', default: 50, min: 0, max: 100_000 },
  { name: 'scrubberFlowM3PerH', kind: 'number', unit: 'm³/h', doc: 'cell gas flow through the adsorbing scrubber bed when it runs', defaultDoc: '20', default: 20, min: 0, max: 100_000 },
  { name: 'scrubberEfficiency', kind: 'number', unit: '', doc: 'fraction of the CO2 a clean bed removes from its flow', defaultDoc: '0.9', default: 0.9, min: 0, max: 1 },
  {
    name: 'scrubberBedCapacityMol', kind: 'number', unit: 'mol', doc: 'CO2 capacity of each scrubber bed',
    defaultDoc: '0.2 mol per m³ gross [E]', default: (d) => 0.2 * d.grossVolumeM3, min: 0, above: true, max: 1e6,
  },
  {
    name: 'scrubberRegenerationPerS', kind: 'number', unit: '1/s', doc: 'regeneration rate of the idle bed',
    defaultDoc: '1/1200 (a bed is clean in about an hour) [E]', default: 1 / 1200, min: 0, above: true, max: 1,
  },
  {
    name: 'scrubberVoidM3', kind: 'number', unit: 'm³', doc: 'ambient air let into the cell at each bed switch-over',
    defaultDoc: '0.001 m³ per m³ gross [E]', default: (d) => 0.001 * d.grossVolumeM3, min: 0, max: 1000,
  },
  {
    name: 'doorAreaM2', kind: 'number', unit: 'm²', doc: 'door area',
    defaultDoc: '5 (cell: 2 × 2.5 m) or 1 (pallet: lifting the cover) [E]', default: (d) => (d.pallet ? 1 : 5), min: 0, above: true, max: 100,
  },
  {
    name: 'doorHeightM', kind: 'number', unit: 'm', doc: 'door height',
    defaultDoc: '2.5 (cell) or 1 (pallet) [E]', default: (d) => (d.pallet ? 1 : 2.5), min: 0, above: true, max: 20,
  },
  {
    name: 'fruitHeatCapacityJPerKgK', kind: 'number', unit: 'J kg⁻¹ K⁻¹', doc: 'specific heat of the fruit',
    defaultDoc: '3800 (apples 3.81 kJ kg⁻¹ K⁻¹, ASHRAE)', default: 3800, min: 0, above: true, max: 10_000,
  },
  {
    name: 'fruitAirConductanceWPerKgK', kind: 'number', unit: 'W kg⁻¹ K⁻¹', doc: 'fruit-to-air conductance per kg of fruit',
    defaultDoc: '0.15 [E]', default: 0.15, min: 0, above: true, max: 10,
  },
  {
    name: 'airNodeHeatCapacityJPerK', kind: 'number', unit: 'J/K', doc: 'heat capacity of the air node',
    defaultDoc: '10 kJ K⁻¹ per m³ gross [E]', default: (d) => 10_000 * d.grossVolumeM3, min: 0, above: true, max: 1e10,
  },
  { name: 'coolingCop', kind: 'number', unit: '', doc: 'coefficient of performance of the cooling unit', defaultDoc: '2.5 [E]', default: 2.5, min: 0, above: true, max: 20 },
  { name: 'coolingBandK', kind: 'number', unit: 'K', doc: 'thermostat hysteresis half-width', defaultDoc: '0.3 [E]', default: 0.3, min: 0, above: true, max: 10 },
  {
    name: 'co2DissolutionTimeConstantS', kind: 'number', unit: 's', doc: 'time constant of CO2 exchange between gas and fruit',
    defaultDoc: '7200 [E]', default: 7200, min: 0, above: true, max: 1e7,
  },
  {
    name: 'ethanolClearancePerS', kind: 'number', unit: '1/s', doc: 'ethanol clearance from the fruit',
    defaultDoc: 'ln 2 / 3 days [E]', default: ETHANOL_CLEARANCE_PER_S, min: 0, max: 1,
  },
  {
    name: 'wallConductanceWPerK', kind: 'number', unit: 'W/K', doc: 'wall conductance UA',
    defaultDoc: '0.35 W K⁻¹ per m³ gross (cell) or 10 (pallet film) [E]', default: (d) => (d.pallet ? 10 : 0.35 * d.grossVolumeM3), min: 0, max: 1e6,
  },
  {
    name: 'fanPowerW', kind: 'number', unit: 'W', doc: 'fan power into the cell air',
    defaultDoc: '2 W per m³ gross (cell, storage speed) or 10 W (pallet unit) [E]', default: (d) => (d.pallet ? 10 : 2 * d.grossVolumeM3), min: 0, max: 1e6,
  },
  {
    name: 'coolingCapacityW', kind: 'number', unit: 'W', doc: 'cooling capacity',
    defaultDoc: 'a cell: 120 W per t of fruit plus twice the wall and fan load at 25 K (8.7 kW for the 40 t apple room) [E]; a pallet cover: 0 (it sits in a cold room)',
    default: (d) => (d.pallet ? 0 : 0.12 * d.fruitKg + 2 * (d.wallConductanceWPerK * 25 + d.fanPowerW)), min: 0, max: 1e7,
  },
  group('initial', 'the free gas and the fruit when the run starts', 'ambient air at ambient pressure'),
  {
    name: 'initial.fruitTempC', kind: 'number', unit: '°C', doc: 'fruit temperature',
    defaultDoc: 'the cell temperature tempC (the fruit is cooled already)', default: (d) => d.tempC, min: -10, max: 40,
  },
  { name: 'initial.firmnessN', kind: 'number', unit: 'N', doc: 'flesh firmness', defaultDoc: '70 [E]', default: DEFAULT_INITIAL_FIRMNESS_N, min: 0, max: 200 },
  { name: 'initial.gaugePressurePa', kind: 'number', unit: 'Pa', doc: 'cell pressure relative to ambient', defaultDoc: '0', default: 0, min: -10_000, max: 10_000 },
  {
    name: 'initial.o2Kpa', kind: 'number', unit: 'kPa', doc: 'O2 partial pressure (with co2Kpa ≤ the absolute pressure)',
    defaultDoc: 'the ambient O2 fraction at the starting pressure (≈ 21.2 kPa)', default: (d) => d.ambient.o2Fraction * d.absoluteKpa, min: 0,
  },
  {
    name: 'initial.co2Kpa', kind: 'number', unit: 'kPa', doc: 'CO2 partial pressure',
    defaultDoc: 'the ambient CO2 fraction at the starting pressure (≈ 0.04 kPa)', default: (d) => d.ambient.co2Fraction * d.absoluteKpa, min: 0,
  },
  { name: 'seed', kind: 'integer', unit: '', doc: 'seed of the sensor noise', defaultDoc: '1', default: 1 },
  {
    name: 'integrator', kind: 'choice', unit: '', doc: "fixed-step 'rk4' or the adaptive Dormand–Prince 5(4) 'dopri5' (engine/dopri5.ts)",
    defaultDoc: "'rk4' for a cell preset, 'dopri5' for a pallet preset", choices: ['rk4', 'dopri5'],
  },
  group('actuators', 'actuators at the start; setActuators switches them', 'all off'),
  { name: 'actuators.n2', kind: 'boolean', unit: '', doc: 'N2 inlet valve open', defaultDoc: 'false', default: false },
  { name: 'actuators.air', kind: 'boolean', unit: '', doc: 'fresh-air valve open', defaultDoc: 'false', default: false },
  { name: 'actuators.scrub', kind: 'boolean', unit: '', doc: 'CO2 scrubber running', defaultDoc: 'false', default: false },
  { name: 'actuators.door', kind: 'boolean', unit: '', doc: 'door (or cover) open', defaultDoc: 'false', default: false },
  {
    name: 'maxStepS', kind: 'number', unit: 's', doc: 'longest integrator sub-step (under RK4 also at most half the fastest time constant)',
    defaultDoc: '10', default: 10, min: MIN_STEP_S, max: 3600,
  },
  {
    name: 'storageDayAtStart', kind: 'number', unit: 'd', doc: "days in storage when the run starts (the break point's drift)",
    defaultDoc: '0', default: 0, min: 0, max: 1000,
  },
  group('sensors', 'sensor models', 'as below'),
  ...sensorEntries('o2', O2_SENSOR_DEFAULTS, 'kPa', 'O2 analyser', 'O2_SENSOR_DEFAULTS: τ 15 s, σ 0.005 kPa, resolution 0.01 kPa, 0–25 kPa'),
  ...sensorEntries('co2', CO2_SENSOR_DEFAULTS, 'kPa', 'CO2 analyser', 'CO2_SENSOR_DEFAULTS: τ 20 s, σ 0.01 kPa, resolution 0.01 kPa, 0–20 kPa'),
  ...sensorEntries('temp', TEMPERATURE_SENSOR_DEFAULTS, '°C', 'temperature probe', 'TEMPERATURE_SENSOR_DEFAULTS: τ 60 s, σ 0.02 °C, resolution 0.01 °C'),
  group('calibrationGas', 'the calibration-gas bottles calibrateFromBottles draws from', 'as below'),
  group('calibrationGas.zero', 'the zero gas, N2', '"zero N2", 10 L at 150 bar, empty at 2 bar'),
  ...bottleEntries('zero', 'zero N2'),
  group('calibrationGas.co2Span', 'the CO2 span gas, CO2 in N2', '"CO2 span", 10 L at 150 bar, empty at 2 bar'),
  ...bottleEntries('co2Span', 'CO2 span'),
  {
    name: 'calibrationGas.co2Span.co2Fraction', kind: 'number', unit: '', doc: "CO2 mole fraction of the span gas (DOMAIN.md §6: span at 50–80 % of full scale)",
    defaultDoc: "0.12 (12 kPa at normal pressure, 60 % of the analyser's 20 kPa range)", default: 0.12, min: 0, above: true, max: 1,
  },
  {
    name: 'calibrationGas.litresPerFlush', kind: 'number', unit: 'NL', doc: "normal litres one flush takes from a bottle: the analyser's sample flow × its flush time",
    defaultDoc: '1.5 (0.5 L/min for 3 min [E])', default: 1.5, min: 0, max: 100,
  },
] satisfies PlantOptionSpec[]);

const BY_NAME = new Map(PLANT_OPTION_TABLE.map((spec) => [spec.name, spec]));

/** The entry of `name`; throws for a name the table does not hold (a typo in the simulator's own code). */
export function plantOption(name: string): PlantOptionSpec {
  const spec = BY_NAME.get(name);
  if (spec === undefined) throw new Error(`plant option table has no "${name}"`);
  return spec;
}

/** The option names directly below `groupName` ('' for the top level), in the table's order. */
export function optionKeysOf(groupName: string): readonly string[] {
  const prefix = groupName === '' ? '' : `${groupName}.`;
  const keys: string[] = [];
  for (const spec of PLANT_OPTION_TABLE) {
    if (spec.kind === 'preset-number' || !spec.name.startsWith(prefix)) continue;
    const rest = spec.name.slice(prefix.length);
    if (rest.length > 0 && !rest.includes('.')) keys.push(rest);
  }
  return keys;
}

/** The range of a numeric entry in words, as messages give it: `> 0 and ≤ 100000`; '' without one. */
export function rangeText(spec: PlantOptionSpec, maxLabel?: string): string {
  const parts: string[] = [];
  if (spec.min !== undefined) parts.push(`${spec.above ? '>' : '≥'} ${spec.min}`);
  if (spec.max !== undefined || maxLabel !== undefined) parts.push(`≤ ${maxLabel ?? spec.max}`);
  else if (spec.maxOption !== undefined) parts.push(`≤ ${spec.maxOption}`);
  return parts.join(' and ');
}
