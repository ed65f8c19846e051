/**
 * One cell's DCA control, as a pure function of its memory, the newest reading and the cell's facts: no
 * I/O, no clock (time is the reading's), so that it runs the same in lockstep, at plant speed and at wall
 * speed, and its memory (plain JSON) is what the bridge keeps for a restarted controller.
 *
 *     loading ──(reference RQ in air)──▶ pull_down ──▶ ulo_hold ──(checks pass for uloSettleH)──▶ dca_search
 *        dca_search ──(settled at S)──▶ rq_measurement ──lower──▶ dca_search at S − step
 *                                                     ──hold───▶ dca_search at S (measure again)
 *                                                     ──raise──▶ stress_detected (S + raise) ──▶ dca_hold
 *        dca_hold ──(every holdRemeasureDays)──▶ rq_measurement at S: raise → S + step (the break point rose)
 *                 ──(every probeDays)──▶ probe at the stressed level: no stress → S − step (it fell)
 *        any DCA state ──(door, unloading, sensor, calibration, leak, loading rule, excursion)──▶ ulo_hold
 *
 * Limits that hold whatever the inputs (checked last, on the actuation itself, in `actuate`): the setpoint
 * never below `o2FloorKpa`; N2 never while the door is open, never with O2 at or below the floor + band,
 * never without a usable O2 reading; air opens whenever O2 is at or below the floor; a step down at most
 * every stepKpa / maxStepDownKpaPerDay days; no step down while anything is wrong with the sensor.
 */

import type { ControllerAlarm, LoadingView } from './contract.js';
import { regimeFor, type DcaConfig } from './dca-config.js';
import { evaluateWindow, type LeakEstimate, type WindowResult, type WindowSample } from './rq-window.js';
import { isStale, newSensorHealthMemory, observeSensor, type SensorHealthMemory } from './sensor-health.js';
import type { StressDetector } from './stress-detector.js';

export type CellState = 'loading' | 'pull_down' | 'ulo_hold' | 'dca_search' | 'rq_measurement' | 'stress_detected' | 'dca_hold';

const DCA_STATES: ReadonlySet<CellState> = new Set(['dca_search', 'rq_measurement', 'stress_detected', 'dca_hold']);

/** 'guard': a window at the ULO level after the fruit showed stress where it should not (the O2 sensor may read high). */
export type WindowPurpose = 'reference' | 'search' | 'hold' | 'probe' | 'guard';

/** The valves a valve board drives for the cell; a palletunit gets the setpoint and its loop instead. */
export interface Valves {
  n2: boolean;
  air: boolean;
  scrub: boolean;
}

export interface CellMemory {
  version: 1;
  state: CellState;
  stateSinceMs: number;
  reason: string;
  /** O2 setpoint in force, kPa. */
  setpointKpa: number;
  /** The level a search or probe is at (dca_search), kPa; equals setpointKpa outside a probe. */
  searchPurpose: 'search' | 'probe';
  referenceRq: number | null;
  referenceTries: number;
  breakPointKpa: number | null;
  stressedLevelKpa: number | null;
  /** The hold setpoint a probe returns to. */
  holdSetpointKpa: number | null;
  lastRq: number | null;
  /** The RQ window being measured; `leadInMs`: closed this long before its samples count (old records: preCloseH). */
  window: { purpose: WindowPurpose; startMs: number; setpointKpa: number; returnTo: CellState; samples: WindowSample[]; leadInMs?: number } | null;
  settledSinceMs: number | null;
  lastStepDownMs: number | null;
  /** A step down the step-rate limit holds back: when, and to what. */
  pendingStepDown: { atMs: number; toKpa: number } | null;
  nextHoldMeasureMs: number | null;
  nextProbeMs: number | null;
  holdRaisesInARow: number;
  /** Since when every check for DCA has passed (in ULO). */
  checksOkSinceMs: number | null;
  /** Why DCA is not allowed now (null: allowed). */
  dcaBlock: string | null;
  /** The unloading that took the cell out of DCA: DCA waits for a newer loading. */
  unloadingBlockMs: number | null;
  /** An RQ excursion or a suspect sensor: DCA waits until ULO has held for uloSettleH after it. */
  faultAtMs: number | null;
  faultReason: string | null;
  /**
   * Raised above the ULO level, kPa, because the fruit showed stress at it: with the O2 reading not to be
   * believed, the fruit's RQ is the only measure left of the true O2. 0 normally.
   */
  uloOffsetKpa: number;
  /** When the next guard window at ULO is due; null while the sensor is not suspected of reading high. */
  guardNextMs: number | null;
  /** Since when the O2 sensor is suspected of reading high (stress where O2 should be ample); DCA waits for a newer calibration. */
  sensorSuspectSinceMs: number | null;
  valves: Valves;
  /** The last assessed window: its setpoint, the detector's figure and when; a re-measurement decides on both. */
  lastWindow: { levelKpa: number; value: number; atMs: number } | null;
  /** When the scrubber or N2 last ran: a window waits `co2QuietH` after it (the fruit degasses meanwhile). */
  co2DisturbedAtMs: number | null;
  /**
   * A window is due but not started: the scrubber rests unless CO2 passes its setpoint by `windowCo2MarginKpa`.
   * Set again at every reading while the window is due; an O2 excursion out of the band meanwhile (an air
   * dose overshooting) does not start the settling over.
   */
  windowDue: boolean;
  health: SensorHealthMemory;
  lastReadingMs: number | null;
}

