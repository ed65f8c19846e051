/**
 * What a preset is: one kind of stored fruit in one kind of enclosure, with every number traceable.
 * Cell presets (a storage room) and pallet presets (a pallet cover or container) share this shape; the
 * geometry is the enclosure's default and can be overridden per run.
 */
import type { RespirationKinetics } from '../model/respiration.js';
import type { RqBreakPoint } from '../model/rq-break-point.js';

/** Where a number comes from, tagged as in DOMAIN.md. */
export interface PresetSource {
  /** The parameter, by its path in the preset, e.g. `respiration.kmO2Kpa`. */
  parameter: string;
  /** The value as the source states it, with its unit. */
  value: string;
  /** S: published source, D: derived here (formula in `note`), E: engineering estimate to be tuned. */
  tag: 'S' | 'D' | 'E';
  /** The reference (authors, year, journal, DOI) or, for D and E, how it was obtained. */
  reference: string;
  note?: string;
}

/** Default enclosure of a preset. */
export interface EnclosureGeometry {
  /** Gross inside volume of the enclosure, m³ (the leak limit is quoted per gross volume). */
  grossVolumeM3: number;
  /** Free gas volume around the fruit, m³. */
  freeVolumeM3: number;
  /** Fruit mass, kg. */
  fruitKg: number;
  /** Effective leak area, cm². */
  leakAreaCm2: number;
  /** Discharge coefficient of the leak (0.61 sharp orifice, 1.0 ASHRAE effective leakage area). */
  leakCd: number;
}

/** Recommended storage conditions, for defaults and for the controller's reference. */
export interface StorageRegime {
  /** Storage temperature, °C; the plant's default cell temperature. */
  tempC: number;
  /** Recommended O2 range, kPa. */
  o2Kpa: readonly [min: number, max: number];
  /** Recommended CO2 ceiling, kPa. */
  co2KpaMax: number;
}

export interface PlantPreset {
  /** Registry key, kebab-case, e.g. `conference-pear`. */
  name: string;
  kind: 'cell' | 'pallet';
  /** e.g. `pear`, `apple`. */
  species: string;
  /** e.g. `Conference`. */
  cultivar: string;
  /** One line for listings. */
  description: string;
  respiration: RespirationKinetics;
  /**
   * The RQ break point (RQ = 1.1·RQox, model/rq-break-point.ts) this preset's kinetics put at the quoted
   * O2, temperature and CO2, and its drift with storage time. For the apples it is the published limit the
   * kinetics were tuned to; for the pear it is what Ho et al.'s kinetics give.
   */
  breakPoint: RqBreakPoint;
  geometry: EnclosureGeometry;
  storage: StorageRegime;
  /** One entry per number above. */
  sources: readonly PresetSource[];
}
