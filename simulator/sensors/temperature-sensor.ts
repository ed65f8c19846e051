/**
 * The cell's temperature probe (a Pt100 in the cell air) as a first-order sensor (first-order-sensor.ts)
 * in °C. The figures are [E].
 */
import type { Random } from '../engine/random.js';
import { createFirstOrderSensor, type FirstOrderSensor, type SensorSpec } from './first-order-sensor.js';

/** Pt100 probe, values in °C: τ 60 s, σ 0.02 °C, resolution 0.01 °C, no offset, range −40 to 60 °C. */
export const TEMPERATURE_SENSOR_DEFAULTS: Readonly<SensorSpec> = Object.freeze({
  timeConstantS: 60,
  noiseSd: 0.02,
  offset: 0,
  resolution: 0.01,
  rangeMin: -40,
  rangeMax: 60,
});

/** A temperature sensor settled at `initialC`; `spec` in °C. */
export function createTemperatureSensor(spec: SensorSpec, random: Random, initialC: number): FirstOrderSensor {
  return createFirstOrderSensor(spec, random, initialC);
}
