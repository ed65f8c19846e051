/** Fruit-and-enclosure presets for the plant: their shared type, the presets themselves, lookup by name. */
export type { PlantPreset, PresetSource, EnclosureGeometry, StorageRegime } from './plant-preset.js';
export { conferencePear } from './conference-pear.js';
export { elstarApple } from './elstar-apple.js';
export { galaApple } from './gala-apple.js';
export { goldenDeliciousApple } from './golden-delicious-apple.js';
export { jonagoldApple } from './jonagold-apple.js';
export { starkrimsonApple } from './starkrimson-apple.js';
export { containerGala, palletCoverElstar } from './pallet-presets.js';
export { appleKinetics, APPLE_KM_O2_KPA, APPLE_VM_O2_REF_MOL_PER_KG_S, ML_PER_MOL_STP } from './apple-kinetics.js';
export { allPresets, getPreset, presetNames } from './preset-registry.js';
