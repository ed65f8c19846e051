import { describe, expect, it } from 'vitest';
import { checkLoadingRule, loadingRuleViolations, SimulatorError, type Lot } from '../../simulator/index.js';

const lot = (id: string, massKg: number, harvestDate: string, variety = 'Jonagold'): Lot => ({ id, variety, massKg, harvestDate });

function ruleOf(lots: Lot[]): string {
  try {
    checkLoadingRule(lots);
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(SimulatorError);
    expect((err as SimulatorError).code).toBe('SIM_ERR_LOADING_RULE');
    return (err as SimulatorError).message;
  }
}

describe('DCA loading rule (DOMAIN.md §1)', () => {
  it('accepts 4 Jonagold lots of 25 % each, harvested within a week', () => {
    const lots = [lot('A', 10_000, '2026-09-20'), lot('B', 10_000, '2026-09-22'), lot('C', 10_000, '2026-09-25'), lot('D', 10_000, '2026-09-27')];
    expect(ruleOf(lots)).toBe('ok');
    expect(loadingRuleViolations(lots)).toEqual([]);
  });

  it('names each broken rule', () => {
    expect(ruleOf([lot('A', 20_000, '2026-09-20'), lot('B', 20_000, '2026-09-21', 'Elstar')])).toBe(
      'loading rule "one-variety" broken: one variety per DCA cell; these lots hold 2: Jonagold, Elstar',
    );
    expect(ruleOf([1, 2, 3, 4, 5].map((i) => lot(`L${i}`, 8000, '2026-09-20')))).toMatch(/^loading rule "at-most-4-lots" broken: at most 4 lots per DCA cell; there are 5/);
    expect(ruleOf([lot('A', 30_000, '2026-09-20'), lot('B', 9_000, '2026-09-20')])).toBe(
      'loading rule "lot-at-least-25-percent" broken: each lot must be at least 25 % of the cell\'s 39000 kg; below: "B" (23.1 %)',
    );
    expect(ruleOf([lot('A', 20_000, '2026-09-20'), lot('B', 20_000, '2026-09-28')])).toBe(
      'loading rule "harvested-within-a-week" broken: lots must be harvested within 7 days; "A" (2026-09-20) and "B" (2026-09-28) are 8 days apart',
    );
  });

  it('lists every broken rule, and says so in the error', () => {
    const lots = [lot('A', 30_000, '2026-09-01'), lot('B', 1000, '2026-09-20', 'Gala')];
    expect(loadingRuleViolations(lots).map((v) => v.rule)).toEqual(['one-variety', 'lot-at-least-25-percent', 'harvested-within-a-week']);
    expect(ruleOf(lots)).toMatch(/\(and 2 more: lot-at-least-25-percent, harvested-within-a-week\)$/);
  });

  it('rejects a bad date or mass, naming the lot and the field', () => {
    expect(() => checkLoadingRule([lot('A', 100, '2026-02-30')])).toThrow(/lot "A": "harvestDate" must be a date YYYY-MM-DD: "2026-02-30"/);
    expect(() => checkLoadingRule([lot('A', -1, '2026-02-03')])).toThrow(/lot "A": "massKg" must be a finite number > 0: -1/);
  });
});
