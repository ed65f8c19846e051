/**
 * The plant option table (simulator/plant-option-table.ts) against the validation that uses it: every
 * entry is validated (a value out of its range, of the wrong kind, or a group that is not an object is
 * rejected with a message naming the option), every default lies in its range, and the option names the
 * validation knows are exactly the table's.
 */
import { describe, expect, it } from 'vitest';
import {
  createCellPlant,
  PLANT_OPTION_TABLE,
  presetNames,
  resolveCellPlantOptions,
  SimulatorError,
  type CellPlantOptions,
  type PlantOptionSpec,
} from '../../simulator/index.js';
import { optionKeysOf, type OptionDefaults } from '../../simulator/plant-option-table.js';

/** Options with `value` at the dotted path `name` (e.g. `sensors.o2.gain`). */
function optionsWith(name: string, value: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const parts = name.split('.');
  let at = root;
  for (const part of parts.slice(0, -1)) at = (at[part] = {}) as Record<string, unknown>;
  at[parts[parts.length - 1]!] = value;
  return root;
}

/** Options with a preset object whose `preset.<part>.<field>` is `value`. */
function presetWith(name: string, value: unknown): CellPlantOptions {
  const [, part, field] = name.split('.') as [string, 'respiration' | 'breakPoint', string];
  const base = resolveCellPlantOptions().preset;
  return { preset: { ...base, name: 'own', [part]: { ...base[part], [field]: value } } };
}

function rejection(options: unknown): SimulatorError {
  try {
    createCellPlant(options as CellPlantOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(SimulatorError);
    expect((err as SimulatorError).code).toBe('SIM_ERR_INVALID_OPTION');
    return err as SimulatorError;
  }
  throw new Error(`accepted: ${JSON.stringify(options)}`);
}

/** How a message names the entry: its path, a caller preset's field, or a bottle's field. */
function namePattern(spec: PlantOptionSpec): RegExp {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (spec.kind === 'preset-number') return new RegExp(escape(`preset "own" ${spec.name.slice('preset.'.length)}`));
  if (spec.checkedBy !== undefined) return new RegExp(`"${escape(spec.name.split('.').pop()!)}"`);
  return new RegExp(`"${escape(spec.name)}"`);
}

/** Values out of the entry's range, or of the wrong kind. */
function badValues(spec: PlantOptionSpec): unknown[] {
  switch (spec.kind) {
    case 'number':
    case 'preset-number': {
      const bad: unknown[] = ['x', Number.NaN];
      if (spec.min !== undefined) bad.push(spec.above ? spec.min : spec.min - 1e-6 * Math.max(1, Math.abs(spec.min)));
      if (spec.max !== undefined) bad.push(spec.max + 1e-6 * Math.max(1, Math.abs(spec.max)));
      if (spec.maxOption !== undefined) bad.push(1e9);
      return bad;
    }
    case 'integer':
      return [1.5, '1'];
    case 'boolean':
      return ['yes', 1];
    case 'choice':
      return ['euler', 3];
    case 'text':
      return [''];
    case 'preset':
      return [42, null];
    case 'group':
      return [42, 'x', [1]];
  }
}

describe('plant option table', () => {
  it('has one entry per option name, each with a doc and a documented default', () => {
    const names = PLANT_OPTION_TABLE.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
    for (const spec of PLANT_OPTION_TABLE) {
      expect(spec.doc.length, spec.name).toBeGreaterThan(0);
      expect(spec.defaultDoc.length, spec.name).toBeGreaterThan(0);
      if (spec.kind === 'number') expect(spec.default, spec.name).toBeDefined();
    }
  });

  for (const spec of PLANT_OPTION_TABLE) {
    it(`validates ${spec.name}`, () => {
      for (const value of badValues(spec)) {
        const options = spec.kind === 'preset-number' ? presetWith(spec.name, value) : optionsWith(spec.name, value);
        expect(rejection(options).message, `${spec.name} = ${String(value)}`).toMatch(namePattern(spec));
      }
      // The range's upper end is accepted by the range check itself.
      if (spec.kind === 'number' && spec.checkedBy === undefined && spec.max !== undefined && spec.maxOption === undefined) {
        const err = (() => {
          try {
            resolveCellPlantOptions(optionsWith(spec.name, spec.max) as CellPlantOptions);
            return undefined;
          } catch (e) {
            return e as Error;
          }
        })();
        // Another rule may refuse it (a sum of fractions), never the entry's own range.
        if (err !== undefined) expect(err.message, spec.name).not.toContain(`"${spec.name}" must be a finite number`);
      }
    });
  }

  it('names the range in the message, from the table', () => {
    expect(rejection({ scrubberVoidM3: 2000 }).message).toBe('"scrubberVoidM3" must be a finite number ≥ 0 and ≤ 1000: 2000');
    expect(rejection({ breatherBagM3: 100 }).message).toBe('"breatherBagM3" must be a finite number ≥ 0 and ≤ freeVolumeM3 (55): 100');
  });

  it('knows exactly the table’s option names, level by level', () => {
    const known = (options: unknown): string[] => {
      const message = rejection(options).message;
      return message.slice(message.indexOf('known: ') + 'known: '.length).split(', ');
    };
    expect(known({ bogus: 1 })).toEqual(optionKeysOf(''));
    for (const group of ['ambient', 'initial', 'actuators', 'sensors', 'sensors.o2', 'calibrationGas', 'calibrationGas.co2Span']) {
      expect(known(optionsWith(`${group}.bogus`, 1)), group).toEqual(optionKeysOf(group));
    }
  });

  for (const preset of presetNames()) {
    it(`puts every default of ${preset} inside its range`, () => {
      const r = resolveCellPlantOptions({ preset });
      const d: OptionDefaults = {
        preset: r.preset,
        pallet: r.preset.kind === 'pallet',
        grossVolumeM3: r.grossVolumeM3,
        scale: r.grossVolumeM3 / r.preset.geometry.grossVolumeM3,
        freeVolumeM3: r.params.freeVolumeM3,
        fruitKg: r.params.fruitKg,
        tempC: r.params.tempC,
        wallConductanceWPerK: r.params.wallConductanceWPerK,
        fanPowerW: r.params.fanPowerW,
        ambient: r.ambient,
        absoluteKpa: r.ambient.pressurePa / 1000,
      };
      const bound = { grossVolumeM3: r.grossVolumeM3, freeVolumeM3: r.params.freeVolumeM3 };
      for (const spec of PLANT_OPTION_TABLE) {
        if (spec.kind !== 'number') continue;
        const value = typeof spec.default === 'function' ? spec.default(d) : (spec.default as number);
        expect(Number.isFinite(value), spec.name).toBe(true);
        if (spec.min !== undefined) expect(spec.above ? value > spec.min : value >= spec.min, `${spec.name} = ${value}`).toBe(true);
        const max = spec.maxOption !== undefined ? bound[spec.maxOption] : spec.max;
        if (max !== undefined) expect(value, spec.name).toBeLessThanOrEqual(max);
      }
      // The derived defaults are the ones the plant resolves.
      expect(r.params.coolingCapacityW).toBe((plantDefault('coolingCapacityW'))(d));
      expect(r.params.breatherBagM3).toBe((plantDefault('breatherBagM3'))(d));
      expect(r.ambient.tempC).toBe((plantDefault('ambient.tempC'))(d));
    });
  }
});

function plantDefault(name: string): (d: OptionDefaults) => number {
  const spec = PLANT_OPTION_TABLE.find((s) => s.name === name)!;
  return spec.default as (d: OptionDefaults) => number;
}
