/**
 * The reference controller's settings, each with where its number comes from (controller/README.md,
 * "Methods and sources", has the long form). Tags as in DOMAIN.md: [S] published, [D] derived, [E] an
 * engineering choice to be tuned, [P] a product rule.
 */

/** Storage levels for one species; the controller picks them by the variety of the cell's loading. */
export interface RegimeSettings {
  /** ULO setpoint: where pull-down ends and where the cell goes back to when DCA is unsafe, kPa O2. */
  uloO2Kpa: number;
  /** CO2 ceiling the scrubber keeps, kPa. */
  co2SetpointKpa: number;
}

export interface DcaConfig {
  /** Absolute O2 floor, kPa: no setpoint below it, N2 never below it, air opened at it. [P; DOMAIN.md §3: DCA 0.3–0.6 kPa, compensation point 0.2–0.4] */
  o2FloorKpa: number;
  /** Regimes by species (apple, pear); `default` for a variety the table does not know. */
  regimes: Record<string, RegimeSettings>;
  /** Varieties (lower case) and their species. Unknown varieties use `regimes.default`. */
  species: Record<string, string>;
  /** Setpoint step of the DCA search, kPa. [E: DOMAIN.md §3, 0.05–0.1 kPa per step] */
  stepKpa: number;
  /**
   * Raise after stress: the hold setpoint is the stressed level + this, kPa. [S: Gasser 2008, 0.1–0.3 above the
   * compensation point] The stressed level is the first setpoint whose window reads RQ ≥ 1.1 × the reference;
   * the cell's O2 falls through a closed window, so its samples see the fruit about 0.1 kPa under the setpoint,
   * and the stressed setpoint is itself at or one step above the break point: one step more holds 0.1–0.3 above.
   */
  raiseKpa: number;
  /**
   * Blind air dosing: while the O2 reading cannot be trusted (stale, stuck, flapping, implausible, missing),
   * the air valve opens this many minutes at the start of every hour, so that respiration cannot take the
   * cell below its floor while nobody can see it: one minute of a 50 m³/h valve raises a 300 m³ room by about
   * 0.1 kPa, more than an hour of respiration at low O2 takes (DOMAIN.md §2). 0 switches it off. [E]
   */
  blindAirMinPerH: number;
  /** Maximum setpoint change downward per day (the step-rate limit), kPa/d. [E] */
  maxStepDownKpaPerDay: number;
  /** O2 held within this of its setpoint before an RQ window may start, kPa; and the loop's band. [E] */
  holdBandKpa: number;
  /** Time at a new setpoint before its RQ window, h. [E] */
  settleH: number;
  /**
   * The cell is closed this long before a window's samples count, h: CO2 dissolving into the fruit makes a
   * closed room's RQ read low (Bessemans et al. 2020), by a factor that depends on how long CO2 has been
   * rising; after a fixed lead-in every window, the reference's included, reads low by about the same
   * factor, so their ratio holds. [E; measured on the simulator: the factor's spread falls from 4 % to 1–2 %]
   */
  preCloseH: number;
  /**
   * A window starts only when neither the scrubber nor N2 has run for this long, h. Scrubbing (or an N2
   * flush) lowers the gas's CO2 faster than the fruit gives up what it holds dissolved, so for a few hours
   * after it the fruit degasses: in a window that starts then, the CO2 rise holds that degassing as well as
   * respiration, and RQ reads high. On the simulator, windows after a 0.3 kPa scrubber cycle read stress at
   * 1.1 kPa in an Elstar cell whose break point is 0.79. [E: about 2 × the hours-long exchange time of CO2
   * between fruit and gas, DOMAIN.md §2]
   */
  co2QuietH: number;
  /**
   * While a window waits for the CO2 to be quiet, the scrubber starts only when CO2 passes its setpoint by
   * this, kPa: a short excursion rather than a window that never comes (a scrubber whose cycle is shorter
   * than co2QuietH, as in a pear cell at 0.7 kPa). [E]
   */
  windowCo2MarginKpa: number;
  /** Closed-cell RQ window, h. [S: Keshri 2020 / DOMAIN.md §4, 2–3 h or longer] */
  windowH: number;
  /** The reference window (aerobic RQ, in air before pull-down or at ULO), h. [E] */
  referenceWindowH: number;
  /** Stress when the window's RQ is at least this times the aerobic reference. [S: the break point's definition, RQ 10 % above aerobic, Deng et al. 1997] */
  stressRqRatio: number;
  /** Above this ratio the excursion is itself a fault: back to ULO at once. [E; Weber et al. 2015: RQ 4–6 injured 'Royal Gala'] */
  maxRqRatio: number;
  /** Window quality: relative standard error of the O2 uptake slope at most this. [E] */
  maxO2SlopeRelSe: number;
  /** And of the CO2 output slope. [E] */
  maxCo2SlopeRelSe: number;
  /** A CO2 output below this times the O2 uptake × reference RQ: the CO2 half is not trusted (dissolution, a scrubber residue). [S: Bessemans et al. 2020; de Wild & Peppelenbos 2001: closed-room RQ reads low] */
  minRqRatio: number;
  /**
   * A window's RQ ratio within this of `stressRqRatio` is measured again at the same setpoint, and the mean of
   * the two decides. [E: on the simulator one window's ratio scatters by about ±3 %]
   */
  rqConfirmBand: number;
  /** Time at ULO, all checks passing, before a DCA search starts, h. [E] */
  uloSettleH: number;
  /** DCA hold: re-measure at the hold setpoint every so many days. [E] */
  holdRemeasureDays: number;
  /** DCA hold: probe one step lower than the stressed level every so many days, to follow a falling break point. [E] */
  probeDays: number;
  /** DCA refused above this leak area per 100 m³ gross. [P: DOMAIN.md §1] */
  leakLimitCm2Per100M3: number;
  /**
   * Mean pressure difference that drives the leak inflow estimate of an RQ window, Pa. Default 0: a sealed
   * room on a breather bag has no mean difference to drive flow (orifice flow goes as √Δp), and a guessed one
   * would bias every window by as much as the respiration it measures (DOMAIN.md §5: 0.1 cm² at 1–20 Pa lets
   * in 0.13–0.60 m³ O2 a day, the order of 25 t of fruit's uptake). Set it for a room without a bag, to the
   * pressure its relief valve holds. [E]
   */
  leakDeltaPPa: number;
  /** Discharge coefficient of the leak. [S: DOMAIN.md §5, 0.61 sharp orifice] */
  leakCd: number;
  /** N2 only above this O2, kPa: a generator's 95–99.5 % N2 product cannot pull a room below its own O2 (DOMAIN.md §6; 97 % ≈ 3 kPa). [E] */
  n2UsefulAboveKpa: number;
  /** Sensor health: no reading for this long is stale, ms (with the board period unknown). [E] */
  staleMs: number;
  /** Stuck: the O2 value unchanged for this long, ms. [E] */
  stuckMs: number;
  /** Implausible: O2 changing faster than this with every valve shut, kPa/h. [E; respiration moves a room ≈ 0.05 kPa/h, DOMAIN.md §4] */
  maxClosedO2RateKpaPerH: number;
  /** Flapping: this many invalid-or-jumping readings within an hour. [E] */
  flapCount: number;
  /** A jump between two readings this large counts towards flapping, kPa O2. [E] */
  jumpKpa: number;
  /** Save the record at least this often (plant time), ms, besides at every state change. [E] */
  saveEveryMs: number;
}

