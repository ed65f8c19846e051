/**
 * Low-O2 stress detection, the seam between the controller and the signal it trusts. The controller asks a
 * detector, at the end of each measurement at a setpoint, whether to lower, hold or raise. RQ is the
 * reference detector (RqStressDetector). An ethanol-based detector (headspace ethanol rising) or a
 * fluorescence-based one (the chlorophyll-fluorescence response rising when O2 falls below the limit) takes
 * the same interface once the plant and a board offer those signals: they read `signals` instead of the RQ
 * window, and the controller's states, limits and persistence stay as they are.
 */

import type { WindowResult } from './rq-window.js';

export type StressOutcome = 'lower' | 'hold' | 'raise';

/** What a detector gets at the end of a measurement at one setpoint. */
export interface StressInput {
  /** The setpoint measured at, kPa O2. */
  setpointKpa: number;
  /** The closed-cell RQ window of this measurement (RQ detectors). */
  window: WindowResult;
  /** The aerobic reference RQ, null before it has been measured. */
  referenceRq: number | null;
  /** Other signals a site has (ethanol ppm in the headspace, a fluorescence index), by name; empty today. */
  signals: Readonly<Record<string, number>>;
  /**
   * The detector's figure from the measurement just before this one at the same setpoint (within two days),
   * when there was one: a detector that asked to measure again (a figure too close to its threshold to
   * decide on) decides on both.
   */
  previousValue: number | null;
}

export interface StressVerdict {
  outcome: StressOutcome;
  /** Why, in words, with the figures. */
  reason: string;
  /** Severe stress: leave DCA for ULO at once rather than step up. */
  excursion: boolean;
  /** The figure decided on (RQ, or the detector's own), for the status. */
  value: number | null;
  /** Too close to call: measure again at this setpoint, and the next assess gets this value as `previousValue`. */
  remeasure?: boolean;
}

export interface StressDetector {
  readonly name: string;
  /** Whether this detector needs closed-cell RQ windows (the controller then runs them). */
  readonly needsRqWindow: boolean;
  assess(input: StressInput): StressVerdict;
}

export interface RqDetectorOptions {
  /** Stress at RQ ≥ this × reference. */
  stressRqRatio: number;
  /** Excursion at RQ ≥ this × reference. */
  maxRqRatio: number;
  /** CO2 output not trusted below this × reference RQ. */
  minRqRatio: number;
  /** A ratio within this of `stressRqRatio`, either side, is measured again and decided on the mean of both. */
  rqConfirmBand: number;
}

/**
 * RQ against the aerobic reference: stress when the measured RQ is `stressRqRatio` (1.10, the break point's
 * definition) times the reference or more; an excursion above `maxRqRatio`. One window's ratio scatters by
 * about ±3 % (sensor noise, the O2 and CO2 resolution, what the fruit still degasses), about what one 0.1 kPa
 * step adds near the limit: a ratio within `rqConfirmBand` of the threshold is measured again at the same
 * setpoint (outcome hold), and the mean of the two windows decides. A window it cannot use holds; so
 * does an RQ whose CO2 half is not trusted, or an RQ below `minRqRatio` × reference (CO2 apparently lost —
 * dissolving into the fruit after a CO2 change — while the O2 uptake is fine): O2 uptake is the more
 * reliable half, and it does not say that lowering is safe.
 */
export class RqStressDetector implements StressDetector {
  readonly name = 'rq';
  readonly needsRqWindow = true;
  constructor(private readonly options: RqDetectorOptions) {}

  assess(input: StressInput): StressVerdict {
    const w = input.window;
    if (!w.ok) return { outcome: 'hold', reason: `RQ window rejected: ${w.reason}`, excursion: false, value: null };
    if (input.referenceRq === null) return { outcome: 'hold', reason: 'no aerobic reference RQ yet', excursion: false, value: w.rq };
    const ratio = w.rq / input.referenceRq;
    const figures = `RQ ${w.rq.toFixed(3)} = ${ratio.toFixed(3)} × reference ${input.referenceRq.toFixed(3)} at ${input.setpointKpa.toFixed(2)} kPa`;
    if (!w.co2Trusted) {
      return { outcome: 'hold', reason: `CO2 output too uncertain (${(w.co2RelSe * 100).toFixed(1)} %); O2 uptake ${w.o2UptakeKpaPerH.toFixed(4)} kPa/h alone does not show lowering is safe`, excursion: false, value: w.rq };
    }
    if (ratio < this.options.minRqRatio) {
      return { outcome: 'hold', reason: `${figures}: CO2 output lower than the O2 uptake implies; trusting O2, not lowering`, excursion: false, value: w.rq };
    }
    if (ratio >= this.options.maxRqRatio) return { outcome: 'raise', reason: `${figures} ≥ ${this.options.maxRqRatio}: RQ excursion`, excursion: true, value: w.rq };
    const threshold = this.options.stressRqRatio;
    let decided = ratio;
    let said = figures;
    if (Math.abs(ratio - threshold) < this.options.rqConfirmBand) {
      if (input.previousValue === null) {
        return { outcome: 'hold', reason: `${figures}: within ${this.options.rqConfirmBand} of ${threshold}, measuring again at the same setpoint`, excursion: false, value: w.rq, remeasure: true };
      }
      decided = (ratio + input.previousValue / input.referenceRq) / 2;
      said = `${figures}, mean with the window before ${decided.toFixed(3)}`;
    }
    if (decided >= threshold) return { outcome: 'raise', reason: `${said} ≥ ${threshold}: low-O2 stress`, excursion: false, value: w.rq };
    return { outcome: 'lower', reason: `${said} < ${threshold}: no stress`, excursion: false, value: w.rq };
  }
}
