/**
 * 'Conference' pear in a DCA storage cell. Respiration kinetics from Ho et al. 2008 (DOMAIN.md §2),
 * storage regime from DOMAIN.md §3, room from DOMAIN.md §1/§4/§6.
 *
 * Ho et al. give the maxima per m³ of fruit tissue; with a tissue density of 1000 kg/m³ they become per
 * kg. Check at 1 °C: VmO2 = 2.39e-4 · exp(80 200/8.314 · (1/293.15 − 1/274.15)) / 1000 ≈ 24.4 nmol kg⁻¹ s⁻¹,
 * DOMAIN.md's derived 24 nmol kg⁻¹ s⁻¹ (≈ 2.0 mL kg⁻¹ h⁻¹).
 */
import type { PlantPreset } from './plant-preset.js';

const HO_2008 =
  'Ho QT, Verboven P, Verlinden BE, Lammertyn J, Vandewalle S, Nicolaï BM (2008) A continuum model for ' +
  'metabolic gas exchange in pear fruit. PLoS Comput Biol 4: e1000023, doi:10.1371/journal.pcbi.1000023 ' +
  '(via DOMAIN.md §2)';

/** Density of pear tissue used to turn per-m³ maxima into per-kg ones, kg/m³. */
const TISSUE_DENSITY_KG_PER_M3 = 1000;
const VM_O2_REF_MOL_PER_M3_S = 2.39e-4;
const VM_FERM_REF_MOL_PER_M3_S = 1.61e-4;

export const conferencePear: PlantPreset = {
  name: 'conference-pear',
  kind: 'cell',
  species: 'pear',
  cultivar: 'Conference',
  description: "'Conference' pear, 25 t in a 100 m³ DCA cell at −1 °C (Ho et al. 2008 kinetics)",
  respiration: {
    vmO2RefMolPerKgS: VM_O2_REF_MOL_PER_M3_S / TISSUE_DENSITY_KG_PER_M3,
    eaO2JPerMol: 80_200,
    vmFermRefMolPerKgS: VM_FERM_REF_MOL_PER_M3_S / TISSUE_DENSITY_KG_PER_M3,
    eaFermJPerMol: 56_700,
    kmO2Kpa: 0.4103,
    kmCo2Kpa: 27.24,
    kmFermO2Kpa: 0.1149,
    rqOx: 0.97,
    tRefC: 20,
  },
  // What Ho et al.'s kinetics give at the storage regime (model/rq-break-point.ts); not a measured limit.
  breakPoint: { o2Kpa: 1.97, tempC: -1, co2Kpa: 0.7, driftKpaPerDay: 0 },
  geometry: {
    grossVolumeM3: 100,
    freeVolumeM3: 55,
    fruitKg: 25_000,
    leakAreaCm2: 0.1,
    leakCd: 0.61,
  },
  storage: {
    tempC: -1,
    o2Kpa: [2, 3],
    co2KpaMax: 0.7,
  },
  sources: [
    { parameter: 'respiration.vmO2RefMolPerKgS', value: '2.39e-4 mol m⁻³ s⁻¹ (tissue) at 20 °C', tag: 'S', reference: HO_2008,
      note: 'divided by the tissue density, 1000 kg/m³ [E], to 2.39e-7 mol kg⁻¹ s⁻¹' },
    { parameter: 'respiration.eaO2JPerMol', value: '80.2 kJ/mol', tag: 'S', reference: HO_2008 },
    { parameter: 'respiration.vmFermRefMolPerKgS', value: '1.61e-4 mol m⁻³ s⁻¹ (tissue) at 20 °C', tag: 'S', reference: HO_2008,
      note: 'divided by the tissue density, 1000 kg/m³ [E], to 1.61e-7 mol kg⁻¹ s⁻¹' },
    { parameter: 'respiration.eaFermJPerMol', value: '56.7 kJ/mol', tag: 'S', reference: HO_2008 },
    { parameter: 'respiration.kmO2Kpa', value: '0.4103 kPa', tag: 'S', reference: HO_2008 },
    { parameter: 'respiration.kmCo2Kpa', value: '27.24 kPa (non-competitive inhibition)', tag: 'S', reference: HO_2008 },
    { parameter: 'respiration.kmFermO2Kpa', value: '0.1149 kPa', tag: 'S', reference: HO_2008 },
    { parameter: 'respiration.rqOx', value: '0.97', tag: 'S', reference: HO_2008 },
    { parameter: 'respiration.tRefC', value: '20 °C', tag: 'S', reference: HO_2008 },
    { parameter: 'breakPoint.o2Kpa', value: '1.97 kPa O2 at −1 °C, 0.7 kPa CO2', tag: 'D', reference: HO_2008,
      note: 'the O2 where RQ = 1.1·RQox with these kinetics (closed form in model/rq-break-point.ts); ' +
        'a tissue-kinetics figure, below the 2–3 kPa regime; Phan et al. 2025 run Conference DCA at room RQ 1.3 (DOMAIN.md §3)' },
    { parameter: 'breakPoint.driftKpaPerDay', value: '0', tag: 'E', reference: 'Ho et al. give no storage-time drift' },
    { parameter: 'tissue density', value: '1000 kg/m³', tag: 'E', reference: 'DOMAIN.md §2 [D] assumes it for the per-kg figure' },
    { parameter: 'geometry.fruitKg', value: '25 t', tag: 'E', reference: 'DOMAIN.md §4 (25 t in about 50 m³ of free gas)' },
    { parameter: 'geometry.grossVolumeM3', value: '100 m³', tag: 'E',
      reference: 'DOMAIN.md §6: fill 200–250 kg/m³ of gross volume [S]; 25 t at 250 kg/m³' },
    { parameter: 'geometry.freeVolumeM3', value: '55 m³', tag: 'E',
      reference: 'DOMAIN.md §6: free gas fraction 0.5–0.65 [E]; §4: about 50 m³ for 25 t' },
    { parameter: 'geometry.leakAreaCm2', value: '0.10 cm²', tag: 'S',
      reference: 'DOMAIN.md §1: DCA limit 0.10 cm² per 100 m³ gross; a cell that just passes' },
    { parameter: 'geometry.leakCd', value: '0.61', tag: 'S', reference: 'DOMAIN.md §5: sharp-edged orifice' },
    { parameter: 'storage', value: '−1 °C, 2–3 % O2, 0.7 % CO2', tag: 'S', reference: 'DOMAIN.md §3 (Conference pear regime)' },
  ],
};