export const DEFAULT_DCA_CONFIG: DcaConfig = {
  o2FloorKpa: 0.4,
  regimes: {
    apple: { uloO2Kpa: 1.5, co2SetpointKpa: 1.5 },
    pear: { uloO2Kpa: 2.5, co2SetpointKpa: 0.7 },
    default: { uloO2Kpa: 1.5, co2SetpointKpa: 1.0 },
  },
  species: {
    gala: 'apple', 'royal gala': 'apple', elstar: 'apple', jonagold: 'apple', 'golden delicious': 'apple',
    starkrimson: 'apple', braeburn: 'apple', pinova: 'apple', conference: 'pear',
  },
  stepKpa: 0.1,
  raiseKpa: 0.1,
  blindAirMinPerH: 2,
  maxStepDownKpaPerDay: 0.4,
  holdBandKpa: 0.1,
  settleH: 2,
  preCloseH: 2,
  co2QuietH: 6,
  windowCo2MarginKpa: 0.3,
  windowH: 6,
  referenceWindowH: 6,
  stressRqRatio: 1.1,
  maxRqRatio: 1.6,
  maxO2SlopeRelSe: 0.06,
  maxCo2SlopeRelSe: 0.08,
  minRqRatio: 0.85,
  rqConfirmBand: 0.04,
  uloSettleH: 24,
  holdRemeasureDays: 3,
  probeDays: 14,
  leakLimitCm2Per100M3: 0.1,
  leakDeltaPPa: 0,
  leakCd: 0.61,
  n2UsefulAboveKpa: 3.5,
  staleMs: 15 * 60_000,
  stuckMs: 6 * 3_600_000,
  maxClosedO2RateKpaPerH: 1,
  flapCount: 6,
  jumpKpa: 1,
  saveEveryMs: 6 * 3_600_000,
};

