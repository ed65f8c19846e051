/**
 * Alarms per cell, judged on reading times only (never the wall clock): thresholds on O2, CO2 and
 * temperature with hysteresis, a sensor gone stale, calibration due, calibration-gas bottle low, drift
 * between a handheld control measurement and the sensor, and the person-safety alarm.
 *
 * Every check uses only the values of a reading that may be used as real (`usableValues`,
 * devices/reading-plausibility.ts): a physically impossible value is unknown, and a reading whose board time
 * is in the future is ignored altogether (it neither moves bench time nor judges a threshold; for the
 * person-safety alarm alone it makes the cell's O2 unknown).
 *
 * Person safety (DOMAIN.md §7): a cell door open while the cell's O2 is below 19.5 % of the atmosphere
 * (19.76 kPa at 101.325 kPa) raises `door_open_low_o2`. It fails safe: O2 counts as low while it is unknown:
 * NA, no reading yet, a reading flagged impossible, no plausible O2 for longer than the safety age limit
 * (`staleAfterMs`, but never more than SAFETY_O2_MAX_AGE_MS), or a board of the cell whose link is not
 * `open` (silent, lost, closed, re-identifying: `onDeviceState`, raised at once on the bridge's clock).
 * It latches: once raised it stays active until both
 *   (a) the condition is over: a plausible O2 ≥ limit + SAFETY_HYSTERESIS_O2_KPA read while every board
 *       of the cell is open (and not undone since by an unknown or low O2), and
 *   (b) an operator resets it (`reset`, POST /api/alarms/:id/reset); a reset before (a) is refused
 *       (BRIDGE_ERR_ALARM_SAFETY).
 * Closing the door alone clears nothing (a person may be inside), and neither does a good O2 alone; until
 * the reset the alarm's message says "condition over, awaiting operator reset". It cannot be configured
 * away, nor acknowledged while active. Active alarms and door states come back from the store after a
 * restart; the latch then waits for a new plausible O2 reading.
 *
 * "Now" for the engine is the newest usable reading time it has seen on the bench (`benchMs`): a stale
 * sensor is one whose last valid value is older than `staleAfterMs` at that time, so even a board gone
 * silent is caught by the others' readings.
 */

import { EventEmitter } from 'node:events';
import { BridgeError } from '../errors.js';
import { usableValues } from '../devices/reading-plausibility.js';
import type { AlarmChange, AlarmKind, AlarmSeverity, AlarmView, DeviceState, ReadingView } from '../events.js';

export type { AlarmChange, AlarmKind, AlarmSeverity, AlarmView };
import type { SqliteStore } from '../store/sqlite-store.js';

/** 19.5 % O2 (OSHA oxygen-deficient air) at the standard atmosphere, kPa. */
export const SAFETY_O2_KPA = (19.5 / 100) * 101.325;

/**
 * How far above SAFETY_O2_KPA a plausible O2 must be for the person-safety condition to be over, kPa.
 * Fixed: the cell's `hysteresisO2Kpa` (an admin setting for `o2_low`/`o2_high`) does not apply to it.
 */
export const SAFETY_HYSTERESIS_O2_KPA = 0.1;

/** Default of `staleAfterMs`: 5 min of reading time. */
export const DEFAULT_STALE_AFTER_MS = 300_000;

/**
 * The oldest O2 the person-safety check believes, ms of reading time, whatever `staleAfterMs` an admin
 * sets (that setting may reach 24 h for `sensor_stale`; the safety check uses the smaller of the two).
 *
 * Why 10 min: no age is truly safe. Below 6 % O2 a person loses consciousness in 30–45 s (DOMAIN.md §7),
 * and a 100–1000 m³ room fed 20–100 Nm³/h of N2 (§6) goes from air to below 19.5 % in minutes
 * (V · ln(20.9 / 19.5) ≈ 0.07 V: about 4 min for 100 m³ at 100 Nm³/h), so the default stays the 5 min of
 * `staleAfterMs`. The ceiling only stops the check being stretched further: 10 min still covers a board's
 * sampling manifold shared by two cells at the longest flush (2 × 5 min, §6). A central analyser that
 * revisits each cell every 15–60 min (§6) does not fit under it, and on purpose: between its visits the
 * cell's O2 is not known, so opening the door raises the alarm, which then waits for the analyser's next
 * plausible O2 above the limit and an operator's reset — the confined-space entry §7 asks for anyway.
 */
