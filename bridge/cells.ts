/**
 * Cells: the storage rooms the boards measure. A cell is configured with the board that measures it and,
 * for a board with a sampling manifold (one analyser serving several cells, the `cell` of its readings),
 * the board's cell number. A board cell without a configured cell is its own: cell 1 of a board is the
 * device id (so a one-cell board is its own cell, as before manifolds), cell k > 1 is `DEVICE.k`.
 */

import type { CellAlarmConfig } from './alarms/alarm-engine.js';

export interface CellConfig {
  /** The cell's id, e.g. "cell-3". */
  id: string;
  /** Serial number of the board that measures it. */
  deviceId: string;
  /** The board's cell number (its manifold's `cell`, 1 to 8). Default 1. */
  boardCell?: number;
  /** The cell's alarm thresholds; unset ones come from the bridge's `defaultAlarms`. */
  alarms?: CellAlarmConfig;
}

/** The cell id a board cell has when none is configured. */
export function defaultCellId(deviceId: string, boardCell: number | null | undefined): string {
  return boardCell === undefined || boardCell === null || boardCell === 1 ? deviceId : `${deviceId}.${boardCell}`;
}

export class CellMap {
  /** Cell id by device and board cell (a map per device: every reading asks, and builds no key string). */
  private readonly byBoardCell = new Map<string, Map<number, string>>();
  /** Configured (device, board cell) pairs of each cell. */
  private readonly configured: Array<{ id: string; deviceId: string; boardCell: number }> = [];
  private readonly alarmsByCell = new Map<string, CellAlarmConfig>();
  private readonly defaults: CellAlarmConfig;

  constructor(cells: CellConfig[] = [], defaultAlarms: CellAlarmConfig = {}) {
    this.defaults = defaultAlarms;
    for (const c of cells) {
      if (c.alarms) this.alarmsByCell.set(c.id, c.alarms);
      if (!c.id || !c.deviceId) throw new RangeError(`a cell needs "id" and "deviceId": ${JSON.stringify(c)}`);
      const boardCell = c.boardCell ?? 1;
      if (!Number.isInteger(boardCell) || boardCell < 1 || boardCell > 8) throw new RangeError(`"boardCell" must be 1 to 8: ${JSON.stringify(c)}`);
      let ofDevice = this.byBoardCell.get(c.deviceId);
      if (!ofDevice) this.byBoardCell.set(c.deviceId, (ofDevice = new Map()));
      if (ofDevice.has(boardCell)) throw new RangeError(`cell ${boardCell} of device "${c.deviceId}" is given to two cells`);
      ofDevice.set(boardCell, c.id);
      this.configured.push({ id: c.id, deviceId: c.deviceId, boardCell });
    }
  }

  /** The cell a board cell measures (board cell 1 when the board sends none). */
  cellOf(deviceId: string, boardCell?: number | null): string {
    return this.byBoardCell.get(deviceId)?.get(boardCell ?? 1) ?? defaultCellId(deviceId, boardCell);
  }

  /** The cells a board measures as far as the configuration says: its configured ones, or its own. */
  cellsOfDevice(deviceId: string): string[] {
    const cells = this.configured.filter((c) => c.deviceId === deviceId).map((c) => c.id);
    return cells.length > 0 ? cells : [this.cellOf(deviceId)];
  }

  /** The devices that measure a cell, among the known devices (configured or not). */
  devicesOf(cellId: string, knownDeviceIds: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const c of this.configured) if (c.id === cellId) out.add(c.deviceId);
    for (const dev of knownDeviceIds) {
      for (let k = 1; k <= 8; k++) if (this.cellOf(dev, k) === cellId) out.add(dev);
    }
    return [...out].sort();
  }

  /** Replaces a cell's own thresholds (an admin's change at run time). */
  setAlarms(cellId: string, config: CellAlarmConfig): void {
    this.alarmsByCell.set(cellId, { ...config });
  }

  /** A cell's alarm thresholds: its own over the defaults. */
  alarmsOf(cellId: string): CellAlarmConfig {
    const own = this.alarmsByCell.get(cellId);
    return own ? { ...this.defaults, ...own } : { ...this.defaults };
  }

  /** Every cell with its devices. */
  list(knownDeviceIds: Iterable<string>): Array<{ id: string; deviceIds: string[] }> {
    const known = [...knownDeviceIds];
    const ids = new Set<string>([...this.configured.map((c) => c.id), ...known.map((d) => this.cellOf(d))]);
    return [...ids].sort().map((id) => ({ id, deviceIds: this.devicesOf(id, known) }));
  }
}
