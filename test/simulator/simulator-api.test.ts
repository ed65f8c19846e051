/**
 * simulator/index.ts exports the plant's API, not its internals, and the rest of the repository reaches the
 * simulator only through it (DESIGN.md: folders import each other only through their index.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as simulator from '../../simulator/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

describe('simulator API', () => {
  it('exports the plant, its runs, presets, plant time, the module emulators and the benchmark’s physics core', () => {
    expect(Object.keys(simulator).sort()).toEqual(
      [
        'SimulatorError',
        'createVirtualClock', 'createScaledRealtimeDriver', 'createLockstepDriver', 'createPlantEpochClock',
        'createCellPlant', 'resolveCellPlantOptions', 'DEFAULT_AMBIENT', 'DEFAULT_PRESET', 'MIN_STEP_S', 'PLANT_OPTION_TABLE',
        'createCentralAnalyser',
        'runPlant', 'runPressureDecayTest', 'DCA_LEAK_LIMIT_CM2_PER_100M3',
        'checkLoadingRule', 'loadingRuleViolations', 'MAX_LOTS', 'MIN_LOT_FRACTION', 'MAX_HARVEST_SPREAD_DAYS',
        'allPresets', 'getPreset', 'presetNames', 'respirationRates',
        'O2StreamModule', 'O2_STATUS', 'formatO2Line', 'o2LineChecksum', 'ModbusCo2Module', 'CO2_STATUS',
        'CO2_MODULE_REGISTERS', 'modbusCrc', 'withModbusCrc', 'parseBoardPlantLine', 'formatTimeLine',
        'createRk4Stepper', 'CELL_CLOSED_DOOR_SIZE', 'CELL_DYNAMIC_SIZE', 'CellStateIndex', 'createCellState', 'molFromKpa',
        'cellFusedDerivativeFn', 'cellStepCoefficients', 'createCellStepCoefficients',
      ].sort(),
    );
  });

  it('is imported from outside simulator/ only through simulator/index.js', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(ROOT)) {
      const rel = relative(ROOT, file);
      if (rel.startsWith('simulator/') || rel.startsWith('test/simulator/')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from\s+['"]([^'"]*\/simulator\/[^'"]*)['"]/g)) {
        if (!m[1]!.endsWith('/simulator/index.js')) offenders.push(`${rel}: ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('has no copy of the old stdin/stdout plant link (the host target’s lives in firmware/targets/host)', () => {
    const files = sourceFiles(join(ROOT, 'simulator')).map((f) => relative(ROOT, f));
    expect(files).not.toContain('simulator/plant-link.ts');
    expect(Object.keys(simulator)).not.toContain('formatSensorLine');
  });
});
