/**
 * 'Jonagold' apple in a 170 t DCA room. No published break point for Jonagold is in DOMAIN.md; it is
 * anchored [E] to its parent 'Golden Delicious' (Jonagold = Golden Delicious × Jonathan): 0.75 kPa O2 at
 * 0 °C (Deng et al. 1997). Storage regime from DOMAIN.md §3 (Jonagold 1–1.2 % O2, up to 4 % CO2 at 1 °C).
 */
import { DENG_1997, BREAK_POINT_DRIFT_KPA_PER_DAY } from './apple-kinetics.js';
import { applePreset } from './apple-preset.js';

export const jonagoldApple = applePreset({
  name: 'jonagold-apple',
  kind: 'cell',
  cultivar: 'Jonagold',
  description: "'Jonagold' apple, 170 t in a 760 m³ DCA room at 1 °C; RQ break point 0.75 kPa O2 at 0 °C [E]",
  breakPoint: { o2Kpa: 0.75, tempC: 0, co2Kpa: 0, driftKpaPerDay: BREAK_POINT_DRIFT_KPA_PER_DAY },
  breakPointSource: { value: '0.75 kPa O2 at 0 °C', tag: 'E', reference: DENG_1997,
    note: "anchored to the parent cultivar 'Golden Delicious' (Jonagold = Golden Delicious × Jonathan); no Jonagold figure found" },
  eaTag: 'E',
  geometry: { grossVolumeM3: 760, freeVolumeM3: 418, fruitKg: 170_000, leakAreaCm2: 0.76, leakCd: 0.61 },
  storage: { tempC: 1, o2Kpa: [1, 1.2], co2KpaMax: 4 },
  sources: [
    { parameter: 'geometry.fruitKg', value: '170 t', tag: 'S', reference: 'DOMAIN.md §6: rooms of 40 t and 170 t' },
    { parameter: 'geometry.grossVolumeM3', value: '760 m³', tag: 'D', reference: 'DOMAIN.md §6: fill 200–250 kg/m³; 170 t / 760 m³ = 224 kg/m³' },
    { parameter: 'geometry.freeVolumeM3', value: '418 m³', tag: 'E', reference: 'DOMAIN.md §6: free gas fraction 0.5–0.65; 0.55 × 760 m³' },
    { parameter: 'geometry.leakAreaCm2', value: '0.76 cm²', tag: 'S', reference: 'DOMAIN.md §1: DCA limit 0.10 cm² per 100 m³ gross; a room that just passes' },
    { parameter: 'geometry.leakCd', value: '0.61', tag: 'S', reference: 'DOMAIN.md §5: sharp-edged orifice' },
    { parameter: 'storage', value: '1 °C, 1–1.2 kPa O2, CO2 ≤ 4 kPa', tag: 'S', reference: 'DOMAIN.md §3: Jonagold 1–1.2 % O2, up to 4 % CO2 at 1 °C' },
  ],
});
