/**
 * A measuring chain as physics: the sensor sees the true value through a first-order lag (the sampling
 * line and the cell's own response), adds an offset (calibration error) and white gaussian noise, then
 * rounds to its resolution and clips to its range. Values are in the unit of the measured quantity (kPa
 * for gas, °C for temperature); gas-sensor.ts and temperature-sensor.ts give the defaults per kind.
 *
 *     τ · dy/dt = x − y            lag; exact step for x constant over dt: y += (x − y)·(1 − e^(−dt/τ))
 *     reading = clip(round((y + offset + σ·N(0,1)) / res) · res, min, max)
 *
 * Noise is drawn when a reading is taken, from the sensor's own seeded stream. Faults (stuck, drift,
 * spikes, silence) come in a later slice as wrappers around this model.
 */
import type { Random } from '../engine/random.js';

export interface SensorSpec {
  /** Time constant of the first-order lag, s; 0 for none. */
  timeConstantS: number;
  /** Standard deviation of the noise added to each reading; 0 for none. */
  noiseSd: number;
  /** Constant offset added to each reading. */
  offset: number;
  /** Readings are multiples of this; 0 for no rounding. */
  resolution: number;
  /** Lowest reading the sensor can give. */
  rangeMin: number;
  /** Highest reading the sensor can give. */
  rangeMax: number;
}

/** One step of the lag: the filtered value after `dtS` with the input held at `input`. */
export function lagStep(filtered: number, input: number, dtS: number, timeConstantS: number): number {
  if (timeConstantS <= 0) return input;
  return filtered + (input - filtered) * -Math.expm1(-dtS / timeConstantS);
}

/** Rounds to a multiple of `resolution` (0: unchanged), without binary leftovers such as 0.30000000000000004. */
export function quantize(value: number, resolution: number): number {
  if (resolution <= 0) return value;
  return Number.parseFloat((Math.round(value / resolution) * resolution).toPrecision(12));
}

/** The reading for a filtered value and a noise sample of unit variance. Pure. */
export function sensorReading(spec: SensorSpec, filtered: number, unitNoise: number): number {
  const raw = quantize(filtered + spec.offset + spec.noiseSd * unitNoise, spec.resolution);
  return Math.min(spec.rangeMax, Math.max(spec.rangeMin, raw));
}

export interface FirstOrderSensor {
  readonly spec: Readonly<SensorSpec>;
  /** The lagged true value, before offset, noise and rounding. */
  readonly filtered: number;
  /** Lets `dtS` seconds pass with the true value at `trueValue`. */
  update(trueValue: number, dtS: number): void;
  /** Takes a reading (draws noise). */
  read(): number;
}

/** A sensor that has settled at `initialValue`. */
export function createFirstOrderSensor(spec: SensorSpec, random: Random, initialValue: number): FirstOrderSensor {
  const frozen = Object.freeze({ ...spec });
  let filtered = initialValue;
  // The lag factor 1 − e^(−dt/τ) for the last dt: a plant steps with the same dt over and over.
  let lastDtS = NaN;
  let lastFactor = 0;
  return {
    spec: frozen,
    get filtered() {
      return filtered;
    },
    update(trueValue: number, dtS: number): void {
      if (frozen.timeConstantS <= 0) {
        filtered = trueValue;
        return;
      }
      if (dtS !== lastDtS) {
        lastDtS = dtS;
        lastFactor = -Math.expm1(-dtS / frozen.timeConstantS);
      }
      filtered += (trueValue - filtered) * lastFactor;
    },
    read(): number {
      const noise = frozen.noiseSd > 0 ? random.gaussian() : 0;
      return sensorReading(frozen, filtered, noise);
    },
  };
}
