/**
 * Alarms per cell, judged on reading times only (never the wall clock): thresholds on O2, CO2 and
 * temperature with hysteresis, a sensor gone stale, calibration due, calibration-gas bottle low, drift
 * between a handheld control measurement and the sensor, and the person-safety alarm.
 *
 * Person safety (DOMAIN.md §7): a cell door open while the cell's O2 is below 19.5 % of the atmosphere
 * (19.76 kPa at 101.325 kPa) raises `door_open_low_o2`. It is fail-safe: an O2 that is unknown (NA, no
 * reading yet, or stale) counts as low. It cannot be configured away, and it cannot be acknowledged
 * while active (BRIDGE_ERR_ALARM_SAFETY); it clears only when the door is closed or O2 is back above the
 * limit with a door open.
 *
 * "Now" for the engine is the newest reading time it has seen on the bench (`benchMs`): a stale sensor is
 * one whose last valid value is older than `staleAfterMs` at that time, so even a board gone silent is
 * caught by the others' readings.
 */

import { EventEmitter } from 'node:events';
import { BridgeError } from '../errors.js';
import type { AlarmChange, AlarmKind, AlarmSeverity, AlarmView, ReadingView } from '../events.js';

export type { AlarmChange, AlarmKind, AlarmSeverity, AlarmView };
import type { SqliteStore } from '../store/sqlite-store.js';

/** 19.5 % O2 (OSHA oxygen-deficient air) at the standard atmosphere, kPa. */
export const SAFETY_O2_KPA = (19.5 / 100) * 101.325;

export const ALARM_KINDS: readonly AlarmKind[] = [
  'o2_low', 'o2_high', 'co2_high', 'temp_low', 'temp_high', 'sensor_stale', 'calibration_due', 'cal_gas_low', 'calibration_drift', 'door_open_low_o2',
];

/** Thresholds of one cell; a threshold left out is not checked. Units in the names. */
export interface CellAlarmConfig {
  o2LowKpa?: number;
  o2HighKpa?: number;
  co2HighKpa?: number;
  tempLowC?: number;
  tempHighC?: number;
  /** A quantity with no valid value for this long (reading time) is stale. Default 300000 (5 min). */
  staleAfterMs?: number;
  /** Largest handheld-versus-sensor difference before `calibration_drift`. Defaults 0.3 kPa, 0.1 kPa, 0.5 °C. */
  driftO2Kpa?: number;
  driftCo2Kpa?: number;
  driftTempC?: number;
  /** Calibration-gas bottle pressure below which `cal_gas_low` is raised, bar. Default 20. */
  calGasLowBar?: number;
  /** How far back inside the limit a value must come to clear. Defaults 0.1 kPa O2, 0.05 kPa CO2, 0.3 °C. */
  hysteresisO2Kpa?: number;
  hysteresisCo2Kpa?: number;
  hysteresisTempC?: number;
}

export interface AlarmEngineEvents {
  alarm: [alarm: AlarmView, change: AlarmChange];
}

interface CellState {
  deviceId: string | null;
  o2Kpa: number | null;
  lastValidMs: { o2: number | null; co2: number | null; temp: number | null };
  doorOpen: boolean;
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
};

export class AlarmEngine extends EventEmitter<AlarmEngineEvents> {
  private readonly store: SqliteStore;
  private readonly config: (cellId: string) => CellAlarmConfig;
  private readonly cells = new Map<string, CellState>();
  /** Active alarms by `${cellId}/${kind}`. */
  private readonly active = new Map<string, AlarmView>();
  private benchMsValue = 0;

  constructor(store: SqliteStore, config: (cellId: string) => CellAlarmConfig) {
    super();
    this.store = store;
    this.config = config;
    // A restarted bridge goes on where it stopped: active alarms and door states come from the store, so
    // a safety alarm is never cleared by a restart.
    for (const a of store.alarms('active') as AlarmView[]) this.active.set(`${a.cellId}/${a.kind}`, a);
    for (const d of store.doorStates()) this.cell(d.cellId).doorOpen = d.open;
  }

  /** The newest reading time seen: the engine's "now". */
  get benchMs(): number {
    return this.benchMsValue;
  }

