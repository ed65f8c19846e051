/**
 * What a reading can physically be. A board, a broken sensor or a noisy wire can send a value no cell can
 * hold (O2 = 999 kPa, a negative CO2, 1e20 °C) or a board time far in the bridge's future; such a reading is
 * stored as it came, flagged, counted, and never used as real by the alarms or a controller.
 *
 * Limits: O2 0–25 kPa (air is 21.2 kPa at sea level; a pressurised cell does not reach 25), CO2 0–100 kPa
 * (all of the atmosphere), temperature −40…+60 °C (the operating range of storage-room sensors and of the
 * boards themselves).
 */

import type { ReadingFlag } from '../events.js';

export const O2_RANGE_KPA = { min: 0, max: 25 } as const;
export const CO2_RANGE_KPA = { min: 0, max: 100 } as const;
export const TEMP_RANGE_C = { min: -40, max: 60 } as const;
/** How far ahead of the bridge's clock a reading's time may be (clock jitter, the handshake's offset). Default 60 s. */
export const DEFAULT_FUTURE_TOLERANCE_MS = 60_000;

function outside(value: number | null, range: { min: number; max: number }): boolean {
  return value !== null && !(value >= range.min && value <= range.max);
}

/** The flags of one reading: empty when every value is possible and its time is not in the future. */
export function readingFlags(
  r: { o2Kpa: number | null; co2Kpa: number | null; tempC: number | null; measuredAtMs: number },
  nowMs: number,
  futureToleranceMs = DEFAULT_FUTURE_TOLERANCE_MS,
): ReadingFlag[] {
  const flags: ReadingFlag[] = [];
  if (outside(r.o2Kpa, O2_RANGE_KPA)) flags.push('o2_impossible');
  if (outside(r.co2Kpa, CO2_RANGE_KPA)) flags.push('co2_impossible');
  if (outside(r.tempC, TEMP_RANGE_C)) flags.push('temp_impossible');
  if (r.measuredAtMs > nowMs + futureToleranceMs) flags.push('time_future');
  return flags;
}

/**
 * The values of a reading that may be used as real: a flagged value is unknown (null), and a reading whose
 * time is in the future is unknown altogether (its values cannot be placed in time).
 */
export function usableValues(r: { o2Kpa: number | null; co2Kpa: number | null; tempC: number | null; flags?: readonly ReadingFlag[] }): {
  o2Kpa: number | null;
  co2Kpa: number | null;
  tempC: number | null;
} {
  const f = r.flags ?? [];
  // Most readings have no flag: their values as they are, without a search per flag.
  if (f.length === 0) return { o2Kpa: r.o2Kpa, co2Kpa: r.co2Kpa, tempC: r.tempC };
  if (f.includes('time_future')) return { o2Kpa: null, co2Kpa: null, tempC: null };
  return {
    o2Kpa: f.includes('o2_impossible') ? null : r.o2Kpa,
    co2Kpa: f.includes('co2_impossible') ? null : r.co2Kpa,
    tempC: f.includes('temp_impossible') ? null : r.tempC,
  };
}
