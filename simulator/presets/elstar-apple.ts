/**
 * 'Elstar' apple in a 40 t DCA room. No published break point for Elstar is in DOMAIN.md; it is anchored
 * [E] to its parent 'Golden Delicious' (Elstar = Golden Delicious × Ingrid Marie): 0.75 kPa O2 at 0 °C
 * (Deng et al. 1997).
 */
import { DENG_1997, BREAK_POINT_DRIFT_KPA_PER_DAY } from './apple-kinetics.js';
import { APPLE_ROOM_40T, APPLE_ROOM_40T_SOURCES, applePreset } from './apple-preset.js';

export const elstarApple = applePreset({
  name: 'elstar-apple',
  kind: 'cell',
  cultivar: 'Elstar',
  description: "'Elstar' apple, 40 t in a 180 m³ DCA room at 1 °C; RQ break point 0.75 kPa O2 at 0 °C [E]",
  breakPoint: { o2Kpa: 0.75, tempC: 0, co2Kpa: 0, driftKpaPerDay: BREAK_POINT_DRIFT_KPA_PER_DAY },
  breakPointSource: { value: '0.75 kPa O2 at 0 °C', tag: 'E', reference: DENG_1997,
    note: "anchored to the parent cultivar 'Golden Delicious' (Elstar = Golden Delicious × Ingrid Marie); no Elstar figure found" },
  eaTag: 'E',
  geometry: APPLE_ROOM_40T,
  storage: { tempC: 1, o2Kpa: [1, 1.5], co2KpaMax: 2.5 },
  sources: [
    ...APPLE_ROOM_40T_SOURCES,
    { parameter: 'storage', value: '1 °C, ULO 1–1.5 kPa O2, CO2 ≤ 2.5 kPa', tag: 'E',
      reference: 'DOMAIN.md §3: ULO 1–1.5 kPa; CO2 setpoints 0.7–4 kPa by fruit' },
  ],
});