export const SAFETY_O2_MAX_AGE_MS = 600_000;

export const ALARM_KINDS: readonly AlarmKind[] = [
  'o2_low', 'o2_high', 'co2_high', 'temp_low', 'temp_high', 'sensor_stale', 'calibration_due', 'cal_gas_low', 'calibration_drift', 'door_open_low_o2', 'controller',
];

/** Thresholds of one cell; a threshold left out is not checked. Units in the names. */
export interface CellAlarmConfig {
  o2LowKpa?: number;
  o2HighKpa?: number;
  co2HighKpa?: number;
  tempLowC?: number;
  tempHighC?: number;
  /**
   * A quantity with no valid value for this long (reading time) is stale. Default 300000 (5 min). The
   * person-safety check uses at most SAFETY_O2_MAX_AGE_MS, whatever this says.
   */
  staleAfterMs?: number;
  /** Largest handheld-versus-sensor difference before `calibration_drift`. Defaults 0.3 kPa, 0.1 kPa, 0.5 °C. */
  driftO2Kpa?: number;
  driftCo2Kpa?: number;
  driftTempC?: number;
  /** Calibration-gas bottle pressure below which `cal_gas_low` is raised, bar. Default 20. */
  calGasLowBar?: number;
  /**
   * How far back inside the limit a value must come to clear. Defaults 0.1 kPa O2, 0.05 kPa CO2, 0.3 °C.
   * Not for the person-safety alarm (SAFETY_HYSTERESIS_O2_KPA).
   */
  hysteresisO2Kpa?: number;
  hysteresisCo2Kpa?: number;
  hysteresisTempC?: number;
}

export interface AlarmEngineEvents {
  alarm: [alarm: AlarmView, change: AlarmChange];
}

interface CellState {
  deviceId: string | null;
  /** The cell's O2 as the last reading gave it, null when unknown (NA, flagged, board link not open). */
  o2Kpa: number | null;
  /** Why `o2Kpa` is null, for the safety alarm's message. */
  o2UnknownWhy: string;
  lastValidMs: { o2: number | null; co2: number | null; temp: number | null };
  doorOpen: boolean;
  /** When the door state was last reported, null when never. */
  doorAtMs: number | null;
  calibrationDueAtMs: number | null;
  calGasBar: number | null;
}

const SEVERITY: Record<AlarmKind, AlarmSeverity> = {
  o2_low: 'critical',
  o2_high: 'warning',
  co2_high: 'critical',
  temp_low: 'warning',
  temp_high: 'warning',
  sensor_stale: 'critical',
  calibration_due: 'warning',
  cal_gas_low: 'warning',
  calibration_drift: 'warning',
  door_open_low_o2: 'safety',
  // A controller's alarm carries its own severity (warning or critical, never safety).
  controller: 'warning',
};

const SAFETY: AlarmKind = 'door_open_low_o2';

/** An active alarm's key: one per cell and kind, and per code for a controller's. */
function activeKey(a: Pick<AlarmView, 'cellId' | 'kind' | 'code'>): string {
  return a.kind === 'controller' ? `${a.cellId}/controller:${a.code ?? ''}` : `${a.cellId}/${a.kind}`;
}
const LIMIT_TEXT = `limit ${SAFETY_O2_KPA.toFixed(2)} kPa = 19.5 %`;

/** The quantities a sensor can go stale in. */
const QUANTITIES = ['o2', 'co2', 'temp'] as const;