/** The cell's facts at a reading, from its status and the bridge's events (dca-controller.ts gathers them). */
export interface CellFacts {
  doorOpen: boolean;
  calibrationDueAtMs: number | null;
  /** When the analyser was last calibrated (bridge time); null when never recorded. */
  calibratedAtMs?: number | null;
  leak: { leakAreaCm2: number; freeVolumeM3: number; perHundredM3: number } | null;
  loading: LoadingView | null;
  /** An active sensor alarm of the bridge (stale sensor, calibration drift against a handheld), in words. */
  sensorAlarm: string | null;
  /** The board is not open (silent, lost), in words. */
  deviceProblem: string | null;
  /** Two sensors of the cell disagree, in words. */
  disagreement: string | null;
}

export interface CellReading {
  tMs: number;
  o2Kpa: number | null;
  co2Kpa: number | null;
  pressurePa: number | null;
  flagged: boolean;
}

export interface Decision {
  valves: Valves;
  /** The O2 and CO2 setpoints in force (a palletunit's loop gets these). */
  o2SetpointKpa: number;
  co2SetpointKpa: number;
  /** Whether the local loop of a palletunit should run (off during an RQ window). */
  loopOn: boolean;
  alarms: ControllerAlarm[];
  /** What happened at this reading, for the log. */
  log: Array<{ decision: string; reason: string }>;
  /** The state or setpoint changed: the record should be saved now. */
  changed: boolean;
}

export function newCellMemory(tMs: number, uloKpa: number): CellMemory {
  return {
    version: 1, state: 'loading', stateSinceMs: tMs, reason: 'controller started', setpointKpa: uloKpa, searchPurpose: 'search',
    referenceRq: null, referenceTries: 0, breakPointKpa: null, stressedLevelKpa: null, holdSetpointKpa: null, lastRq: null,
    window: null, settledSinceMs: null, lastStepDownMs: null, pendingStepDown: null, nextHoldMeasureMs: null, nextProbeMs: null, holdRaisesInARow: 0,
    checksOkSinceMs: null, dcaBlock: null, unloadingBlockMs: null, faultAtMs: null, faultReason: null, uloOffsetKpa: 0, guardNextMs: null, sensorSuspectSinceMs: null,
    valves: { n2: false, air: false, scrub: false }, lastWindow: null, co2DisturbedAtMs: null, windowDue: false, health: newSensorHealthMemory(), lastReadingMs: null,
  };
}

/** A memory read back from the bridge, checked enough to resume on; null when it cannot be used. */
export function restoreCellMemory(raw: unknown): CellMemory | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Partial<CellMemory>;
  if (m.version !== 1 || typeof m.state !== 'string' || typeof m.setpointKpa !== 'number' || !m.valves || !m.health) return null;
  return { ...m, uloOffsetKpa: m.uloOffsetKpa ?? 0, guardNextMs: m.guardNextMs ?? null, sensorSuspectSinceMs: m.sensorSuspectSinceMs ?? null, lastWindow: m.lastWindow ?? null, co2DisturbedAtMs: m.co2DisturbedAtMs ?? null, windowDue: m.windowDue ?? false } as CellMemory;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const round2 = (x: number): number => Math.round(x * 100) / 100;
const kpa = (x: number): string => `${x.toFixed(2)} kPa`;

/** The loading rule (DOMAIN.md §1): one variety, at most 4 lots, each ≥ 25 % of the tonnage, picked within a week. */
export function loadingRuleProblems(loading: LoadingView): string[] {
  const out: string[] = [];
  const varieties = new Set(loading.lots.map((l) => l.variety.trim().toLowerCase()));
  if (varieties.size > 1) out.push(`more than one variety (${[...varieties].join(', ')})`);
  if (loading.lots.length > 4) out.push(`${loading.lots.length} lots, more than 4`);
  const total = loading.lots.reduce((s, l) => s + l.tonnes, 0);
  for (const l of loading.lots) if (l.tonnes < 0.25 * total) out.push(`lot ${l.id} is ${((100 * l.tonnes) / total).toFixed(0)} % of the tonnage, under 25 %`);
  const days = loading.lots.map((l) => Date.parse(`${l.harvestDate}T00:00:00Z`) / DAY).filter(Number.isFinite);
  if (days.length > 1 && Math.max(...days) - Math.min(...days) > 7) out.push(`harvest dates ${(Math.max(...days) - Math.min(...days)).toFixed(0)} days apart, more than a week`);
  return out;
}