/** The regime of a variety (case-insensitive), through its species. */
export function regimeFor(config: DcaConfig, variety: string | null): RegimeSettings & { species: string } {
  const species = (variety && config.species[variety.trim().toLowerCase()]) || 'default';
  return { species, ...(config.regimes[species] ?? config.regimes.default!) };
}

/** Checks a partial config against the rules that keep the controller safe; throws naming the field. */
export function resolveDcaConfig(partial: Partial<DcaConfig> = {}): DcaConfig {
  const c: DcaConfig = { ...DEFAULT_DCA_CONFIG, ...partial, regimes: { ...DEFAULT_DCA_CONFIG.regimes, ...partial.regimes }, species: { ...DEFAULT_DCA_CONFIG.species, ...partial.species } };
  if (!(c.leakDeltaPPa >= 0 && c.leakDeltaPPa <= 1000)) throw new RangeError(`controller config "leakDeltaPPa" must be 0 to 1000 Pa: ${c.leakDeltaPPa}`);
  const positive: Array<keyof DcaConfig> = ['stepKpa', 'raiseKpa', 'maxStepDownKpaPerDay', 'holdBandKpa', 'settleH', 'preCloseH', 'co2QuietH', 'windowCo2MarginKpa', 'windowH', 'referenceWindowH', 'uloSettleH', 'holdRemeasureDays', 'probeDays', 'leakCd', 'n2UsefulAboveKpa', 'staleMs', 'stuckMs', 'maxClosedO2RateKpaPerH', 'flapCount', 'jumpKpa', 'saveEveryMs'];
  for (const k of positive) {
    const v = c[k] as number;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new RangeError(`controller config "${k}" must be a number > 0: ${String(v)}`);
  }
  if (!(c.blindAirMinPerH >= 0 && c.blindAirMinPerH <= 60)) throw new RangeError(`controller config "blindAirMinPerH" must be 0 to 60 min: ${c.blindAirMinPerH}`);
  if (!(c.o2FloorKpa >= 0.2 && c.o2FloorKpa <= 5)) throw new RangeError(`controller config "o2FloorKpa" must be 0.2 to 5 kPa: ${c.o2FloorKpa}`);
  if (!(c.stressRqRatio > 1 && c.maxRqRatio > c.stressRqRatio)) throw new RangeError(`controller config: need 1 < "stressRqRatio" < "maxRqRatio": ${c.stressRqRatio}, ${c.maxRqRatio}`);
  if (!(c.raiseKpa >= c.stepKpa)) throw new RangeError(`controller config "raiseKpa" must be at least "stepKpa": ${c.raiseKpa} < ${c.stepKpa}`);
  for (const [name, r] of Object.entries(c.regimes)) {
    if (!(r.uloO2Kpa > c.o2FloorKpa + c.raiseKpa)) throw new RangeError(`controller config "regimes.${name}.uloO2Kpa" must be above the floor + raise: ${r.uloO2Kpa}`);
    if (!(r.co2SetpointKpa > 0 && r.co2SetpointKpa <= 10)) throw new RangeError(`controller config "regimes.${name}.co2SetpointKpa" must be 0 to 10 kPa: ${r.co2SetpointKpa}`);
  }
  if (!c.regimes.default) throw new RangeError('controller config "regimes" needs a "default" regime');
  return c;
}