export class AlarmEngine extends EventEmitter<AlarmEngineEvents> {
  private readonly store: SqliteStore;
  private readonly config: (cellId: string) => CellAlarmConfig;
  private readonly cells = new Map<string, CellState>();
  /** Active alarms by `${cellId}/${kind}` (`key`). */
  private readonly active = new Map<string, AlarmView>();
  /**
   * `${cellId}/${kind}` of every cell and kind asked for, made once: every reading looks a few up, and a
   * string built per lookup is hashed and compared anew each time.
   */
  private readonly keys = new Map<string, Map<AlarmKind, string>>();
  /** The link state of every board the engine has heard of, with its cell. */
  private readonly links = new Map<string, { cellId: string; state: DeviceState }>();
  /**
   * Cells whose latched safety alarm has its condition over (a plausible O2 above limit + hysteresis, every
   * board open), with the time that was first seen: only these may be reset.
   */
  private readonly safetyOverAtMs = new Map<string, number>();
  /** When each cell's first reading was measured. */
  private readonly firstSeenMs = new Map<string, number>();
  private benchMsValue = 0;

  constructor(store: SqliteStore, config: (cellId: string) => CellAlarmConfig) {
    super();
    this.store = store;
    this.config = config;
    // A restarted bridge goes on where it stopped: active alarms and door states come from the store, so
    // a safety alarm is never cleared by a restart (and its latch waits for a new plausible O2).
    for (const a of store.alarms.list('active')) this.active.set(activeKey(a), a);
    for (const d of store.events.doorStates()) Object.assign(this.cell(d.cellId), { doorOpen: d.open, doorAtMs: d.atMs });
    for (const c of store.cellRecords.latestOfKind('calibration')) this.cell(c.cellId).calibrationDueAtMs = (c.body as { dueAtMs: number }).dueAtMs;
  }

  /** The newest usable reading time seen: the engine's "now". */
  get benchMs(): number {
    return this.benchMsValue;
  }

  private cell(cellId: string): CellState {
    let c = this.cells.get(cellId);
    if (!c) {
      c = {
        deviceId: null, o2Kpa: null, o2UnknownWhy: 'no reading yet', lastValidMs: { o2: null, co2: null, temp: null }, doorOpen: false, doorAtMs: null,
        calibrationDueAtMs: null, calGasBar: null,
      };
      this.cells.set(cellId, c);
    }
    return c;
  }

  /** The key of a cell's alarm of one kind in `active` (a controller's alarms are keyed by `activeKey`). */
  private key(cellId: string, kind: AlarmKind): string {
    let byKind = this.keys.get(cellId);
    if (!byKind) this.keys.set(cellId, (byKind = new Map()));
    let key = byKind.get(kind);
    if (key === undefined) byKind.set(kind, (key = `${cellId}/${kind}`));
    return key;
  }

  list(filter: { state?: 'active' | 'all'; cellId?: string } = {}): AlarmView[] {
    return this.store.alarms.list(filter.state ?? 'active', filter.cellId).map((a) => this.view(a));
  }