/** The variety of a cell's loading (its first lot's), null without one. */
export function varietyOf(loading: LoadingView | null): string | null {
  return loading?.lots[0]?.variety ?? null;
}

export class CellController {
  constructor(
    readonly cellId: string,
    private readonly config: DcaConfig,
    private readonly detector: StressDetector,
  ) {}

  private lastRegime: { variety: string | null; regime: ReturnType<typeof regimeFor> } | undefined;
  private readonly loadingChecked = new WeakMap<LoadingView, string[]>();

  /** One reading's decision. Mutates `mem`. */
  decide(mem: CellMemory, r: CellReading, facts: CellFacts): Decision {
    const c = this.config;
    const regime = this.regime(varietyOf(facts.loading));
    const log: Decision['log'] = [];
    const before = { state: mem.state, setpoint: mem.setpointKpa, block: mem.dcaBlock };
    const t = r.tMs;
    const closed = !mem.valves.n2 && !mem.valves.air && !mem.valves.scrub && !facts.doorOpen;
    const healthProblem = observeSensor(mem.health, { tMs: t, o2Kpa: r.o2Kpa, co2Kpa: r.co2Kpa, flagged: r.flagged, closed }, c);
    const sensorProblem = healthProblem ?? facts.sensorAlarm ?? facts.disagreement ?? (isStale(mem.health, t, c) ? 'no usable reading for too long' : null);
    const o2 = r.o2Kpa !== null && !r.flagged ? r.o2Kpa : null;
    const co2 = r.co2Kpa !== null && !r.flagged ? r.co2Kpa : null;
    mem.lastReadingMs = t;

    // What stands in the way of DCA, most urgent first; `alarms` are those the controller holds for it.
    const alarms: ControllerAlarm[] = [];
    let block: string | null = null;
    // The first reason found stands (`??=`): the most urgent is checked first.
    if (facts.doorOpen) block ??= 'the door is open';
    block ??= facts.deviceProblem;
    block ??= sensorProblem;
    if (facts.loading && facts.loading.lastUnloadingAtMs !== null) {
      if (DCA_STATES.has(mem.state) || mem.unloadingBlockMs !== null) mem.unloadingBlockMs = facts.loading.lastUnloadingAtMs;
    }
    if (mem.unloadingBlockMs !== null && facts.loading && facts.loading.loadedAtMs > mem.unloadingBlockMs) mem.unloadingBlockMs = null;
    if (mem.unloadingBlockMs !== null) block ??= `the cell was partly unloaded on ${new Date(mem.unloadingBlockMs).toISOString()}; DCA needs a new loading record`;
    if (mem.sensorSuspectSinceMs !== null) {
      if ((facts.calibratedAtMs ?? -Infinity) > mem.sensorSuspectSinceMs) {
        // Checked and calibrated since: the offset and the guard go.
        log.push({ decision: 'sensor suspicion lifted', reason: `analyser calibrated on ${new Date(facts.calibratedAtMs!).toISOString()}` });
        mem.sensorSuspectSinceMs = null;
        mem.uloOffsetKpa = 0;
        mem.guardNextMs = null;
      } else block ??= `the O2 sensor may read high (the fruit showed stress where O2 should be ample) since ${new Date(mem.sensorSuspectSinceMs).toISOString()}: DCA waits for a calibration`;
    }
    if (facts.calibrationDueAtMs === null) block ??= 'no analyser calibration recorded';
    else if (t > facts.calibrationDueAtMs) block ??= `analyser calibration overdue since ${new Date(facts.calibrationDueAtMs).toISOString()}`;
    if (!facts.leak) block ??= 'no leak test recorded';
    else if (facts.leak.perHundredM3 > c.leakLimitCm2Per100M3) {
      const msg = `DCA refused: leak ${facts.leak.perHundredM3.toFixed(3)} cm² per 100 m³, above the limit of ${c.leakLimitCm2Per100M3}`;
      alarms.push({ code: 'dca_refused_leak', severity: 'critical', message: msg, value: facts.leak.perHundredM3, threshold: c.leakLimitCm2Per100M3 });
      block ??= msg;
    }
    if (!facts.loading) block ??= 'no loading recorded';
    else {
      const problems = this.loadingProblems(facts.loading);
      if (problems.length > 0) {
        const msg = `DCA refused: the loading rule is not met: ${problems.join('; ')}`;
        alarms.push({ code: 'dca_refused_loading', severity: 'warning', message: msg });
        block ??= msg;
      }
    }
    if (mem.faultAtMs !== null) {
      if (t - mem.faultAtMs < c.uloSettleH * HOUR) block ??= mem.faultReason;
      else {
        mem.faultAtMs = null;
        mem.faultReason = null;
      }
    }
    mem.dcaBlock = block;
    if (mem.faultReason && mem.faultAtMs !== null) alarms.push({ code: 'dca_fault', severity: 'critical', message: mem.faultReason });

    // Leave DCA (or an RQ window) at once when it is unsafe.
    // A window at the ULO level (the aerobic reference, a guard) is no DCA: it goes on while DCA is blocked.
    const uloWindow = mem.state === 'rq_measurement' && (mem.window?.purpose === 'reference' || mem.window?.purpose === 'guard');
    if (block !== null && DCA_STATES.has(mem.state) && !uloWindow) {
      alarms.push({ code: 'dca_interrupted', severity: 'warning', message: `DCA interrupted: ${block}` });
      this.enter(mem, 'ulo_hold', t, `back to ULO: ${block}`, log);
      mem.window = null;
      mem.pendingStepDown = null;
      mem.setpointKpa = regime.uloO2Kpa;
      mem.checksOkSinceMs = null;
    } else if (block !== null && mem.state === 'ulo_hold' && mem.reason.startsWith('back to ULO')) {
      alarms.push({ code: 'dca_interrupted', severity: 'warning', message: `DCA interrupted: ${block}` });
    }
    if (block === null) mem.checksOkSinceMs ??= t;
    else mem.checksOkSinceMs = null;

    this.advance(mem, t, o2, co2, r.pressurePa, facts, regime.uloO2Kpa, sensorProblem, log);
    const { valves, loopOn } = this.actuate(mem, sensorProblem === null ? o2 : null, co2, facts.doorOpen, regime.co2SetpointKpa, log);
    mem.valves = valves;
    if (valves.n2 || valves.scrub) mem.co2DisturbedAtMs = t;
    if (mem.setpointKpa !== before.setpoint) log.push({ decision: `setpoint ${kpa(before.setpoint)} → ${kpa(mem.setpointKpa)}`, reason: mem.reason });
    return {
      valves,
      o2SetpointKpa: mem.setpointKpa,
      co2SetpointKpa: regime.co2SetpointKpa,
      loopOn,
      alarms,
      log,
      changed: mem.state !== before.state || mem.setpointKpa !== before.setpoint || mem.dcaBlock !== before.block,
    };
  }

