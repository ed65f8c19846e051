/**
 * Weather outside the cell as a pure function of time: barometric pressure and air temperature, so that a
 * run sees the pressure swings that drive leaks (DOMAIN.md §5: "barometric swings (a few hPa per day)").
 *
 *     p(t) = p_mean + A_tide · cos(2π·t/12 h + φ0) + Σ_k A_k · sin(2π·t/P_k + φ_k)
 *     T(t) = T_mean + A_T · cos(2π·(t − 15 h)/24 h)           warmest at 15:00
 *
 *  - semi-diurnal atmospheric tide, A_tide = 50 Pa at mid-latitudes [S: the solar atmospheric tide is
 *    about 0.5 hPa there, Chapman & Lindzen, Atmospheric Tides, 1970];
 *  - passing weather systems as three sines, A = 300/250/200 Pa with periods 3.1/5.3/8.7 days [E]: swings of
 *    ±7.5 hPa and slopes up to about 10 hPa per day, "a few hPa per day" on most days;
 *  - daily temperature swing A_T = 5 K [E].
 * Phases come from the seed, so each seed is its own weather and the same seed the same weather.
 */
import type { Random } from '../engine/random.js';

export interface WeatherParams {
  meanPressurePa: number;
  meanTempC: number;
  tideAmplitudePa: number;
  /** Amplitudes of the synoptic sines, Pa. */
  synopticAmplitudesPa: readonly number[];
  /** Their periods, s. */
  synopticPeriodsS: readonly number[];
  /** Their phases, rad (from the seed). */
  synopticPhasesRad: readonly number[];
  tidePhaseRad: number;
  dailyTempAmplitudeK: number;
}

const DAY_S = 86_400;

/** Weather with the defaults above and phases drawn from `random`. */
export function createWeatherParams(random: Random, meanPressurePa = 101_325, meanTempC = 15): WeatherParams {
  return {
    meanPressurePa,
    meanTempC,
    tideAmplitudePa: 50,
    synopticAmplitudesPa: [300, 250, 200],
    synopticPeriodsS: [3.1 * DAY_S, 5.3 * DAY_S, 8.7 * DAY_S],
    synopticPhasesRad: [0, 1, 2].map(() => 2 * Math.PI * random.next()),
    tidePhaseRad: 2 * Math.PI * random.next(),
    dailyTempAmplitudeK: 5,
  };
}

/** Ambient pressure at `tS`, Pa. */
export function weatherPressurePa(w: Readonly<WeatherParams>, tS: number): number {
  let p = w.meanPressurePa + w.tideAmplitudePa * Math.cos((2 * Math.PI * tS) / (DAY_S / 2) + w.tidePhaseRad);
  for (let k = 0; k < w.synopticAmplitudesPa.length; k++) {
    p += w.synopticAmplitudesPa[k]! * Math.sin((2 * Math.PI * tS) / w.synopticPeriodsS[k]! + w.synopticPhasesRad[k]!);
  }
  return p;
}

/** Ambient temperature at `tS`, °C. */
export function weatherTempC(w: Readonly<WeatherParams>, tS: number): number {
  return w.meanTempC + w.dailyTempAmplitudeK * Math.cos((2 * Math.PI * (tS - 15 * 3600)) / DAY_S);
}