  private cell(cellId: string): CellState {
    let c = this.cells.get(cellId);
    if (!c) {
      c = { deviceId: null, o2Kpa: null, lastValidMs: { o2: null, co2: null, temp: null }, doorOpen: false, calibrationDueAtMs: null, calGasBar: null };
      this.cells.set(cellId, c);
    }
    return c;
  }

  list(filter: { state?: 'active' | 'all'; cellId?: string } = {}): AlarmView[] {
    return this.store.alarms(filter.state ?? 'active', filter.cellId) as AlarmView[];
  }

  private raise(cellId: string, kind: AlarmKind, atMs: number, value: number | null, threshold: number | null, message: string): void {
    const key = `${cellId}/${kind}`;
    if (this.active.has(key)) return;
    const deviceId = this.cell(cellId).deviceId;
    const severity = SEVERITY[kind];
    const id = this.store.raiseAlarm({ cellId, deviceId, kind, severity, atMs, value, threshold, message });
    const alarm: AlarmView = {
      id, cellId, deviceId, kind, severity, state: 'active', raisedAtMs: atMs, clearedAtMs: null, ackedAtMs: null, ackedBy: null, value, threshold, message,
    };
    this.active.set(key, alarm);
    this.emit('alarm', alarm, 'raised');
  }

  private clear(cellId: string, kind: AlarmKind, atMs: number): void {
    const key = `${cellId}/${kind}`;
    const alarm = this.active.get(key);
    if (!alarm) return;
    this.active.delete(key);
    this.store.clearAlarm(alarm.id, atMs);
    this.emit('alarm', { ...alarm, state: 'cleared', clearedAtMs: atMs }, 'cleared');
  }

  private judge(cellId: string, kind: AlarmKind, atMs: number, bad: boolean, good: boolean, value: number | null, threshold: number | null, message: string): void {
    if (bad) this.raise(cellId, kind, atMs, value, threshold, message);
    else if (good) this.clear(cellId, kind, atMs);
  }

  /** A live reading of a board measuring `cellId`. */
  onReading(cellId: string, r: ReadingView): void {
    const t = r.measuredAtMs;
    this.benchMsValue = Math.max(this.benchMsValue, t);
    const c = this.cell(cellId);
    c.deviceId = r.deviceId;
    if (!this.firstSeenMs.has(cellId)) this.firstSeenMs.set(cellId, t);
    const cfg = this.config(cellId);
    if (r.o2Kpa !== null) c.lastValidMs.o2 = t;
    if (r.co2Kpa !== null) c.lastValidMs.co2 = t;
    if (r.tempC !== null) c.lastValidMs.temp = t;
    c.o2Kpa = r.o2Kpa;

    const hO2 = cfg.hysteresisO2Kpa ?? 0.1;
    const hCo2 = cfg.hysteresisCo2Kpa ?? 0.05;
    const hT = cfg.hysteresisTempC ?? 0.3;
    if (r.o2Kpa !== null) {
      const v = r.o2Kpa;
      if (cfg.o2LowKpa !== undefined) this.judge(cellId, 'o2_low', t, v < cfg.o2LowKpa, v >= cfg.o2LowKpa + hO2, v, cfg.o2LowKpa, `O2 ${v} kPa below ${cfg.o2LowKpa} kPa`);
      if (cfg.o2HighKpa !== undefined) this.judge(cellId, 'o2_high', t, v > cfg.o2HighKpa, v <= cfg.o2HighKpa - hO2, v, cfg.o2HighKpa, `O2 ${v} kPa above ${cfg.o2HighKpa} kPa`);
    }
    if (r.co2Kpa !== null && cfg.co2HighKpa !== undefined) {
      const v = r.co2Kpa;
      this.judge(cellId, 'co2_high', t, v > cfg.co2HighKpa, v <= cfg.co2HighKpa - hCo2, v, cfg.co2HighKpa, `CO2 ${v} kPa above ${cfg.co2HighKpa} kPa`);
    }
    if (r.tempC !== null) {
      const v = r.tempC;
      if (cfg.tempLowC !== undefined) this.judge(cellId, 'temp_low', t, v < cfg.tempLowC, v >= cfg.tempLowC + hT, v, cfg.tempLowC, `temperature ${v} °C below ${cfg.tempLowC} °C`);
      if (cfg.tempHighC !== undefined) this.judge(cellId, 'temp_high', t, v > cfg.tempHighC, v <= cfg.tempHighC - hT, v, cfg.tempHighC, `temperature ${v} °C above ${cfg.tempHighC} °C`);
    }
    if (c.calibrationDueAtMs !== null && t >= c.calibrationDueAtMs) {
      this.raise(cellId, 'calibration_due', t, null, c.calibrationDueAtMs, `calibration was due at ${new Date(c.calibrationDueAtMs).toISOString()}`);
    }
    this.checkStale();
    this.checkSafety(cellId, t);
  }

