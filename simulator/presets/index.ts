/** Fruit-and-enclosure presets for the plant: their shared type, the presets themselves, lookup by name. */
export type { PlantPreset, PresetSource, EnclosureGeometry, StorageRegime } from './plant-preset.js';
export { conferencePear } from './conference-pear.js';
export { getPreset, presetNames } from './preset-registry.js';