  /**
   * The alarms a controller holds for a cell (its record's `alarms`): a code listed and not active is raised,
   * an active controller alarm whose code is not listed is cleared. Returns the codes raised and cleared.
   */
  setControllerAlarms(cellId: string, alarms: ReadonlyArray<{ code: string; severity: 'warning' | 'critical'; message: string; value?: number | null; threshold?: number | null }>, atMs: number): { raised: string[]; cleared: string[] } {
    const wanted = new Map(alarms.map((a) => [a.code, a]));
    const raised: string[] = [];
    const cleared: string[] = [];
    const prefix = `${cellId}/controller:`;
    for (const [key, alarm] of [...this.active]) {
      if (!key.startsWith(prefix) || wanted.has(alarm.code ?? '')) continue;
      this.active.delete(key);
      this.store.alarms.clear(alarm.id, atMs);
      cleared.push(alarm.code ?? '');
      this.emit('alarm', { ...alarm, state: 'cleared', clearedAtMs: atMs }, 'cleared');
    }
    for (const a of wanted.values()) {
      const key = `${prefix}${a.code}`;
      if (this.active.has(key)) continue;
      const deviceId = this.cell(cellId).deviceId;
      const value = a.value ?? null;
      const threshold = a.threshold ?? null;
      const id = this.store.alarms.raise({ cellId, deviceId, kind: 'controller', code: a.code, severity: a.severity, atMs, value, threshold, message: a.message });
      const alarm: AlarmView = {
        id, cellId, deviceId, kind: 'controller', code: a.code, severity: a.severity, state: 'active', raisedAtMs: atMs, clearedAtMs: null, ackedAtMs: null, ackedBy: null, value, threshold, message: a.message,
      };
      this.active.set(key, alarm);
      raised.push(a.code);
      this.emit('alarm', alarm, 'raised');
    }
    return { raised, cleared };
  }

  /** A stored alarm as clients see it: a latched safety alarm whose condition is over says so. */
  private view(a: AlarmView): AlarmView {
    if (a.kind !== SAFETY || a.state !== 'active' || this.active.get(this.key(a.cellId, a.kind))?.id !== a.id) return a;
    const overAtMs = this.safetyOverAtMs.get(a.cellId);
    if (overAtMs === undefined) return a;
    return { ...a, message: `${a.message} [condition over since ${new Date(overAtMs).toISOString()}, awaiting operator reset]` };
  }

  private raise(cellId: string, kind: AlarmKind, atMs: number, value: number | null, threshold: number | null, message: string): void {
    const key = this.key(cellId, kind);
    if (this.active.has(key)) return;
    const deviceId = this.cell(cellId).deviceId;
    const severity = SEVERITY[kind];
    const id = this.store.alarms.raise({ cellId, deviceId, kind, severity, atMs, value, threshold, message });
    const alarm: AlarmView = {
      id, cellId, deviceId, kind, severity, state: 'active', raisedAtMs: atMs, clearedAtMs: null, ackedAtMs: null, ackedBy: null, value, threshold, message,
    };
    this.active.set(key, alarm);
    this.emit('alarm', alarm, 'raised');
  }

  private clear(cellId: string, kind: AlarmKind, atMs: number): void {
    const key = this.key(cellId, kind);
    const alarm = this.active.get(key);
    if (!alarm) return;
    this.active.delete(key);
    this.store.alarms.clear(alarm.id, atMs);
    this.emit('alarm', { ...alarm, state: 'cleared', clearedAtMs: atMs }, 'cleared');
  }

  private judge(cellId: string, kind: AlarmKind, atMs: number, bad: boolean, good: boolean, value: number | null, threshold: number | null, message: string): void {
    if (bad) this.raise(cellId, kind, atMs, value, threshold, message);
    else if (good) this.clear(cellId, kind, atMs);
  }

