/**
 * A measuring chain as physics: the sensor sees the true value through a first-order lag (the sampling
 * line and the cell's own response), has a gain (span) error, an offset and an offset that drifts with
 * time, adds white gaussian noise, goes through its calibration (sensor-calibration.ts), then rounds to
 * its resolution and clips to its range. Faults switched at run time act on the reading (sensor-fault.ts).
 * Values are in the unit of the measured quantity (kPa for gas, °C for temperature); gas-sensor.ts and
 * temperature-sensor.ts give the defaults per kind.
 *
 *     τ · dy/dt = x − y            lag; exact step for x constant over dt: y += (x − y)·(1 − e^(−dt/τ))
 *     raw      = gain · y + offset + drift · t_days + σ·N(0,1)
 *     reading  = clip(round(calibrated(raw) / res) · res, min, max)        (or the fault's value)
 *
 * Noise (and a spike fault's dice) are drawn when a reading is taken, from the sensor's own seeded stream;
 * t is the sensor's own age, the sum of the `dtS` it was updated with.
 */
import type { Random } from '../engine/random.js';
import { calibrated, calibrationSlope, IDENTITY_CALIBRATION, type SensorCalibration } from './sensor-calibration.js';
import { applyFault, type ActiveFault, type SensorFault } from './sensor-fault.js';

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
  /** Gain (span) of the sensor: 1 reads true, 1.02 reads 2 % high. Default 1. */
  gain?: number;
  /** Drift of the offset, units per day of sensor age. Default 0. */
  driftPerDay?: number;
}

/** One step of the lag: the filtered value after `dtS` with the input held at `input`. */
export function lagStep(filtered: number, input: number, dtS: number, timeConstantS: number): number {
  if (timeConstantS <= 0) return input;
  return filtered + (input - filtered) * -Math.expm1(-dtS / timeConstantS);
}

/**
 * 1/resolution when it is a whole number (a decimal resolution: 0.01, 0.1, ...), else 0. `quantize`'s fast
 * path; a sensor computes it once instead of on every reading.
 */
export function decimalInverse(resolution: number): number {
  if (resolution <= 0) return 0;
  const inverse = 1 / resolution;
  return Number.isInteger(inverse) ? inverse : 0;
}

/**
 * Rounds to a multiple of `resolution` (0: unchanged), without binary leftovers such as 0.30000000000000004.
 * `inverse` is `decimalInverse(resolution)`, for callers that keep it.
 */
export function quantize(value: number, resolution: number, inverse = decimalInverse(resolution)): number {
  if (resolution <= 0) return value;
  // For decimal resolutions dividing by the integer 1/resolution gives the shortest decimal directly
  // (30 / 100 is 0.3); the string round trip is the fallback for the others.
  if (inverse > 0) return Math.round(value * inverse) / inverse;
  return Number.parseFloat((Math.round(value / resolution) * resolution).toPrecision(12));
}

/** Rounds to the resolution and clips to the range; `inverse` as for `quantize`. */
function finish(spec: SensorSpec, value: number, inverse = decimalInverse(spec.resolution)): number {
  return Math.min(spec.rangeMax, Math.max(spec.rangeMin, quantize(value, spec.resolution, inverse)));
}

/** The raw value (before calibration) for a filtered value, sensor age and noise sample of unit variance. */
export function sensorRaw(spec: SensorSpec, filtered: number, ageS: number, unitNoise: number): number {
  return (spec.gain ?? 1) * filtered + spec.offset + ((spec.driftPerDay ?? 0) * ageS) / 86_400 + spec.noiseSd * unitNoise;
}

/** The reading for a filtered value and a noise sample of unit variance (no drift, no calibration). Pure. */
export function sensorReading(spec: SensorSpec, filtered: number, unitNoise: number): number {
  return finish(spec, sensorRaw(spec, filtered, 0, unitNoise));
}

