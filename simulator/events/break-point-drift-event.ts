/**
 * The break point's drift with storage time as a discrete event, once per hour of plant time: the
 * fermentation maximum is scaled so that the break point sits where the preset's drift puts it that day
 * (model/rq-break-point.ts, `breakPointDriftVmFermScale`).
 */
import type { CellInputs } from '../model/cell.js';
import type { RespirationKinetics } from '../model/respiration.js';
import type { RqBreakPoint } from '../model/rq-break-point.js';
import { breakPointDriftVmFermScale } from '../model/rq-break-point.js';

/** How often the break point's storage-time drift is brought up to date, s of plant time. */
export const DRIFT_UPDATE_PERIOD_S = 3600;

/** What the drift needs, and when it is due next. */
export interface BreakPointDriftSchedule {
  readonly respiration: RespirationKinetics;
  readonly breakPoint: RqBreakPoint;
  /** Days in storage at plant time 0. */
  readonly storageDayAtStart: number;
  /** Plant time of the next update, s (0 at the start: the first events apply it). */
  nextUpdateS: number;
}

/** Sets `inputs.fermentationScale` for plant time `atS` and schedules the next update; returns true if it changed. */
export function breakPointDriftEvent(drift: BreakPointDriftSchedule, inputs: CellInputs, atS: number): boolean {
  const scale = breakPointDriftVmFermScale(drift.respiration, drift.breakPoint, drift.storageDayAtStart + atS / 86_400);
  const changed = scale !== inputs.fermentationScale;
  inputs.fermentationScale = scale;
  drift.nextUpdateS = atS + DRIFT_UPDATE_PERIOD_S;
  return changed;
}
