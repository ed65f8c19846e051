/**
 * The presets the simulator knows, by name. Later slices add apple cultivars and pallet presets here.
 */
import { SimulatorError } from '../simulator-error.js';
import { conferencePear } from './conference-pear.js';
import type { PlantPreset } from './plant-preset.js';

const PRESETS: ReadonlyMap<string, PlantPreset> = new Map([[conferencePear.name, conferencePear]]);

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