  /** Every cell's sensors against the bench time. */
  private checkStale(): void {
    const now = this.benchMsValue;
    for (const [cellId, c] of this.cells) {
      if (c.deviceId === null) continue;
      const limit = this.config(cellId).staleAfterMs ?? 300_000;
      const stale = (['o2', 'co2', 'temp'] as const).filter((q) => c.lastValidMs[q] === null || now - c.lastValidMs[q]! > limit);
      // No valid value yet is stale only once the cell has been watched for the whole limit.
      const watchedLongEnough = stale.every((q) => c.lastValidMs[q] !== null) || (this.firstSeenMs.get(cellId) ?? now) <= now - limit;
      if (stale.length > 0 && watchedLongEnough) {
        this.raise(cellId, 'sensor_stale', now, null, limit, `no valid ${stale.join(', ')} for more than ${limit} ms of reading time`);
      } else if (stale.length === 0) this.clear(cellId, 'sensor_stale', now);
    }
  }

  /** When each cell's first reading was measured. */
  private readonly firstSeenMs = new Map<string, number>();

  private o2Unsafe(cellId: string, atMs: number): boolean {
    const c = this.cell(cellId);
    const limit = this.config(cellId).staleAfterMs ?? 300_000;
    const stale = c.lastValidMs.o2 === null || atMs - c.lastValidMs.o2 > limit;
    return c.o2Kpa === null || stale || c.o2Kpa < SAFETY_O2_KPA;
  }

  private checkSafety(cellId: string, atMs: number): void {
    const c = this.cell(cellId);
    if (c.doorOpen && this.o2Unsafe(cellId, atMs)) {
      const o2 = c.o2Kpa;
      this.raise(cellId, 'door_open_low_o2', atMs, o2, SAFETY_O2_KPA,
        `DANGER: cell door open while O2 is ${o2 === null ? 'unknown' : `${o2} kPa`} (limit ${SAFETY_O2_KPA.toFixed(2)} kPa = 19.5 %): nobody may enter`);
    } else if (!c.doorOpen || (c.o2Kpa !== null && c.o2Kpa >= SAFETY_O2_KPA + (this.config(cellId).hysteresisO2Kpa ?? 0.1))) {
      this.clear(cellId, 'door_open_low_o2', atMs);
    }
  }

  /** The cell door opened or closed at `atMs` (bridge time, the same scale as reading times). */
  setDoor(cellId: string, open: boolean, atMs: number): void {
    this.benchMsValue = Math.max(this.benchMsValue, atMs);
    this.cell(cellId).doorOpen = open;
    this.store.event({ atMs, kind: 'cell.door', detail: { cellId, open } });
    this.checkSafety(cellId, atMs);
  }

  doorOpen(cellId: string): boolean {
    return this.cells.get(cellId)?.doorOpen ?? false;
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
    const row = this.store.alarm(id) as AlarmView | undefined;
    if (!row) throw new BridgeError('BRIDGE_ERR_ALARM_NOT_FOUND', 404, `no alarm ${id}`);
    if (row.kind === 'door_open_low_o2' && row.state === 'active') {
      throw new BridgeError('BRIDGE_ERR_ALARM_SAFETY', 409, `alarm ${id} is the person-safety alarm (door open, O2 low); it cannot be acknowledged while active: close the door or restore O2`);
    }
    if (row.ackedAtMs !== null) return row;
    this.store.ackAlarm(id, by, atMs);
    const acked: AlarmView = { ...row, ackedAtMs: atMs, ackedBy: by };
    const key = `${row.cellId}/${row.kind}`;
    if (this.active.get(key)?.id === id) this.active.set(key, acked);
    this.emit('alarm', acked, 'acked');
    return acked;
  }
}
