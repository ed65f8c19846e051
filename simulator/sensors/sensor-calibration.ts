/**
 * Two-point calibration of an analyser against calibration gases: zero with N2 (0 kPa O2, 0 kPa CO2), span
 * with a gas at 50–80 % of full scale (DOMAIN.md §6 [S]). The analyser is flushed with each gas, its raw
 * readings are averaged, and a linear correction is stored so that it reads the two gases right:
 *
 *     corrected = zero + (raw − raw_zero) · (span − zero) / (raw_span − raw_zero)
 *
 * It removes the offset, the gain error and the drift accumulated so far; drift afterwards builds up again
 * from the calibration on. The correction is pure data (`SensorCalibration`), applied on every reading.
 */

export interface SensorCalibration {
  /** Raw reading at the zero gas. */
  rawZero: number;
  /** Raw reading at the span gas. */
  rawSpan: number;
  /** The zero gas's value. */
  zero: number;
  /** The span gas's value. */
  span: number;
}

/** No correction: corrected = raw. */
export const IDENTITY_CALIBRATION: Readonly<SensorCalibration> = Object.freeze({ rawZero: 0, rawSpan: 1, zero: 0, span: 1 });

/** The correction's slope, (span − zero) / (raw_span − raw_zero). */
export function calibrationSlope(cal: Readonly<SensorCalibration>): number {
  return (cal.span - cal.zero) / (cal.rawSpan - cal.rawZero);
}

/**
 * Applies a calibration to a raw value. `slope` is `calibrationSlope(cal)`, for callers that keep it
 * between readings.
 */
export function calibrated(cal: Readonly<SensorCalibration>, raw: number, slope = calibrationSlope(cal)): number {
  return cal.zero + (raw - cal.rawZero) * slope;
}
