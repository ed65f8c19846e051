/**
 * A cell's own sensors: the O2 and CO2 analysers and the air temperature probe, each a first-order sensor
 * (sensors/first-order-sensor.ts) with its own seeded noise stream (`deriveSeed(seed, 'o2')`, `'co2'`,
 * `'temp'`). The plant lets them see the state after every sub-step and reads them on demand.
 */
import { createRandom, deriveSeed } from '../engine/random.js';
import { freeGasPressurePa } from '../model/cell.js';
import { CellStateIndex, CO2, O2 } from '../model/cell-state.js';
import type { FirstOrderSensor, SensorSpec } from '../sensors/first-order-sensor.js';
import { createGasSensor } from '../sensors/gas-sensor.js';
import { createTemperatureSensor } from '../sensors/temperature-sensor.js';
import { SimulatorError } from '../simulator-error.js';

const GAS = CellStateIndex.gas;
const AIR_TEMP = CellStateIndex.airTempC;

/** What the sensors report; null: no reading (a dropout fault). */
export interface SensorValues {
  /** O2 analyser reading, kPa. */
  o2Kpa: number | null;
  /** CO2 analyser reading, kPa. */
  co2Kpa: number | null;
  /** Temperature probe reading (cell air), °C. */
  tempC: number | null;
}

/** What the sensors report, with the plant time they were taken at. */
export interface SensorReadings extends SensorValues {
  /** Plant time of the reading, s since the start of the run. */
  timeS: number;
}

/** The cell's own sensors, by name. */
export type CellSensorName = 'o2' | 'co2' | 'temp';

export interface CellSensors {
  readonly o2: FirstOrderSensor;
  readonly co2: FirstOrderSensor;
  readonly temp: FirstOrderSensor;
  /** The sensor `name`; throws SIM_ERR_INVALID_OPTION for another name. */
  named(name: CellSensorName): FirstOrderSensor;
  /** Lets the sensors see `hS` of `state`, its free gas at `volumeM3`: partial pressures from the moles. */
  update(state: Float64Array, volumeM3: number, hS: number): void;
  /** Reads the three (draws fresh noise), stamped `timeS`. */
  read(timeS: number): SensorReadings;
}

/** The three sensors of their `specs`, noise from `seed`, starting at the given values. */
export function createCellSensors(
  specs: { o2: SensorSpec; co2: SensorSpec; temp: SensorSpec },
  seed: number,
  start: { o2Kpa: number; co2Kpa: number; tempC: number },
): CellSensors {
  const o2 = createGasSensor(specs.o2, createRandom(deriveSeed(seed, 'o2')), start.o2Kpa);
  const co2 = createGasSensor(specs.co2, createRandom(deriveSeed(seed, 'co2')), start.co2Kpa);
  const temp = createTemperatureSensor(specs.temp, createRandom(deriveSeed(seed, 'temp')), start.tempC);
  return {
    o2,
    co2,
    temp,
    named(name: CellSensorName): FirstOrderSensor {
      if (name === 'o2') return o2;
      if (name === 'co2') return co2;
      if (name === 'temp') return temp;
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"sensor" must be "o2", "co2" or "temp": ${JSON.stringify(name)}`);
    },
    update(state: Float64Array, volumeM3: number, hS: number): void {
      const airTempC = state[AIR_TEMP]!;
      const kpaPerMol = freeGasPressurePa(1, volumeM3, airTempC) / 1000;
      o2.update(state[GAS + O2]! * kpaPerMol, hS);
      co2.update(state[GAS + CO2]! * kpaPerMol, hS);
      temp.update(airTempC, hS);
    },
    read(timeS: number): SensorReadings {
      return { timeS, o2Kpa: o2.read(), co2Kpa: co2.read(), tempC: temp.read() };
    },
  };
}
