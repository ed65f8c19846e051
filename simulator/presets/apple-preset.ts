/**
 * Assembles an apple preset from its cultivar's break point, storage regime and enclosure: the kinetics
 * come from apple-kinetics.ts, tuned to the break point; every number keeps its source. One file per
 * cultivar or enclosure (e.g. gala-apple.ts) calls this with its own numbers.
 */
import type { RqBreakPoint } from '../model/rq-break-point.js';
import { appleKinetics, appleKineticsSources } from './apple-kinetics.js';
import type { EnclosureGeometry, PlantPreset, PresetSource, StorageRegime } from './plant-preset.js';

export interface ApplePresetSpec {
  name: string;
  kind: 'cell' | 'pallet';
  cultivar: string;
  description: string;
  breakPoint: RqBreakPoint;
  /** Source of the break point: tag S for a published limit, E for an anchor chosen here. */
  breakPointSource: Omit<PresetSource, 'parameter'>;
  /** Whether EaO2 43.5 kJ/mol was measured on this cultivar (Golden Delicious) or borrowed. */
  eaTag: 'S' | 'E';
  geometry: EnclosureGeometry;
  storage: StorageRegime;
  /** Sources of the geometry and storage numbers. */
  sources: readonly PresetSource[];
}

export function applePreset(spec: ApplePresetSpec): PlantPreset {
  return {
    name: spec.name,
    kind: spec.kind,
    species: 'apple',
    cultivar: spec.cultivar,
    description: spec.description,
    respiration: appleKinetics(spec.breakPoint),
    breakPoint: spec.breakPoint,
    geometry: spec.geometry,
    storage: spec.storage,
    sources: [
      { parameter: 'breakPoint.o2Kpa', ...spec.breakPointSource },
      ...appleKineticsSources(spec.eaTag),
      ...spec.sources,
    ],
  };
}

/** Sources of the default 40 t apple room, shared by the cell presets that use it. */
export const APPLE_ROOM_40T_SOURCES: readonly PresetSource[] = [
  { parameter: 'geometry.fruitKg', value: '40 t', tag: 'S', reference: 'DOMAIN.md §6: rooms of 40 t and 170 t' },
  { parameter: 'geometry.grossVolumeM3', value: '180 m³', tag: 'D', reference: 'DOMAIN.md §6: fill 200–250 kg/m³; 40 t / 180 m³ = 222 kg/m³' },
  { parameter: 'geometry.freeVolumeM3', value: '99 m³', tag: 'E', reference: 'DOMAIN.md §6: free gas fraction 0.5–0.65; 0.55 × 180 m³' },
  { parameter: 'geometry.leakAreaCm2', value: '0.18 cm²', tag: 'S', reference: 'DOMAIN.md §1: DCA limit 0.10 cm² per 100 m³ gross; a room that just passes' },
  { parameter: 'geometry.leakCd', value: '0.61', tag: 'S', reference: 'DOMAIN.md §5: sharp-edged orifice' },
];

export const APPLE_ROOM_40T: EnclosureGeometry = {
  grossVolumeM3: 180,
  freeVolumeM3: 99,
  fruitKg: 40_000,
  leakAreaCm2: 0.18,
  leakCd: 0.61,
};