  /**
   * A live reading of a board measuring `cellId`. Only its usable values count; a reading whose time is
   * in the future moves nothing but the cell's O2 for the safety check (unknown from now, at the bridge
   * time it was received).
   */
  onReading(cellId: string, r: ReadingView): void {
    const c = this.cell(cellId);
    const flags = r.flags ?? [];
    const v = usableValues(r);
    if (flags.includes('time_future')) {
      c.o2Kpa = null;
      c.o2UnknownWhy = `reading ${r.seq} of ${r.deviceId} has a board time in the future`;
      this.checkSafety(cellId, r.receivedAtMs);
      return;
    }
    const t = r.measuredAtMs;
    this.benchMsValue = Math.max(this.benchMsValue, t);
    c.deviceId = r.deviceId;
    if (!this.firstSeenMs.has(cellId)) this.firstSeenMs.set(cellId, t);
    const cfg = this.config(cellId);
    if (v.o2Kpa !== null) c.lastValidMs.o2 = t;
    if (v.co2Kpa !== null) c.lastValidMs.co2 = t;
    if (v.tempC !== null) c.lastValidMs.temp = t;
    c.o2Kpa = v.o2Kpa;
    if (v.o2Kpa === null) c.o2UnknownWhy = flags.includes('o2_impossible') ? `reading flagged o2_impossible: ${r.o2Kpa} kPa` : 'NA';

    const hO2 = cfg.hysteresisO2Kpa ?? 0.1;
    const hCo2 = cfg.hysteresisCo2Kpa ?? 0.05;
    const hT = cfg.hysteresisTempC ?? 0.3;
    if (v.o2Kpa !== null) {
      const x = v.o2Kpa;
      if (cfg.o2LowKpa !== undefined) this.judge(cellId, 'o2_low', t, x < cfg.o2LowKpa, x >= cfg.o2LowKpa + hO2, x, cfg.o2LowKpa, `O2 ${x} kPa below ${cfg.o2LowKpa} kPa`);
      if (cfg.o2HighKpa !== undefined) this.judge(cellId, 'o2_high', t, x > cfg.o2HighKpa, x <= cfg.o2HighKpa - hO2, x, cfg.o2HighKpa, `O2 ${x} kPa above ${cfg.o2HighKpa} kPa`);
    }
    if (v.co2Kpa !== null && cfg.co2HighKpa !== undefined) {
      const x = v.co2Kpa;
      this.judge(cellId, 'co2_high', t, x > cfg.co2HighKpa, x <= cfg.co2HighKpa - hCo2, x, cfg.co2HighKpa, `CO2 ${x} kPa above ${cfg.co2HighKpa} kPa`);
    }
    if (v.tempC !== null) {
      const x = v.tempC;
      if (cfg.tempLowC !== undefined) this.judge(cellId, 'temp_low', t, x < cfg.tempLowC, x >= cfg.tempLowC + hT, x, cfg.tempLowC, `temperature ${x} °C below ${cfg.tempLowC} °C`);
      if (cfg.tempHighC !== undefined) this.judge(cellId, 'temp_high', t, x > cfg.tempHighC, x <= cfg.tempHighC - hT, x, cfg.tempHighC, `temperature ${x} °C above ${cfg.tempHighC} °C`);
    }
    if (c.calibrationDueAtMs !== null && t >= c.calibrationDueAtMs) {
      this.raise(cellId, 'calibration_due', t, null, c.calibrationDueAtMs, `calibration was due at ${new Date(c.calibrationDueAtMs).toISOString()}`);
    }
    this.checkStale();
    // This cell at its reading's time; every other cell at bench time (an open door whose O2 went stale).
    this.checkSafety(cellId, t);
    for (const other of this.cells.keys()) if (other !== cellId) this.checkSafety(other, this.benchMsValue);
  }

  /**
   * The link state of a board measuring `cellId` changed, at `atMs` on the bridge's clock. Any state but
   * `open` makes the cell's O2 unknown from now (a new reading makes it known again): with the door open the
   * safety alarm is raised at once.
   */
  onDeviceState(cellId: string, deviceId: string, state: DeviceState, atMs: number): void {
    this.links.set(deviceId, { cellId, state });
    const c = this.cell(cellId);
    if (c.deviceId === null) c.deviceId = deviceId;
    if (state !== 'open') {
      c.o2Kpa = null;
      c.o2UnknownWhy = `board ${deviceId} was "${state}"`;
    }
    this.checkSafety(cellId, atMs);
  }