  /** Whether a due window can start now (`ready`); one that cannot is marked due, so the scrubber rests for it. */
  private windowReady(mem: CellMemory, ready: boolean): boolean {
    if (!ready) mem.windowDue = true;
    return ready;
  }

  /** The regime of a variety; the last one is kept (a cell's variety changes with its loading only). */
  private regime(variety: string | null): ReturnType<typeof regimeFor> {
    if (this.lastRegime?.variety !== variety) this.lastRegime = { variety, regime: regimeFor(this.config, variety) };
    return this.lastRegime.regime;
  }

  /** The loading rule's problems, once per loading record (the status keeps the same object until it changes). */
  private loadingProblems(loading: LoadingView): string[] {
    let problems = this.loadingChecked.get(loading);
    if (!problems) this.loadingChecked.set(loading, (problems = loadingRuleProblems(loading)));
    return problems;
  }

  private enter(mem: CellMemory, state: CellState, t: number, reason: string, log: Decision['log']): void {
    if (mem.state !== state) log.push({ decision: `${mem.state} → ${state}`, reason });
    mem.state = state;
    mem.stateSinceMs = t;
    mem.reason = reason;
    mem.settledSinceMs = null;
  }

  private startWindow(mem: CellMemory, purpose: WindowPurpose, t: number, returnTo: CellState, log: Decision['log']): void {
    const c = this.config;
    // Every window starts with the CO2 rising for co2QuietH already (the scrubber and N2 rest that long). One
    // whose cell had no such rest (the reference in air at loading, before anything ran) makes up for it in
    // its lead-in, so that the fruit's dissolving CO2 hides the same share of the rise in every window and
    // their ratio holds.
    const restedMs = mem.co2DisturbedAtMs === null ? 0 : Math.min(c.co2QuietH * HOUR, t - mem.co2DisturbedAtMs);
    const leadInMs = c.preCloseH * HOUR + (c.co2QuietH * HOUR - restedMs);
    mem.window = { purpose, startMs: t, setpointKpa: mem.setpointKpa, returnTo, samples: [], leadInMs };
    this.enter(mem, 'rq_measurement', t, `${purpose} RQ window at ${kpa(mem.setpointKpa)}: cell closed ${(leadInMs / HOUR).toFixed(0)} h, then fitted over ${purpose === 'reference' ? c.referenceWindowH : c.windowH} h`, log);
  }

