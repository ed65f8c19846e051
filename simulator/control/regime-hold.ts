/**
 * A plain on/off keeper of a storage regime, for simulator runs without a real controller (the `sim`
 * command, the benchmark): it reads the analysers, as a controller would, and switches the N2 inlet, the
 * fresh-air inlet and the scrubber with hysteresis to keep O2 inside [low, high] and CO2 below its ceiling.
 * It is not the DCA controller (that lives in controller/ and speaks the bridge API); it only keeps a run
 * in a realistic atmosphere so that every term of the plant is exercised.
 *
 *     O2 < low                  → air on        until O2 ≥ mid = (low + high)/2
 *     O2 > max(high, n2DownTo)  → N2 on         until O2 ≤ max(mid, n2DownTo)
 *     CO2 > ceiling             → scrubber on   until CO2 ≤ ceiling − band   (band [E] 0.3 kPa, at most half the ceiling)
 *
 * N2 only pulls O2 down to `n2DownToKpa` (default 6 kPa): "N2 pulls O2 to about 6 %, respiration does the
 * rest" (DOMAIN.md §6 [S]); a 97 % generator could not go below 3 kPa anyway.
 *
 * Pure: the next actuator state is a function of the readings and the previous state.
 */
import type { CellActuators } from '../model/cell.js';

export interface RegimeTargets {
  /** O2 band, kPa. */
  o2Kpa: readonly [low: number, high: number];
  /** CO2 ceiling, kPa. */
  co2KpaMax: number;
}

/** Where N2 purging hands over to respiration, kPa O2 (DOMAIN.md §6: about 6 %). */
export const N2_PULL_DOWN_TO_KPA = 6;

/** Hysteresis below the CO2 ceiling where the scrubber stops, kPa [E]. */
export const SCRUB_BAND_KPA = 0.3;

export function regimeHoldActuators(
  targets: Readonly<RegimeTargets>,
  o2Kpa: number,
  co2Kpa: number,
  previous: Readonly<CellActuators>,
  n2DownToKpa = N2_PULL_DOWN_TO_KPA,
): CellActuators {
  const [low, high] = targets.o2Kpa;
  const mid = (low + high) / 2;
  const air = previous.air ? o2Kpa < mid : o2Kpa < low;
  const n2 = !air && (previous.n2 ? o2Kpa > Math.max(mid, n2DownToKpa) : o2Kpa > Math.max(high, n2DownToKpa));
  const band = Math.min(SCRUB_BAND_KPA, targets.co2KpaMax / 2);
  const scrub = previous.scrub ? co2Kpa > targets.co2KpaMax - band : co2Kpa > targets.co2KpaMax;
  return { n2, air, scrub, door: previous.door };
}
