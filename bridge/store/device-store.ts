/**
 * Devices as the store keeps them: identity, the bench's power-up number they are filed under now, their
 * power-ups (bridge/devices/power-up.ts), and their link counters, which outlive the bridge process.
 */

import type Database from 'better-sqlite3';
import type { LinkCounters } from '../events.js';
import type { PowerUpRow, StoredDevice } from './store-types.js';

/** What the store's history says of a device (see `historyCounts`). */
export interface HistoryCounts {
  conflicts: number;
  lostReadings: number;
  powerUps: number;
  lostPowerUps: number;
}

export class DeviceStore {
  /**
   * `historyCounts` per device, as last counted: every device view carries them (one a second per device
   * while readings flow) and they change only when a conflict, a gap or a power-up is written. The store's
   * own writers drop a device's entry (`historyChanged`: this class's `addPowerUp`, ReadingStore's gap and
   * conflict methods); a commit by another connection to the same file (PRAGMA data_version) drops them all.
   */
  private readonly history = new Map<string, HistoryCounts>();
  private historyDataVersion: number | undefined;

  constructor(private readonly db: Database.Database) {}

  /** A device's conflicts, gaps or power-ups were written (undefined: maybe any device's): count them again. */
  historyChanged(deviceId?: string): void {
    if (deviceId === undefined) this.history.clear();
    else this.history.delete(deviceId);
  }

  /**
   * Records a board's handshake under the power-up the bench decided (bridge/devices/power-up.ts) and
   * returns the device as stored.
   */
  upsert(identity: Omit<StoredDevice, 'boot'>, atMs: number, powerUp: number): StoredDevice {
    this.db
      .prepare(
        `INSERT INTO devices (id, kind, firmware_version, protocol_version, capabilities, path, boot, first_seen_ms, last_seen_ms)
         VALUES (@id, @kind, @firmwareVersion, @protocolVersion, @capabilities, @path, @boot, @atMs, @atMs)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, firmware_version = excluded.firmware_version,
           protocol_version = excluded.protocol_version, capabilities = excluded.capabilities,
           path = excluded.path, boot = excluded.boot, last_seen_ms = excluded.last_seen_ms`,
      )
      .run({ ...identity, capabilities: JSON.stringify(identity.capabilities), boot: powerUp, atMs });
    return { ...identity, boot: powerUp };
  }

  /** Every device the store has seen. */
  ids(): string[] {
    return (this.db.prepare('SELECT id FROM devices ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
  }

  /** The device's newest power-up that the bench saw (not a lost one), if any. */
  lastPowerUp(deviceId: string): PowerUpRow | undefined {
    return this.db
      .prepare(`SELECT ${DeviceStore.POWER_UP_COLUMNS} FROM power_ups WHERE device_id = ? AND state = 'seen' ORDER BY power_up DESC LIMIT 1`)
      .get(deviceId) as PowerUpRow | undefined;
  }

  /** The highest power-up number the device has, seen or lost; 0 for a new device. */
  maxPowerUp(deviceId: string): number {
    const row = this.db.prepare('SELECT max(power_up) AS n FROM power_ups WHERE device_id = ?').get(deviceId) as { n: number | null };
    return row.n ?? 0;
  }

  addPowerUp(p: PowerUpRow): void {
    this.db
      .prepare(
        `INSERT INTO power_ups (device_id, power_up, board_boot, board_boot_last, state, started_at_ms, detected_at_ms, reason)
         VALUES (@deviceId, @powerUp, @boardBoot, @boardBootLast, @state, @startedAtMs, @detectedAtMs, @reason)`,
      )
      .run(p);
    this.historyChanged(p.deviceId);
  }

  /** Every power-up of a device, oldest first. */
  powerUps(deviceId: string): PowerUpRow[] {
    return this.db.prepare(`SELECT ${DeviceStore.POWER_UP_COLUMNS} FROM power_ups WHERE device_id = ? ORDER BY power_up`).all(deviceId) as PowerUpRow[];
  }

  private static readonly POWER_UP_COLUMNS = `device_id AS deviceId, power_up AS powerUp, board_boot AS boardBoot, board_boot_last AS boardBootLast,
    state, started_at_ms AS startedAtMs, detected_at_ms AS detectedAtMs, reason`;

  /** What the store's history says of a device: conflicts, readings recorded lost, power-ups. */
  historyCounts(deviceId: string): HistoryCounts {
    if (!this.db.memory) {
      // Another connection (a second bridge, a tool) may have written the file: its commits move data_version.
      const { data_version: version } = this.db.prepare('PRAGMA data_version').get() as { data_version: number };
      if (version !== this.historyDataVersion) {
        this.history.clear();
        this.historyDataVersion = version;
      }
    }
    const cached = this.history.get(deviceId);
    if (cached) return { ...cached };
    const counts = this.countHistory(deviceId);
    // Inside a transaction the counts may yet be rolled back: not kept.
    if (!this.db.inTransaction) this.history.set(deviceId, counts);
    return { ...counts };
  }

  private countHistory(deviceId: string): HistoryCounts {
    const c = this.db.prepare('SELECT count(*) AS n FROM reading_conflicts WHERE device_id = ?').get(deviceId) as { n: number };
    const g = this.db
      .prepare("SELECT coalesce(sum(to_seq - from_seq + 1), 0) AS n FROM sequence_gaps WHERE device_id = ? AND state = 'lost'")
      .get(deviceId) as { n: number };
    const p = this.db
      .prepare("SELECT coalesce(sum(state = 'seen'), 0) AS seen, coalesce(sum(state = 'lost'), 0) AS lost FROM power_ups WHERE device_id = ?")
      .get(deviceId) as { seen: number; lost: number };
    return { conflicts: c.n, lostReadings: g.n, powerUps: p.seen, lostPowerUps: p.lost };
  }

  /** The counters saved for a device, or undefined for one never saved. */
  savedCounters(deviceId: string): Partial<LinkCounters> | undefined {
    const row = this.db.prepare('SELECT counters FROM devices WHERE id = ?').get(deviceId) as { counters: string | null } | undefined;
    return row?.counters ? (JSON.parse(row.counters) as Partial<LinkCounters>) : undefined;
  }

  saveCounters(deviceId: string, counters: LinkCounters): void {
    if (!this.db.open) return;
    this.db.prepare('UPDATE devices SET counters = ? WHERE id = ?').run(JSON.stringify(counters), deviceId);
  }
}
