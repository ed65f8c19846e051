/**
 * Cells: the storage rooms the boards measure. A cell is configured with the board that measures it;
 * a board without a configured cell is its own cell (cell id = device id).
 */

import type { CellAlarmConfig } from './alarms/alarm-engine.js';

export interface CellConfig {
  /** The cell's id, e.g. "cell-3". */
  id: string;
  /** Serial number of the board that measures it. */
  deviceId: string;
  /** The cell's alarm thresholds; unset ones come from the bridge's `defaultAlarms`. */
  alarms?: CellAlarmConfig;
}

export class CellMap {
  private readonly byDevice = new Map<string, string>();
  private readonly alarmsByCell = new Map<string, CellAlarmConfig>();
  private readonly defaults: CellAlarmConfig;

  constructor(cells: CellConfig[] = [], defaultAlarms: CellAlarmConfig = {}) {
    this.defaults = defaultAlarms;
    for (const c of cells) {
      if (c.alarms) this.alarmsByCell.set(c.id, c.alarms);
      if (!c.id || !c.deviceId) throw new RangeError(`a cell needs "id" and "deviceId": ${JSON.stringify(c)}`);
      if (this.byDevice.has(c.deviceId)) throw new RangeError(`device "${c.deviceId}" is given to two cells`);
      this.byDevice.set(c.deviceId, c.id);
    }
  }

  cellOf(deviceId: string): string {
    return this.byDevice.get(deviceId) ?? deviceId;
  }

  /** The devices that measure a cell, among the known devices (configured or not). */
  devicesOf(cellId: string, knownDeviceIds: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const [dev, cell] of this.byDevice) if (cell === cellId) out.add(dev);
    for (const dev of knownDeviceIds) if (this.cellOf(dev) === cellId) out.add(dev);
    return [...out].sort();
  }

  /** Replaces a cell's own thresholds (an admin's change at run time). */
  setAlarms(cellId: string, config: CellAlarmConfig): void {
    this.alarmsByCell.set(cellId, { ...config });
  }

  /** A cell's alarm thresholds: its own over the defaults. */
  alarmsOf(cellId: string): CellAlarmConfig {
    return { ...this.defaults, ...(this.alarmsByCell.get(cellId) ?? {}) };
  }

  /** Every cell with its devices. */
  list(knownDeviceIds: Iterable<string>): Array<{ id: string; deviceIds: string[] }> {
    const known = [...knownDeviceIds];
    const ids = new Set<string>([...this.byDevice.values(), ...known.map((d) => this.cellOf(d))]);
    return [...ids].sort().map((id) => ({ id, deviceIds: this.devicesOf(id, known) }));
  }
}
