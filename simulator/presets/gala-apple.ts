/** 'Gala' apple in a 40 t DCA room; RQ break point 0.65 kPa O2 at 0 °C (Deng et al. 1997). */
import { DENG_1997, BREAK_POINT_DRIFT_KPA_PER_DAY } from './apple-kinetics.js';
import { APPLE_ROOM_40T, APPLE_ROOM_40T_SOURCES, applePreset } from './apple-preset.js';

export const galaApple = applePreset({
  name: 'gala-apple',
  kind: 'cell',
  cultivar: 'Gala',
  description: "'Gala' apple, 40 t in a 180 m³ DCA room at 1 °C; RQ break point 0.65 kPa O2 at 0 °C",
  breakPoint: { o2Kpa: 0.65, tempC: 0, co2Kpa: 0, driftKpaPerDay: BREAK_POINT_DRIFT_KPA_PER_DAY },
  breakPointSource: { value: '0.65 kPa O2 at 0 °C', tag: 'S', reference: DENG_1997,
    note: 'quoted at 0 kPa CO2 [E: the CO2 of the measurement is not in DOMAIN.md]' },
  eaTag: 'E',
  geometry: APPLE_ROOM_40T,
  storage: { tempC: 1, o2Kpa: [1, 1.5], co2KpaMax: 2.5 },
  sources: [
    ...APPLE_ROOM_40T_SOURCES,
    { parameter: 'storage', value: '1 °C, ULO 1–1.5 kPa O2, CO2 ≤ 2.5 kPa', tag: 'S',
      reference: "DOMAIN.md §3: 'Royal Gala' DCA at 1 °C (Weber et al. 2015); ULO 1–1.5 kPa; Gala CO2 1.2–2.5" },
  ],
});
