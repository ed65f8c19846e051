/** 'Starkrimson' (Delicious) apple in a 40 t DCA room; RQ break point 0.8 kPa O2 at 0 °C (Deng et al. 1997). */
import { DENG_1997, BREAK_POINT_DRIFT_KPA_PER_DAY } from './apple-kinetics.js';
import { APPLE_ROOM_40T, APPLE_ROOM_40T_SOURCES, applePreset } from './apple-preset.js';

export const starkrimsonApple = applePreset({
  name: 'starkrimson-apple',
  kind: 'cell',
  cultivar: 'Starkrimson',
  description: "'Starkrimson' apple, 40 t in a 180 m³ DCA room at 0 °C; RQ break point 0.8 kPa O2 at 0 °C",
  breakPoint: { o2Kpa: 0.8, tempC: 0, co2Kpa: 0, driftKpaPerDay: BREAK_POINT_DRIFT_KPA_PER_DAY },
  breakPointSource: { value: '0.8 kPa O2 at 0 °C', tag: 'S', reference: DENG_1997,
    note: 'quoted at 0 kPa CO2 [E: the CO2 of the measurement is not in DOMAIN.md]' },
  eaTag: 'E',
  geometry: APPLE_ROOM_40T,
  storage: { tempC: 0, o2Kpa: [1, 1.5], co2KpaMax: 2.5 },
  sources: [
    ...APPLE_ROOM_40T_SOURCES,
    { parameter: 'storage', value: '0 °C, ULO 1–1.5 kPa O2, CO2 ≤ 2.5 kPa', tag: 'E',
      reference: 'DOMAIN.md §3: ULO 1–1.5 kPa; the break point temperature taken as the storage temperature' },
  ],
});