  /** Every cell's sensors against the bench time. */
  private checkStale(): void {
    const now = this.benchMsValue;
    for (const [cellId, c] of this.cells) {
      if (c.deviceId === null) continue;
      const limit = this.config(cellId).staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
      const stale = QUANTITIES.filter((q) => c.lastValidMs[q] === null || now - c.lastValidMs[q]! > limit);
      if (stale.length === 0) {
        this.clear(cellId, 'sensor_stale', now);
        continue;
      }
      // No valid value yet is stale only once the cell has been watched for the whole limit.
      const watchedLongEnough = stale.every((q) => c.lastValidMs[q] !== null) || (this.firstSeenMs.get(cellId) ?? now) <= now - limit;
      if (watchedLongEnough) {
        this.raise(cellId, 'sensor_stale', now, null, limit, `no valid ${stale.join(', ')} for more than ${limit} ms of reading time`);
      }
    }
  }

  /** The age past which the safety check takes a cell's O2 for unknown: `staleAfterMs`, capped. */
  private safetyMaxAgeMs(cellId: string): number {
    return Math.min(this.config(cellId).staleAfterMs ?? DEFAULT_STALE_AFTER_MS, SAFETY_O2_MAX_AGE_MS);
  }

  /** A board of the cell whose link is not open, if any. */
  private linkDown(cellId: string): { deviceId: string; state: DeviceState } | undefined {
    for (const [deviceId, l] of this.links) if (l.cellId === cellId && l.state !== 'open') return { deviceId, state: l.state };
    return undefined;
  }

  /**
   * Why the cell's O2 is not known to be breathable at `atMs` (low, or unknown: NA, flagged, stale, a board
   * not open), or null when it is at or above the safety limit.
   */
  private o2Danger(cellId: string, atMs: number): string | null {
    const c = this.cell(cellId);
    const down = this.linkDown(cellId);
    if (down) return `board ${down.deviceId} is "${down.state}": O2 unknown`;
    if (c.o2Kpa === null) return `O2 unknown (${c.o2UnknownWhy})`;
    const maxAgeMs = this.safetyMaxAgeMs(cellId);
    if (c.lastValidMs.o2 === null || atMs - c.lastValidMs.o2 > maxAgeMs) return `O2 unknown (no plausible O2 for more than ${maxAgeMs} ms of reading time)`;
    if (c.o2Kpa < SAFETY_O2_KPA) return `O2 ${c.o2Kpa} kPa`;
    return null;
  }

  /** Whether the cell's O2 is known, plausible and at or above limit + the fixed hysteresis at `atMs`. */
  private o2Breathable(cellId: string, atMs: number): boolean {
    const o2 = this.cell(cellId).o2Kpa;
    return this.o2Danger(cellId, atMs) === null && o2 !== null && o2 >= SAFETY_O2_KPA + SAFETY_HYSTERESIS_O2_KPA;
  }

  /** Raises the safety alarm, or moves its latch: never clears it (only `reset` does). */
  private checkSafety(cellId: string, atMs: number): void {
    const c = this.cell(cellId);
    const latched = this.active.has(this.key(cellId, SAFETY));
    // Door closed and nothing latched (nearly every reading): nothing to raise or move, and the danger's
    // text (a number formatted for every reading of a low-O2 cell) is not needed.
    if (!c.doorOpen && !latched) return;
    const danger = this.o2Danger(cellId, atMs);
    if (c.doorOpen && danger !== null) {
      this.safetyOverAtMs.delete(cellId);
      this.raise(cellId, SAFETY, atMs, c.o2Kpa, SAFETY_O2_KPA, `DANGER: ${danger} with the cell door open (${LIMIT_TEXT}): nobody may enter`);
      return;
    }
    if (!latched) return;
    // Latched: the condition is over only on a breathable O2; a low or unknown one (door open or closed:
    // a person may be inside) undoes that.
    if (this.o2Breathable(cellId, atMs)) {
      if (!this.safetyOverAtMs.has(cellId)) this.safetyOverAtMs.set(cellId, atMs);
    } else this.safetyOverAtMs.delete(cellId);
  }

