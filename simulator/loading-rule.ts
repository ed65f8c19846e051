/**
 * The DCA loading rule for one cell (DOMAIN.md §1 [P]): one variety only; at most 4 lots; each lot at
 * least 25 % of the cell's tonnage; lots comparable in harvest date — here: all harvested within one week
 * (a lot is one variety, one orchard plot, similar tree age, picked within one week).
 *
 * `loadingRuleViolations` lists every broken rule (pure); `checkLoadingRule` throws `SIM_ERR_LOADING_RULE`
 * naming the first one, with the lots concerned.
 */
import { SimulatorError } from './simulator-error.js';

export interface Lot {
  /** The lot's name or number. */
  id: string;
  /** Variety (cultivar), e.g. "Jonagold". Compared without case and surrounding spaces. */
  variety: string;
  /** Fruit mass, kg, > 0. */
  massKg: number;
  /** Harvest date, ISO 8601 (YYYY-MM-DD). */
  harvestDate: string;
}

export type LoadingRule = 'one-variety' | 'at-most-4-lots' | 'lot-at-least-25-percent' | 'harvested-within-a-week';

export interface LoadingRuleViolation {
  rule: LoadingRule;
  message: string;
}

export const MAX_LOTS = 4;
export const MIN_LOT_FRACTION = 0.25;
export const MAX_HARVEST_SPREAD_DAYS = 7;

function dayNumber(lot: Lot): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(lot.harvestDate);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).getUTCDate() !== Number(m[3])) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `lot "${lot.id}": "harvestDate" must be a date YYYY-MM-DD: ${JSON.stringify(lot.harvestDate)}`);
  }
  return ms / 86_400_000;
}

/** Every rule the lots break; empty when the cell may be loaded for DCA. */
export function loadingRuleViolations(lots: readonly Lot[]): LoadingRuleViolation[] {
  if (lots.length === 0) throw new SimulatorError('SIM_ERR_INVALID_OPTION', '"lots" must hold at least one lot');
  for (const lot of lots) {
    if (typeof lot.massKg !== 'number' || !Number.isFinite(lot.massKg) || lot.massKg <= 0) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `lot "${lot.id}": "massKg" must be a finite number > 0: ${String(lot.massKg)}`);
    }
  }
  const out: LoadingRuleViolation[] = [];
  const varieties = [...new Set(lots.map((l) => l.variety.trim().toLowerCase()))];
  if (varieties.length > 1) {
    out.push({ rule: 'one-variety', message: `one variety per DCA cell; these lots hold ${varieties.length}: ${[...new Set(lots.map((l) => l.variety.trim()))].join(', ')}` });
  }
  if (lots.length > MAX_LOTS) {
    out.push({ rule: 'at-most-4-lots', message: `at most ${MAX_LOTS} lots per DCA cell; there are ${lots.length}` });
  }
  const total = lots.reduce((sum, l) => sum + l.massKg, 0);
  const small = lots.filter((l) => l.massKg < MIN_LOT_FRACTION * total);
  if (small.length > 0) {
    const list = small.map((l) => `"${l.id}" (${((100 * l.massKg) / total).toFixed(1)} %)`).join(', ');
    out.push({ rule: 'lot-at-least-25-percent', message: `each lot must be at least 25 % of the cell's ${total} kg; below: ${list}` });
  }
  const days = lots.map(dayNumber);
  const spread = Math.max(...days) - Math.min(...days);
  if (spread > MAX_HARVEST_SPREAD_DAYS) {
    const first = lots[days.indexOf(Math.min(...days))]!;
    const last = lots[days.indexOf(Math.max(...days))]!;
    out.push({
      rule: 'harvested-within-a-week',
      message: `lots must be harvested within ${MAX_HARVEST_SPREAD_DAYS} days; "${first.id}" (${first.harvestDate}) and "${last.id}" (${last.harvestDate}) are ${spread} days apart`,
    });
  }
  return out;
}

/** Throws SIM_ERR_LOADING_RULE naming the first broken rule (and how many more there are). */
export function checkLoadingRule(lots: readonly Lot[]): void {
  const violations = loadingRuleViolations(lots);
  if (violations.length === 0) return;
  const [first] = violations;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more: ${violations.slice(1).map((v) => v.rule).join(', ')})` : '';
  throw new SimulatorError('SIM_ERR_LOADING_RULE', `loading rule "${first!.rule}" broken: ${first!.message}${more}`);
}
