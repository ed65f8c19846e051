/**
 * Whether a cell's O2 reading can be trusted to step down on. A stale, stuck, flapping or implausible
 * sensor stops any step down and takes the cell back to ULO; so does a board the bridge reports silent or
 * lost, and the bridge's own sensor alarms (stale, calibration drift from a manual control measurement).
 *
 *  - stale: no usable reading for `staleMs` (the bridge's device state says it sooner);
 *  - stuck: the O2 value has not changed by a single digit for `stuckMs` (a live sensor with noise moves);
 *  - flapping: `flapCount` or more readings in the last hour that were missing, flagged or jumped by
 *    `jumpKpa` from the one before;
 *  - implausible: flagged by the bridge (a value outside the physically possible, a time in the future), or
 *    O2 moving faster than `maxClosedO2RateKpaPerH` while every valve is shut and the door closed.
 *
 * State is a few numbers, kept in the controller's memory across restarts.
 */

export interface SensorHealthSettings {
  staleMs: number;
  stuckMs: number;
  flapCount: number;
  jumpKpa: number;
  maxClosedO2RateKpaPerH: number;
}

export interface SensorHealthMemory {
  lastUsableMs: number | null;
  lastO2Kpa: number | null;
  lastO2Ms: number | null;
  /** Since when the O2 value has been exactly this. */
  sameSinceMs: number | null;
  /** Times of recent bad readings (missing, flagged, jumping), within the last hour. */
  badTimesMs: number[];
  /** The start of the current rate check (closed cell): its time and O2. */
  rateRefMs: number | null;
  rateRefO2Kpa: number | null;
  /** When O2 last moved implausibly fast, so one fast move is remembered for an hour. */
  implausibleAtMs: number | null;
}

export function newSensorHealthMemory(): SensorHealthMemory {
  return { lastUsableMs: null, lastO2Kpa: null, lastO2Ms: null, sameSinceMs: null, badTimesMs: [], rateRefMs: null, rateRefO2Kpa: null, implausibleAtMs: null };
}

export interface HealthObservation {
  tMs: number;
  o2Kpa: number | null;
  co2Kpa: number | null;
  flagged: boolean;
  /** Every valve shut and the door closed since the last reading: O2 can only move by respiration and leak. */
  closed: boolean;
}

const HOUR_MS = 3_600_000;
const RATE_SPAN_MS = 600_000;

/** Records one reading; returns the problem with the O2 sensor now, or null when it is healthy. */
export function observeSensor(mem: SensorHealthMemory, obs: HealthObservation, s: SensorHealthSettings): string | null {
  const usable = obs.o2Kpa !== null && obs.co2Kpa !== null && !obs.flagged;
  let bad = !usable;
  if (usable) {
    const o2 = obs.o2Kpa!;
    if (mem.lastO2Kpa !== null && mem.lastO2Ms !== null && obs.tMs > mem.lastO2Ms) {
      const dO2 = Math.abs(o2 - mem.lastO2Kpa);
      if (dO2 >= s.jumpKpa) bad = true;
    }
    // The rate of a closed cell, judged over 10 min or more (over one minute it is mostly quantisation).
    if (!obs.closed || mem.rateRefMs === null) {
      mem.rateRefMs = obs.closed ? obs.tMs : null;
      mem.rateRefO2Kpa = obs.closed ? o2 : null;
    } else if (obs.tMs - mem.rateRefMs >= RATE_SPAN_MS) {
      const rate = Math.abs(o2 - mem.rateRefO2Kpa!) / ((obs.tMs - mem.rateRefMs) / HOUR_MS);
      if (rate > s.maxClosedO2RateKpaPerH) mem.implausibleAtMs = obs.tMs;
      mem.rateRefMs = obs.tMs;
      mem.rateRefO2Kpa = o2;
    }
    if (mem.lastO2Kpa === null || o2 !== mem.lastO2Kpa) mem.sameSinceMs = obs.tMs;
    mem.lastO2Kpa = o2;
    mem.lastO2Ms = obs.tMs;
    mem.lastUsableMs = obs.tMs;
  }
  if (bad) mem.badTimesMs.push(obs.tMs);
  while (mem.badTimesMs.length > 0 && mem.badTimesMs[0]! < obs.tMs - HOUR_MS) mem.badTimesMs.shift();
  if (!usable) return obs.flagged ? 'the O2 or CO2 reading is flagged implausible by the bridge' : 'the O2 or CO2 sensor gives no value';
  if (mem.badTimesMs.length >= s.flapCount) return `the O2 sensor is flapping: ${mem.badTimesMs.length} missing or jumping readings in the last hour`;
  if (mem.implausibleAtMs !== null && obs.tMs - mem.implausibleAtMs < HOUR_MS) return `O2 moved faster than ${s.maxClosedO2RateKpaPerH} kPa/h with the cell closed`;
  if (mem.sameSinceMs !== null && obs.tMs - mem.sameSinceMs >= s.stuckMs) {
    return `the O2 sensor is stuck at ${mem.lastO2Kpa!.toFixed(2)} kPa for ${((obs.tMs - mem.sameSinceMs) / HOUR_MS).toFixed(1)} h`;
  }
  return null;
}

/** Whether the last usable reading is older than `staleMs` at time `tMs`. */
export function isStale(mem: SensorHealthMemory, tMs: number, s: SensorHealthSettings): boolean {
  return mem.lastUsableMs === null ? false : tMs - mem.lastUsableMs > s.staleMs;
}