  /** The cell door opened or closed at `atMs` (bridge time, the same scale as reading times). */
  setDoor(cellId: string, open: boolean, atMs: number): void {
    this.benchMsValue = Math.max(this.benchMsValue, atMs);
    Object.assign(this.cell(cellId), { doorOpen: open, doorAtMs: atMs });
    this.store.events.add({ atMs, kind: 'cell.door', detail: { cellId, open } });
    this.checkSafety(cellId, atMs);
  }

  /**
   * Judges every cell whose door is open at `atMs` (bridge clock), for what no reading or link event
   * brings: after a restart with a door open, a board that never reports again leaves O2 unknown.
   */
  checkOpenDoors(atMs: number): void {
    for (const [cellId, c] of this.cells) if (c.doorOpen) this.checkSafety(cellId, atMs);
  }

  doorOpen(cellId: string): boolean {
    return this.cells.get(cellId)?.doorOpen ?? false;
  }

  /** The door as last reported, null when never (kept across restarts in the event log). */
  door(cellId: string): { open: boolean; atMs: number } | null {
    const c = this.cells.get(cellId);
    return c && c.doorAtMs !== null ? { open: c.doorOpen, atMs: c.doorAtMs } : null;
  }

  /** Calibration recorded: due again at `dueAtMs`. Clears `calibration_due` and `calibration_drift`. */
  setCalibration(cellId: string, calibratedAtMs: number, dueAtMs: number): void {
    this.cell(cellId).calibrationDueAtMs = dueAtMs;
    this.clear(cellId, 'calibration_due', calibratedAtMs);
    this.clear(cellId, 'calibration_drift', calibratedAtMs);
  }

  /** A reading of the calibration-gas bottle's pressure. */
  setCalGasBottle(cellId: string, bar: number, atMs: number): void {
    const limit = this.config(cellId).calGasLowBar ?? 20;
    this.cell(cellId).calGasBar = bar;
    this.judge(cellId, 'cal_gas_low', atMs, bar < limit, bar >= limit, bar, limit, `calibration-gas bottle at ${bar} bar, below ${limit} bar: reorder`);
  }

