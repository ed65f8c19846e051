/**
 * Gas analysers of a DCA cell, O2 and CO2, as first-order sensors (first-order-sensor.ts) in kPa.
 * DOMAIN.md §4/§6: O2 by zirconia, paramagnetic or electrochemical cell, CO2 by NDIR; an RQ measurement
 * needs ≤ 0.01–0.02 kPa resolution. The figures below are [E], to be tuned against a real analyser.
 */
import type { Random } from '../engine/random.js';
import { createFirstOrderSensor, type FirstOrderSensor, type SensorSpec } from './first-order-sensor.js';

/**
 * O2 analyser, values in kPa: τ 15 s, σ 0.005 kPa, resolution 0.01 kPa, no offset, gain 1, range 0–25 kPa,
 * offset drift 0.0005 kPa per day (0.015 kPa a month: why DCA analysers are calibrated often) [E].
 */
export const O2_SENSOR_DEFAULTS: Readonly<SensorSpec> = Object.freeze({
  timeConstantS: 15,
  noiseSd: 0.005,
  offset: 0,
  resolution: 0.01,
  rangeMin: 0,
  rangeMax: 25,
  gain: 1,
  driftPerDay: 0.0005,
});

/**
 * NDIR CO2 analyser, values in kPa: τ 20 s, σ 0.01 kPa, resolution 0.01 kPa, no offset, gain 1, range
 * 0–20 kPa, offset drift 0.001 kPa per day [E].
 */
export const CO2_SENSOR_DEFAULTS: Readonly<SensorSpec> = Object.freeze({
  timeConstantS: 20,
  noiseSd: 0.01,
  offset: 0,
  resolution: 0.01,
  rangeMin: 0,
  rangeMax: 20,
  gain: 1,
  driftPerDay: 0.001,
});

/** A gas sensor settled at `initialKpa`; `spec` in kPa. */
export function createGasSensor(spec: SensorSpec, random: Random, initialKpa: number): FirstOrderSensor {
  return createFirstOrderSensor(spec, random, initialKpa);
}