  /** The state machine proper. */
  private advance(
    mem: CellMemory, t: number, o2: number | null, co2: number | null, pressurePa: number | null,
    facts: CellFacts, uloKpa: number, sensorProblem: string | null, log: Decision['log'],
  ): void {
    const c = this.config;
    const inBand = o2 !== null && Math.abs(o2 - mem.setpointKpa) <= c.holdBandKpa;
    // A window starts only with O2 close to its level, so that it measures the fruit at that level.
    // It starts on the band's upper side: respiration lowers O2 while the cell is closed.
    const settled = o2 !== null && o2 >= mem.setpointKpa - 0.02 && o2 <= mem.setpointKpa + c.holdBandKpa / 2;
    const dcaAllowed = mem.dcaBlock === null && mem.checksOkSinceMs !== null;
    // The fruit's dissolved CO2 has caught up with the gas since the scrubber or N2 last ran (co2QuietH).
    const co2Quiet = mem.co2DisturbedAtMs === null || t - mem.co2DisturbedAtMs >= c.co2QuietH * HOUR;
    // A window that is due starts when the CO2 is quiet and O2 is at its level. Meanwhile (actuate) the
    // scrubber rests, so that the CO2 can become quiet even where its cycle is shorter than co2QuietH.
    const wasDue = mem.windowDue;
    mem.windowDue = false;
    const windowReady = settled && co2Quiet;
    switch (mem.state) {
      case 'loading': {
        mem.setpointKpa = uloKpa;
        if (mem.referenceRq === null && o2 !== null && o2 >= 15 && mem.referenceTries < 2 && !facts.doorOpen) {
          this.startWindow(mem, 'reference', t, 'pull_down', log);
        } else this.enter(mem, 'pull_down', t, `pull-down with N2 to the ULO level ${kpa(uloKpa)}`, log);
        break;
      }
      case 'pull_down': {
        mem.setpointKpa = round2(uloKpa + mem.uloOffsetKpa);
        if (o2 !== null && o2 <= uloKpa + c.holdBandKpa) this.enter(mem, 'ulo_hold', t, `at the ULO level ${kpa(uloKpa)}`, log);
        break;
      }
      case 'ulo_hold': {
        mem.setpointKpa = round2(uloKpa + mem.uloOffsetKpa);
        if (mem.guardNextMs !== null && t >= mem.guardNextMs && inBand && sensorProblem === null && !facts.doorOpen && this.windowReady(mem, windowReady)) {
          this.startWindow(mem, 'guard', t, 'ulo_hold', log);
          break;
        }
        if (!dcaAllowed || !inBand || t - mem.checksOkSinceMs! < c.uloSettleH * HOUR) break;
        if (mem.referenceRq === null) {
          if (mem.referenceTries < 6 && this.windowReady(mem, windowReady)) this.startWindow(mem, 'reference', t, 'ulo_hold', log);
          break;
        }
        mem.searchPurpose = 'search';
        this.enter(mem, 'dca_search', t, `every check passed for ${c.uloSettleH} h: DCA search from ${kpa(uloKpa)}`, log);
        break;
      }
      case 'dca_search':
      case 'stress_detected': {
        if (mem.state === 'stress_detected' && inBand) {
          if (mem.nextHoldMeasureMs === null || mem.nextHoldMeasureMs <= t) mem.nextHoldMeasureMs = t + c.holdRemeasureDays * DAY;
          mem.nextProbeMs = t + c.probeDays * DAY;
          mem.holdSetpointKpa = mem.setpointKpa;
          this.enter(mem, 'dca_hold', t, `holding ${kpa(mem.setpointKpa)}, ${kpa(mem.setpointKpa - (mem.stressedLevelKpa ?? mem.setpointKpa))} above the stressed level`, log);
          break;
        }
        if (mem.state === 'stress_detected') break;
        if (mem.pendingStepDown !== null) {
          if (t < mem.pendingStepDown.atMs) break;
          if (sensorProblem === null) {
            mem.setpointKpa = mem.pendingStepDown.toKpa;
            mem.lastStepDownMs = t;
            this.enter(mem, 'dca_search', t, `stepping down to ${kpa(mem.setpointKpa)} (after the step-rate limit)`, log);
          }
          mem.pendingStepDown = null;
          break;
        }
        if (!inBand) {
          if (wasDue) mem.windowDue = true;
          else mem.settledSinceMs = null;
          break;
        }
        mem.settledSinceMs ??= t;
        if (t - mem.settledSinceMs >= c.settleH * HOUR && sensorProblem === null && this.windowReady(mem, windowReady)) {
          this.startWindow(mem, mem.searchPurpose === 'probe' ? 'probe' : 'search', t, mem.searchPurpose === 'probe' ? 'dca_hold' : 'dca_search', log);
        }
        break;
      }
      case 'dca_hold': {
        if (!inBand) break;
        if (mem.nextProbeMs !== null && t >= mem.nextProbeMs && mem.stressedLevelKpa !== null && mem.stressedLevelKpa >= c.o2FloorKpa) {
          mem.holdSetpointKpa = mem.setpointKpa;
          mem.setpointKpa = round2(mem.stressedLevelKpa);
          mem.searchPurpose = 'probe';
          mem.nextProbeMs = t + c.probeDays * DAY;
          this.enter(mem, 'dca_search', t, `probe: does the fruit still show stress at ${kpa(mem.setpointKpa)}?`, log);
        } else if (mem.nextHoldMeasureMs !== null && t >= mem.nextHoldMeasureMs && this.windowReady(mem, windowReady)) {
          mem.nextHoldMeasureMs = t + c.holdRemeasureDays * DAY;
          this.startWindow(mem, 'hold', t, 'dca_hold', log);
        }
        break;
      }
      case 'rq_measurement': {
        const w = mem.window;
        if (!w) {
          this.enter(mem, 'ulo_hold', t, 'RQ window lost', log);
          break;
        }
        const disturbance = facts.doorOpen ? 'the door opened'
          : sensorProblem ? `sensor: ${sensorProblem}`
          : o2 === null || co2 === null ? 'a reading without O2 or CO2'
          : o2 <= c.o2FloorKpa ? `O2 reached the floor ${kpa(c.o2FloorKpa)}`
          : null;
        const leadInMs = w.leadInMs ?? c.preCloseH * HOUR;
        if (disturbance === null && t - w.startMs >= leadInMs) w.samples.push({ tMs: t, o2Kpa: o2!, co2Kpa: co2!, pressurePa });
        const lengthMs = (w.purpose === 'reference' ? c.referenceWindowH : c.windowH) * HOUR;
        if (disturbance === null && t - w.startMs < leadInMs + lengthMs) break;
        const leak: LeakEstimate | null = facts.leak ? { leakAreaCm2: facts.leak.leakAreaCm2, freeVolumeM3: facts.leak.freeVolumeM3, deltaPPa: c.leakDeltaPPa, cd: c.leakCd } : null;
        const result = evaluateWindow(w.samples, { minDurationMs: lengthMs * 0.9, leak, maxO2SlopeRelSe: c.maxO2SlopeRelSe, maxCo2SlopeRelSe: c.maxCo2SlopeRelSe }, disturbance);
        mem.window = null;
        this.windowDone(mem, w.purpose, w.setpointKpa, w.returnTo, result, t, uloKpa, log);
        break;
      }
    }
  }