export interface FirstOrderSensor {
  readonly spec: Readonly<SensorSpec>;
  /** The lagged true value, before gain, offset, drift, noise and rounding. */
  readonly filtered: number;
  /** Sensor age: the time it has been updated for, s. */
  readonly ageS: number;
  /** The fault in force, or null. */
  readonly fault: SensorFault | null;
  /** The calibration in force. */
  readonly calibration: Readonly<SensorCalibration>;
  /** Lets `dtS` seconds pass with the true value at `trueValue`. */
  update(trueValue: number, dtS: number): void;
  /** Takes a reading (draws noise); null while a dropout fault is in force. */
  read(): number | null;
  /** Switches a fault on (replacing any other) or off (null), from now on. */
  setFault(fault: SensorFault | null): void;
  /**
   * Two-point calibration: the analyser is flushed with the zero gas, then the span gas (values in the
   * sensor's unit), `samples` raw readings of each are averaged, and the correction is stored. The cell
   * gas in the lag is left as it was (the calibration gases go in through their own port). Returns it.
   */
  calibrate(zero: number, span: number, samples?: number): Readonly<SensorCalibration>;
}

/** A sensor that has settled at `initialValue`. */
export function createFirstOrderSensor(spec: SensorSpec, random: Random, initialValue: number): FirstOrderSensor {
  // Every field present, so that every sensor's spec has the same shape (one shape for the JIT).
  const frozen: Readonly<SensorSpec> = Object.freeze({ ...spec, gain: spec.gain ?? 1, driftPerDay: spec.driftPerDay ?? 0 });
  // Numbers that change on every update live in a typed array: no allocation per update.
  const numbers = new Float64Array([initialValue, 0, NaN, 0]); // filtered, age, last dt, lag factor
  let calibration: Readonly<SensorCalibration> = IDENTITY_CALIBRATION;
  let active: ActiveFault | null = null;
  let lastReading: number | null = null;
  // A reading is taken every control tick, a million times a season: what `finish` and `calibrated`
  // would recompute on every call is computed here once (and again on each calibration).
  const inverseResolution = decimalInverse(frozen.resolution);
  let slope = 1;

  const finishReading = (value: number): number => finish(frozen, value, inverseResolution);

  function healthy(): number {
    const noise = frozen.noiseSd > 0 ? random.gaussian() : 0;
    const raw = sensorRaw(frozen, numbers[0]!, numbers[1]!, noise);
    return calibrated(calibration, raw, slope);
  }

  return {
    spec: frozen,
    get filtered() {
      return numbers[0]!;
    },
    get ageS() {
      return numbers[1]!;
    },
    get fault() {
      return active === null ? null : active.fault;
    },
    get calibration() {
      return calibration;
    },
    update(trueValue: number, dtS: number): void {
      numbers[1] = numbers[1]! + dtS;
      if (frozen.timeConstantS <= 0) {
        numbers[0] = trueValue;
        return;
      }
      if (dtS !== numbers[2]) {
        numbers[2] = dtS;
        numbers[3] = -Math.expm1(-dtS / frozen.timeConstantS);
      }
      numbers[0] = numbers[0]! + (trueValue - numbers[0]!) * numbers[3]!;
    },
    read(): number | null {
      const value = healthy();
      if (active === null) {
        lastReading = finishReading(value);
        return lastReading;
      }
      const uniform = active.fault.kind === 'spike' ? random.next() : 0;
      const sign = active.fault.kind === 'spike' && random.next() < 0.5 ? -1 : 1;
      const faulty = applyFault(active, numbers[1]!, value, uniform, sign);
      lastReading = faulty === null ? null : active.fault.kind === 'stuck' ? faulty : finishReading(faulty);
      return lastReading;
    },
    setFault(fault: SensorFault | null): void {
      if (fault === null) {
        active = null;
        return;
      }
      // A stuck sensor keeps what it last showed (a fresh reading if it has shown none yet).
      const frozenReading = lastReading ?? finishReading(healthy());
      active = { fault: { ...fault }, sinceS: numbers[1]!, frozenReading };
    },
    calibrate(zero: number, span: number, samples = 10): Readonly<SensorCalibration> {
      const mean = (value: number): number => {
        let sum = 0;
        for (let i = 0; i < samples; i++) {
          sum += sensorRaw(frozen, value, numbers[1]!, frozen.noiseSd > 0 ? random.gaussian() : 0);
        }
        return sum / samples;
      };
      const rawZero = mean(zero);
      const rawSpan = mean(span);
      calibration = Object.freeze({ rawZero, rawSpan, zero, span });
      slope = calibrationSlope(calibration);
      return calibration;
    },
  };
}
