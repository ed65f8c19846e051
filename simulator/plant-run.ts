/**
 * A whole run of one plant on a virtual clock, without a real controller: what the `sim` command and the
 * benchmark do. The plant advances in control ticks (default 60 s of plant time); after each tick the
 * analysers are read (once per tick) and, with `control: 'hold'`, the regime keeper (control/regime-hold.ts) switches the
 * actuators for the next tick — a discrete event between steps. A row is recorded every `recordEveryS`.
 *
 * Weather (model/barometric-weather.ts) moves the ambient pressure and temperature every tick, so the
 * leaks, the breather bag and the relief valve see barometric swings.
 *
 * Deterministic: no wall clock, noise from the seed only; the same options give the same rows, bit for bit.
 */
import { createCellPlant, type CellPlant, type SensorReadings } from './cell-plant.js';
import { regimeHoldActuators } from './control/regime-hold.js';
import type { CellPlantOptions } from './plant-options.js';
import { invalidOption } from './simulator-error.js';
import { createRandom, deriveSeed } from './engine/random.js';
import { createWeatherParams, weatherPressurePa, weatherTempC } from './model/barometric-weather.js';

export interface PlantRunOptions {
  /** The plant (preset, seed, leak, temperature, RK4 step ...). Default: the plant defaults. */
  plant?: CellPlantOptions;
  /** Length of the run, days, > 0 and ≤ 1000. Required. */
  days: number;
  /** Plant time between recorded rows, s; a multiple of `tickS`, ≤ 1 day. Default 3600. */
  recordEveryS?: number;
  /** Plant time between control decisions (analyser reads), s, > 0 and ≤ 3600. Default 60. */
  tickS?: number;
  /** 'hold': keep the preset's storage regime with the on/off keeper; 'none': actuators stay as set. Default 'hold'. */
  control?: 'hold' | 'none';
  /**
   * O2 band the keeper holds, kPa, instead of the preset's storage regime (e.g. a DCA band just above the
   * break point, to compare with a ULO control lot). Default: the preset's `storage.o2Kpa`.
   */
  o2Kpa?: readonly [low: number, high: number];
  /**
   * Weather: ambient pressure and temperature follow model/barometric-weather.ts (seeded from the plant's
   * seed), updated every 5 minutes of plant time (at most ≈ 5 Pa and 0.07 K per update). Default true;
   * false keeps the ambient as the plant options set it.
   */
  weather?: boolean;
}

/** One recorded row: the truth, the sensors and the actuators at `timeS`. */
export interface PlantRunRow {
  timeS: number;
  /** True O2 and CO2 in the free gas, kPa. */
  o2Kpa: number;
  co2Kpa: number;
  /** Gauge pressure of the cell, Pa. */
  pressurePa: number;
  tempC: number;
  /** Fruit RQ; null without fruit or under anoxia. */
  rq: number | null;
  /** What the analysers read, kPa; null while a dropout fault is in force. */
  o2SensorKpa: number | null;
  co2SensorKpa: number | null;
  n2: boolean;
  air: boolean;
  scrub: boolean;
  /** Fruit temperature, °C. */
  fruitTempC: number;
  /** Ambient pressure, Pa. */
  ambientPressurePa: number;
  /** Gas in the breather bag, m³. */
  bagVolumeM3: number;
  /** Ethanol in the fruit, mg/kg. */
  ethanolMgPerKg: number;
  /** Flesh firmness, N. */
  firmnessN: number;
  /** Low-O2 injury index. */
  injuryIndex: number;
  /** Cooling and fan electric energy since the start, kWh. */
  energyKWh: number;
  /** Respiration heat since the start, kWh. */
  respirationHeatKWh: number;
}

export interface PlantRunSummary {
  /** Integrator sub-steps taken (accepted). */
  integratorSteps: number;
  /** Sub-steps the adaptive integrator rejected (0 under RK4). */
  rejectedSteps: number;
  /** Rows recorded (including the one at t = 0). */
  rows: number;
  /** The plant at the end of the run. */
  plant: CellPlant;
}

/** Plant time between weather updates, s. */
const WEATHER_PERIOD_S = 300;