  private windowDone(
    mem: CellMemory, purpose: WindowPurpose, level: number, returnTo: CellState, w: WindowResult, t: number, uloKpa: number, log: Decision['log'],
  ): void {
    const c = this.config;
    if (purpose === 'reference') {
      mem.referenceTries++;
      if (w.ok && w.co2Trusted) {
        mem.referenceRq = w.rq;
        log.push({ decision: `reference RQ ${w.rq.toFixed(3)}`, reason: `closed-cell window at ${kpa(level)}: uptake ${w.o2UptakeKpaPerH.toFixed(4)} kPa/h, output ${w.co2OutputKpaPerH.toFixed(4)} kPa/h` });
      } else {
        log.push({ decision: 'reference RQ window rejected', reason: w.ok ? `CO2 output too uncertain (${(w.co2RelSe * 100).toFixed(1)} %)` : w.reason });
      }
      mem.setpointKpa = uloKpa;
      this.enter(mem, returnTo === 'pull_down' ? 'pull_down' : 'ulo_hold', t, mem.referenceRq !== null ? 'aerobic reference measured' : 'aerobic reference not measured yet', log);
      return;
    }
    const prev = mem.lastWindow;
    const previousValue = prev !== null && Math.abs(prev.levelKpa - level) < 1e-9 && t - prev.atMs <= 2 * DAY ? prev.value : null;
    const verdict = this.detector.assess({ setpointKpa: level, window: w, referenceRq: mem.referenceRq, signals: {}, previousValue });
    if (verdict.value !== null && w.ok) mem.lastRq = verdict.value;
    // A decided window is not averaged again; one the detector wants measured again is kept for the next.
    mem.lastWindow = verdict.remeasure === true && verdict.value !== null ? { levelKpa: level, value: verdict.value, atMs: t } : null;
    log.push({ decision: `${purpose} at ${kpa(level)}: ${verdict.outcome}`, reason: verdict.reason });
    if (purpose === 'guard') {
      if (verdict.outcome === 'raise' || verdict.excursion) {
        mem.uloOffsetKpa = round2(Math.min(21 - uloKpa, mem.uloOffsetKpa + c.raiseKpa));
        mem.faultAtMs = t;
        mem.faultReason = `the fruit shows stress at the ULO setpoint ${kpa(level)}: the O2 sensor reads high; O2 raised ${kpa(mem.uloOffsetKpa)} above ULO until it is checked against a handheld meter`;
        mem.guardNextMs = t + DAY;
        mem.sensorSuspectSinceMs ??= t;
      } else mem.guardNextMs = t + c.holdRemeasureDays * DAY;
      mem.setpointKpa = round2(uloKpa + mem.uloOffsetKpa);
      this.enter(mem, 'ulo_hold', t, mem.uloOffsetKpa > 0 ? `guarding: ${kpa(mem.uloOffsetKpa)} above ULO` : `guard at ULO: ${verdict.outcome}`, log);
      return;
    }
    if (verdict.excursion) {
      mem.faultAtMs = t;
      mem.faultReason = `RQ excursion at ${kpa(level)}: ${verdict.reason}`;
      mem.stressedLevelKpa = level;
      mem.guardNextMs ??= t + DAY;
      mem.setpointKpa = round2(uloKpa + mem.uloOffsetKpa);
      this.enter(mem, 'ulo_hold', t, `back to ULO: ${mem.faultReason}`, log);
      return;
    }
    if (purpose === 'search') {
      if (verdict.outcome === 'raise') {
        mem.stressedLevelKpa = level;
        mem.breakPointKpa = round2(level + c.stepKpa / 2);
        mem.setpointKpa = round2(Math.min(uloKpa + mem.uloOffsetKpa, level + c.raiseKpa));
        this.enter(mem, 'stress_detected', t, `stress at ${kpa(level)}: raising O2 to ${kpa(mem.setpointKpa)}`, log);
        return;
      }
      if (verdict.outcome === 'lower') {
        const next = round2(level - c.stepKpa);
        const minGapMs = (c.stepKpa / c.maxStepDownKpaPerDay) * DAY;
        if (next < c.o2FloorKpa) {
          mem.stressedLevelKpa = null;
          mem.breakPointKpa = null;
          mem.setpointKpa = level;
          this.enter(mem, 'stress_detected', t, `no stress down to ${kpa(level)}; the floor ${kpa(c.o2FloorKpa)} stops the search`, log);
          return;
        }
        if (mem.lastStepDownMs !== null && t - mem.lastStepDownMs < minGapMs) {
          mem.pendingStepDown = { atMs: mem.lastStepDownMs + minGapMs, toKpa: next };
          this.enter(mem, 'dca_search', t, `no stress at ${kpa(level)}; the step to ${kpa(next)} waits for the step-rate limit (${c.maxStepDownKpaPerDay} kPa/day)`, log);
          return;
        }
        mem.lastStepDownMs = t;
        mem.setpointKpa = next;
        this.enter(mem, 'dca_search', t, `no stress at ${kpa(level)}: stepping down to ${kpa(next)}`, log);
        return;
      }
      this.enter(mem, 'dca_search', t, `measuring again at ${kpa(level)}: ${verdict.reason}`, log);
      return;
    }
    // hold and probe: back to the hold setpoint, adjusted by what the fruit said.
    const hold = mem.holdSetpointKpa ?? level;
    if (purpose === 'hold') {
      if (verdict.outcome === 'raise') {
        mem.holdRaisesInARow++;
        if (mem.holdRaisesInARow >= 2) {
          mem.faultAtMs = t;
          mem.faultReason = `stress at the hold setpoint twice in a row (${kpa(level)}): the O2 sensor may read high; check it against a handheld meter`;
          mem.holdRaisesInARow = 0;
          mem.guardNextMs ??= t + DAY;
          mem.sensorSuspectSinceMs ??= t;
          mem.setpointKpa = round2(uloKpa + mem.uloOffsetKpa);
          this.enter(mem, 'ulo_hold', t, `back to ULO: ${mem.faultReason}`, log);
          return;
        }
        mem.stressedLevelKpa = level;
        mem.breakPointKpa = round2(level + c.stepKpa / 2);
        mem.setpointKpa = round2(Math.min(uloKpa + mem.uloOffsetKpa, level + c.stepKpa));
        mem.holdSetpointKpa = mem.setpointKpa;
        // A break point that moved once may be moving (or the sensor drifting): look again in a day.
        mem.nextHoldMeasureMs = t + DAY;
        this.enter(mem, 'stress_detected', t, `stress at the hold setpoint ${kpa(level)}: the break point rose; raising to ${kpa(mem.setpointKpa)}`, log);
        return;
      }
      if (verdict.outcome === 'lower') mem.holdRaisesInARow = 0;
      mem.setpointKpa = hold;
      if (mem.lastWindow !== null) {
        // Too close to call: measured again within the two days the detector pairs windows over.
        mem.nextHoldMeasureMs = t + DAY;
        this.enter(mem, 'dca_hold', t, `holding ${kpa(hold)}, measuring again in a day: ${verdict.reason}`, log);
        return;
      }
      this.enter(mem, 'dca_hold', t, `hold confirmed at ${kpa(hold)}`, log);
      return;
    }
    // probe at the stressed level
    if (verdict.outcome === 'lower' && mem.stressedLevelKpa !== null) {
      const newStressed = round2(mem.stressedLevelKpa - c.stepKpa);
      const newHold = round2(Math.max(c.o2FloorKpa, hold - c.stepKpa));
      mem.stressedLevelKpa = newStressed;
      mem.breakPointKpa = round2(newStressed + c.stepKpa / 2);
      mem.setpointKpa = newHold;
      mem.holdSetpointKpa = newHold;
      this.enter(mem, 'stress_detected', t, `no stress at the old stressed level ${kpa(level)}: the break point fell; holding ${kpa(newHold)}`, log);
      return;
    }
    mem.setpointKpa = hold;
    this.enter(mem, 'stress_detected', t, `probe at ${kpa(level)}: ${verdict.outcome}; back to ${kpa(hold)}`, log);
  }