  /**
   * A handheld control measurement against the sensor's reading at that moment: raises or clears
   * `calibration_drift`. Returns the differences (handheld minus sensor).
   */
  compareManual(
    cellId: string,
    atMs: number,
    manual: { o2Kpa: number | null; co2Kpa: number | null; tempC: number | null },
    sensor: ReadingView,
  ): { o2Kpa: number | null; co2Kpa: number | null; tempC: number | null; drifted: string[] } {
    const cfg = this.config(cellId);
    const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.round((a - b) * 1000) / 1000);
    const d = { o2Kpa: diff(manual.o2Kpa, sensor.o2Kpa), co2Kpa: diff(manual.co2Kpa, sensor.co2Kpa), tempC: diff(manual.tempC, sensor.tempC) };
    const drifted: string[] = [];
    if (d.o2Kpa !== null && Math.abs(d.o2Kpa) > (cfg.driftO2Kpa ?? 0.3)) drifted.push(`O2 ${d.o2Kpa > 0 ? '+' : ''}${d.o2Kpa} kPa`);
    if (d.co2Kpa !== null && Math.abs(d.co2Kpa) > (cfg.driftCo2Kpa ?? 0.1)) drifted.push(`CO2 ${d.co2Kpa > 0 ? '+' : ''}${d.co2Kpa} kPa`);
    if (d.tempC !== null && Math.abs(d.tempC) > (cfg.driftTempC ?? 0.5)) drifted.push(`temperature ${d.tempC > 0 ? '+' : ''}${d.tempC} °C`);
    const compared = [d.o2Kpa, d.co2Kpa, d.tempC].some((x) => x !== null);
    const worst = d.o2Kpa ?? d.co2Kpa ?? d.tempC;
    this.judge(cellId, 'calibration_drift', atMs, drifted.length > 0, compared && drifted.length === 0, worst, null,
      `handheld and sensor differ: ${drifted.join(', ')}`);
    return { ...d, drifted };
  }

  /** Acknowledges an alarm; the safety alarm cannot be acknowledged while active. */
  acknowledge(id: number, by: string, atMs: number): AlarmView {
    const row = this.store.alarms.get(id);
    if (!row) throw new BridgeError('BRIDGE_ERR_ALARM_NOT_FOUND', 404, `no alarm ${id}`);
    if (row.kind === SAFETY && row.state === 'active') {
      throw new BridgeError('BRIDGE_ERR_ALARM_SAFETY', 409,
        `alarm ${id} is the person-safety alarm (door open, O2 low or unknown); it cannot be acknowledged while active: once O2 is back, reset it (POST /api/alarms/${id}/reset)`);
    }
    if (row.ackedAtMs !== null) return row;
    this.store.alarms.ack(id, by, atMs);
    const acked: AlarmView = { ...row, ackedAtMs: atMs, ackedBy: by };
    const key = activeKey(row);
    if (this.active.get(key)?.id === id) this.active.set(key, acked);
    this.emit('alarm', acked, 'acked');
    return acked;
  }

  /**
   * An operator resets the latched person-safety alarm at `atMs` (bridge clock): it clears only when its
   * condition is over (a plausible O2 ≥ limit + hysteresis read since it was raised, nothing unknown or low
   * since, every board of the cell open); otherwise 409 BRIDGE_ERR_ALARM_SAFETY saying why. Who reset it is
   * kept in the alarm's `acked_by`/`acked_at_ms` and an `alarm.reset` event. An alarm already cleared is
   * answered as it is; other kinds do not latch (400).
   */
  reset(id: number, by: string, atMs: number): AlarmView {
    const row = this.store.alarms.get(id);
    if (!row) throw new BridgeError('BRIDGE_ERR_ALARM_NOT_FOUND', 404, `no alarm ${id}`);
    if (row.kind !== SAFETY) {
      throw new BridgeError('BRIDGE_ERR_BAD_PARAMS', 400, `alarm ${id} is "${row.kind}", which clears by itself: only "${SAFETY}" latches and is reset`, { field: 'id' });
    }
    if (row.state !== 'active') return row;
    const { cellId } = row;
    const c = this.cell(cellId);
    const nowMs = Math.max(this.benchMsValue, atMs);
    const danger = this.o2Danger(cellId, nowMs);
    if (!this.safetyOverAtMs.has(cellId) || !this.o2Breathable(cellId, nowMs)) {
      const why = c.doorOpen && danger !== null
        ? `the door of cell "${cellId}" is open and ${danger}`
        : danger !== null
          ? `${danger} in cell "${cellId}" (the door is ${c.doorOpen ? 'open' : 'closed'}; a person may be inside)`
          : `no plausible O2 at or above ${(SAFETY_O2_KPA + SAFETY_HYSTERESIS_O2_KPA).toFixed(2)} kPa has been read in cell "${cellId}" since it was raised (a person may be inside)`;
      throw new BridgeError('BRIDGE_ERR_ALARM_SAFETY', 409, `person-safety alarm ${id} cannot be reset: ${why}`);
    }
    const overAtMs = this.safetyOverAtMs.get(cellId)!;
    this.store.alarms.ack(id, by, atMs);
    this.store.events.add({ atMs, ...(row.deviceId ? { deviceId: row.deviceId } : {}), kind: 'alarm.reset', detail: { alarmId: id, cellId, kind: row.kind, by, conditionOverAtMs: overAtMs, doorOpen: c.doorOpen } });
    const key = this.key(cellId, SAFETY);
    const alarm = this.active.get(key);
    this.safetyOverAtMs.delete(cellId);
    if (alarm?.id === id) {
      this.active.set(key, { ...alarm, ackedAtMs: atMs, ackedBy: by });
      this.clear(cellId, SAFETY, atMs);
    } else this.store.alarms.clear(id, atMs);
    return { ...row, state: 'cleared', clearedAtMs: atMs, ackedAtMs: atMs, ackedBy: by };
  }
}
