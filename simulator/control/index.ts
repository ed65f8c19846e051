/** Simple plant-side keepers used by simulator runs without a real controller. */
export { regimeHoldActuators, N2_PULL_DOWN_TO_KPA, SCRUB_BAND_KPA, type RegimeTargets } from './regime-hold.js';