  /**
   * The valves for the state and setpoint, with the limits applied last. O2 with N2 (above the setpoint)
   * and air (below it), CO2 with the scrubber; scrubber regeneration lets outside air into the cell, so while
   * the scrubber runs N2 comes on sooner and air later.
   */
  private actuate(mem: CellMemory, o2: number | null, co2: number | null, doorOpen: boolean, co2Sp: number, log: Decision['log']): { valves: Valves; loopOn: boolean } {
    const c = this.config;
    const band = c.holdBandKpa;
    const prev = mem.valves;
    const sp = mem.setpointKpa;
    const measuring = mem.state === 'rq_measurement';
    let { n2, air, scrub } = prev;
    if (co2 === null || measuring || doorOpen) scrub = false;
    // Scrub from the setpoint down by 0.3 kPa, or a quarter of a low setpoint (a pear's 0.7): a scrubber's
    // bed takes less CO2 the less there is, and one that cannot reach its off level never rests for a window.
    else scrub = prev.scrub ? co2 > co2Sp - Math.min(0.3, co2Sp / 4) : co2 > co2Sp + (mem.windowDue ? c.windowCo2MarginKpa : 0);
    if (o2 === null && !doorOpen) {
      // Blind: no N2, and air in doses, so that O2 can only rise until the sensor is back.
      n2 = false;
      air = (mem.lastReadingMs ?? 0) % HOUR < c.blindAirMinPerH * 60_000;
    } else if (o2 === null || doorOpen || measuring) {
      n2 = false;
      air = false;
    } else {
      const n2On = sp + (scrub ? band / 2 : band);
      n2 = prev.n2 ? o2 > sp : o2 > n2On;
      // Below about 3 kPa a generator's 97 % N2 no longer lowers O2: respiration does the rest (DOMAIN.md §6).
      if (o2 < c.n2UsefulAboveKpa) n2 = false;
      const airOn = sp - (scrub ? 1.5 * band : band);
      air = prev.air ? o2 < sp : o2 < airOn;
    }
    // Limits, whatever the above said.
    if (o2 !== null && o2 <= c.o2FloorKpa + band) n2 = false;
    if (o2 !== null && o2 <= c.o2FloorKpa && !doorOpen) air = true;
    if (doorOpen) n2 = false;
    if (n2) air = false;
    const valves = { n2, air, scrub };
    for (const k of ['n2', 'air', 'scrub'] as const) {
      if (valves[k] !== prev[k]) log.push({ decision: `${k} ${valves[k] ? 'on' : 'off'}`, reason: this.valveReason(k, valves[k], o2, co2, sp, co2Sp, doorOpen, measuring) });
    }
    return { valves, loopOn: !measuring && !doorOpen };
  }

  private valveReason(k: keyof Valves, on: boolean, o2: number | null, co2: number | null, sp: number, co2Sp: number, door: boolean, measuring: boolean): string {
    if (door) return 'the door is open';
    if (measuring) return 'closed cell for the RQ window';
    if (k === 'scrub') return co2 === null ? 'no CO2 reading' : `CO2 ${co2.toFixed(3)} kPa, setpoint ${co2Sp.toFixed(2)} kPa`;
    if (o2 === null) return k === 'air' ? `no O2 reading to trust: air dosed ${this.config.blindAirMinPerH} min an hour` : 'no O2 reading to trust';
    if (o2 <= this.config.o2FloorKpa && k === 'air' && on) return `O2 ${kpa(o2)} at the floor ${kpa(this.config.o2FloorKpa)}`;
    return `O2 ${kpa(o2)}, setpoint ${kpa(sp)}`;
  }
}
