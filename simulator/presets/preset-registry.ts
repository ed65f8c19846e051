/**
 * The presets the simulator knows, by name: storage cells (kind 'cell') and pallet covers and
 * containers (kind 'pallet').
 */
import { SimulatorError } from '../simulator-error.js';
import { conferencePear } from './conference-pear.js';
import { elstarApple } from './elstar-apple.js';
import { galaApple } from './gala-apple.js';
import { goldenDeliciousApple } from './golden-delicious-apple.js';
import { jonagoldApple } from './jonagold-apple.js';
import { containerGala, palletCoverElstar } from './pallet-presets.js';
import type { PlantPreset } from './plant-preset.js';
import { starkrimsonApple } from './starkrimson-apple.js';

const PRESETS: ReadonlyMap<string, PlantPreset> = new Map(
  [
    conferencePear,
    elstarApple,
    galaApple,
    goldenDeliciousApple,
    jonagoldApple,
    starkrimsonApple,
    palletCoverElstar,
    containerGala,
  ].map((p) => [p.name, p]),
);

/** Every preset, in name order. */
export function allPresets(): PlantPreset[] {
  return presetNames().map((name) => PRESETS.get(name)!);
}

/** Names of all presets, sorted. */
export function presetNames(): string[] {
  return [...PRESETS.keys()].sort();
}

/** The preset called `name`; throws `SIM_ERR_UNKNOWN_PRESET`, listing the known names, if there is none. */
export function getPreset(name: string): PlantPreset {
  const preset = PRESETS.get(name);
  if (preset === undefined) {
    throw new SimulatorError(
      'SIM_ERR_UNKNOWN_PRESET',
      `unknown preset "${name}"; known presets: ${presetNames().join(', ')}`,
    );
  }
  return preset;
}