function rowOf(plant: CellPlant, s: SensorReadings): PlantRunRow {
  const t = plant.truth();
  const a = plant.actuators;
  return {
    timeS: t.timeS,
    o2Kpa: t.o2Kpa,
    co2Kpa: t.co2Kpa,
    pressurePa: t.pressurePa,
    tempC: t.tempC,
    rq: Number.isFinite(t.rq) ? t.rq : null,
    o2SensorKpa: s.o2Kpa,
    co2SensorKpa: s.co2Kpa,
    n2: a.n2,
    air: a.air,
    scrub: a.scrub,
    fruitTempC: t.fruitTempC,
    ambientPressurePa: plant.ambient.pressurePa,
    bagVolumeM3: t.bagVolumeM3,
    ethanolMgPerKg: t.ethanolMgPerKg,
    firmnessN: t.firmnessN,
    injuryIndex: t.injuryIndex,
    energyKWh: t.coolingEnergyKWh,
    respirationHeatKWh: t.respirationHeatKWh,
  };
}

/** Runs the plant for `days`, calling `onRow` for every recorded row, in time order. */
export function runPlant(options: PlantRunOptions, onRow: (row: PlantRunRow) => void = () => undefined): PlantRunSummary {
  const { days } = options;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0 || days > 1000) {
    throw invalidOption(`"days" must be a finite number > 0 and ≤ 1000: ${String(days)}`);
  }
  const tickS = options.tickS ?? 60;
  if (!Number.isFinite(tickS) || tickS <= 0 || tickS > 3600) throw invalidOption(`"tickS" must be a finite number > 0 and ≤ 3600: ${tickS}`);
  const recordEveryS = options.recordEveryS ?? 3600;
  const ticksPerRow = Math.round(recordEveryS / tickS);
  if (!Number.isFinite(recordEveryS) || ticksPerRow < 1 || Math.abs(ticksPerRow * tickS - recordEveryS) > 1e-9 || recordEveryS > 86_400) {
    throw invalidOption(`"recordEveryS" must be a multiple of tickS (${tickS}) and ≤ 86400: ${recordEveryS}`);
  }
  const control = options.control ?? 'hold';
  if (control !== 'hold' && control !== 'none') throw invalidOption(`"control" must be "hold" or "none": ${String(control)}`);

  const plant = createCellPlant(options.plant);
  const targets = { o2Kpa: options.o2Kpa ?? plant.preset.storage.o2Kpa, co2KpaMax: plant.preset.storage.co2KpaMax };
  const [low, high] = targets.o2Kpa;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low >= 0 && high > low && high <= 25)) {
    throw invalidOption(`"o2Kpa" must be [low, high] with 0 ≤ low < high ≤ 25: [${String(low)}, ${String(high)}]`);
  }
  const start = plant.ambient;
  const weather =
    options.weather === false
      ? undefined
      : createWeatherParams(createRandom(deriveSeed(options.plant?.seed ?? 1, 'weather')), start.pressurePa, start.tempC);
  const applyWeather = (tS: number): void => {
    if (weather) plant.setAmbient({ pressurePa: weatherPressurePa(weather, tS), tempC: weatherTempC(weather, tS) });
  };
  applyWeather(0);
  let nextWeatherS = WEATHER_PERIOD_S;
  const totalTicks = Math.round((days * 86_400) / tickS);
  let rows = 0;
  // One analyser reading per tick serves both the keeper and the record, so the noise drawn (and hence
  // the run) does not depend on how often rows are recorded.
  onRow(rowOf(plant, plant.readSensors()));
  rows++;
  // The keeper is the only one to switch the actuators during the run, so it keeps their state itself
  // (instead of copying them out of the plant every tick).
  let actuators = plant.actuators;
  for (let tick = 1; tick <= totalTicks; tick++) {
    plant.step(tickS);
    if (plant.timeS >= nextWeatherS) {
      applyWeather(plant.timeS);
      nextWeatherS += WEATHER_PERIOD_S;
    }
    const reading = plant.readSensors();
    // The keeper decides on readings; without one (a dropout) it leaves the actuators as they are.
    if (control === 'hold' && reading.o2Kpa !== null && reading.co2Kpa !== null) {
      const next = regimeHoldActuators(targets, reading.o2Kpa, reading.co2Kpa, actuators);
      if (next.n2 !== actuators.n2 || next.air !== actuators.air || next.scrub !== actuators.scrub) {
        plant.setActuators(next);
        actuators = next;
      }
    }
    if (tick % ticksPerRow === 0) {
      onRow(rowOf(plant, reading));
      rows++;
    }
  }
  return { integratorSteps: plant.integratorSteps, rejectedSteps: plant.rejectedSteps, rows, plant };
}
