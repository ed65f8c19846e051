/**
 * Pallet covers and containers (the OptiPallet scale, DOMAIN.md §1): 1–3 m³ around one or a few bins,
 * 0.5–1.5 t of fruit, and far more leak per volume than a DCA room. Same model as a cell, own geometry.
 * The enclosure numbers are [E]: DOMAIN.md names the product class and the issue its size, not a leak.
 *
 *  - pallet-cover-elstar: a plastic cover over two bins on a pallet: 1.6 m³ gross, 2 × 350 kg of fruit,
 *    0.75 m³ of free gas (fruit at ≈ 850 kg/m³ plus bins take the rest), 0.05 cm² of leak, i.e.
 *    3.1 cm² per 100 m³: 31 times the DCA limit for rooms.
 *  - container-gala: a small sealed container: 3 m³ gross, 1.5 t, 1.1 m³ free, 0.08 cm² (2.7 cm² per 100 m³).
 */
import { BREAK_POINT_DRIFT_KPA_PER_DAY, DENG_1997 } from './apple-kinetics.js';
import { applePreset } from './apple-preset.js';
import type { PresetSource } from './plant-preset.js';

const PALLET_NOTE = 'issue 3: pallet covers and containers 1–3 m³, 0.5–1.5 t, far more leak per volume';

function palletSources(gross: string, fruit: string, free: string, leak: string): PresetSource[] {
  return [
    { parameter: 'geometry.grossVolumeM3', value: gross, tag: 'E', reference: PALLET_NOTE },
    { parameter: 'geometry.fruitKg', value: fruit, tag: 'E', reference: PALLET_NOTE },
    { parameter: 'geometry.freeVolumeM3', value: free, tag: 'E', reference: 'gross minus fruit at ≈ 850 kg/m³ and the bins' },
    { parameter: 'geometry.leakAreaCm2', value: leak, tag: 'E', reference: PALLET_NOTE },
    { parameter: 'geometry.leakCd', value: '0.61', tag: 'S', reference: 'DOMAIN.md §5: sharp-edged orifice' },
  ];
}

export const palletCoverElstar = applePreset({
  name: 'pallet-cover-elstar',
  kind: 'pallet',
  cultivar: 'Elstar',
  description: "'Elstar' apple, 0.7 t under a 1.6 m³ pallet cover at 1 °C (0.05 cm² leak)",
  breakPoint: { o2Kpa: 0.75, tempC: 0, co2Kpa: 0, driftKpaPerDay: BREAK_POINT_DRIFT_KPA_PER_DAY },
  breakPointSource: { value: '0.75 kPa O2 at 0 °C', tag: 'E', reference: DENG_1997,
    note: "as elstar-apple: anchored to the parent cultivar 'Golden Delicious'" },
  eaTag: 'E',
  geometry: { grossVolumeM3: 1.6, freeVolumeM3: 0.75, fruitKg: 700, leakAreaCm2: 0.05, leakCd: 0.61 },
  storage: { tempC: 1, o2Kpa: [1, 1.5], co2KpaMax: 2.5 },
  sources: [
    ...palletSources('1.6 m³', '700 kg (2 bins × 350 kg)', '0.75 m³', '0.05 cm² (3.1 cm² per 100 m³)'),
    { parameter: 'storage', value: '1 °C, ULO 1–1.5 kPa O2, CO2 ≤ 2.5 kPa', tag: 'E', reference: 'as elstar-apple' },
  ],
});

export const containerGala = applePreset({
  name: 'container-gala',
  kind: 'pallet',
  cultivar: 'Gala',
  description: "'Gala' apple, 1.5 t in a 3 m³ container at 1 °C (0.08 cm² leak)",
  breakPoint: { o2Kpa: 0.65, tempC: 0, co2Kpa: 0, driftKpaPerDay: BREAK_POINT_DRIFT_KPA_PER_DAY },
  breakPointSource: { value: '0.65 kPa O2 at 0 °C', tag: 'S', reference: DENG_1997,
    note: 'quoted at 0 kPa CO2 [E: the CO2 of the measurement is not in DOMAIN.md]' },
  eaTag: 'E',
  geometry: { grossVolumeM3: 3, freeVolumeM3: 1.1, fruitKg: 1500, leakAreaCm2: 0.08, leakCd: 0.61 },
  storage: { tempC: 1, o2Kpa: [1, 1.5], co2KpaMax: 2.5 },
  sources: [
    ...palletSources('3 m³', '1.5 t', '1.1 m³', '0.08 cm² (2.7 cm² per 100 m³)'),
    { parameter: 'storage', value: '1 °C, ULO 1–1.5 kPa O2, CO2 ≤ 2.5 kPa', tag: 'S', reference: 'as gala-apple (DOMAIN.md §3)' },
  ],
});
