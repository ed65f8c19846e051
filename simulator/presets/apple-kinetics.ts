/**
 * Respiration kinetics for apples, built from the few apple numbers DOMAIN.md §2 has, and tuned per
 * cultivar so that the RQ break point lands on the published limit (DOMAIN.md §3). Apple Michaelis–Menten
 * sets for these cultivars were not found (DOMAIN.md §2), so this file says how each number is obtained:
 *
 *  - KmO2 [D] from "CA cuts respiration 60–70 % against air" (DOMAIN.md §2 [S]): with the midpoint, uptake
 *    at 2 kPa O2 is 0.35 of uptake at 21 kPa (no CO2), and Michaelis–Menten gives
 *        2/(Km + 2) = 0.35 · 21/(Km + 21)   →   Km = (42 − 14.7)/(7.35 − 2) = 5.10 kPa.
 *    An apparent, whole-fruit Km: it includes the skin and tissue diffusion resistance that DOMAIN.md §2
 *    says moves the break point to higher room O2.
 *  - VmO2 [D] from 'Pinova' in a 170 t room (Keshri et al. 2020, DOMAIN.md §2 [S]): rO2 = 1.6 mL kg⁻¹ h⁻¹ at
 *    2 kPa O2, 1.3 kPa CO2, 2 °C. With 22.414 L/mol, rO2 = 19.83 nmol kg⁻¹ s⁻¹ and
 *        VmO2(2 °C) = rO2 · (Km + 2)/2 · (1 + 1.3/KmCO2) = 73.8 nmol kg⁻¹ s⁻¹,
 *    then to the 20 °C reference with the activation energy: 237 nmol kg⁻¹ s⁻¹. Used for every cultivar [E]:
 *    in air at 1 °C this is ≈ 4 mL kg⁻¹ h⁻¹, the usual order for stored apples.
 *  - EaO2 43.5 kJ/mol: Golden Delicious 42–45 kJ/mol (Andrich et al. 1998) [S], the midpoint; used for
 *    the other cultivars [E].
 *  - KmCO2 27.24 kPa and Kmf 0.1149 kPa: Ho et al. 2008's pear values, borrowed [E].
 *  - EaFerm 56.7 kJ/mol: Ho et al.'s pear value, borrowed [E]. Being above EaO2, it makes the break point
 *    rise with temperature, as DOMAIN.md §3 says it does.
 *  - RQox 1.0: "aerobic RQ is about 1" (DOMAIN.md §1) [S].
 *  - Vmf [D]: from the break point, Vmf = 0.1·RQox·rO2(x_b)·(1 + x_b/Kmf) at the break point's temperature
 *    and CO2 (model/rq-break-point.ts), then to the 20 °C reference with EaFerm.
 *
 * Known limit of this tuning: with one Michaelis–Menten uptake and one fermentation term, the anaerobic
 * compensation point (minimum CO2 output) lands near 0.1 kPa, below the 0.2–0.4 % of Gasser et al. 2008;
 * putting both the break point and that point where the papers have them needs a second fermentation
 * constant or a fruit diffusion model, which this slice does not have.
 */
import type { RespirationKinetics } from '../model/respiration.js';
import { arrheniusFactor } from '../model/respiration.js';
import { vmFermForBreakPointMolPerKgS, type RqBreakPoint } from '../model/rq-break-point.js';
import type { PresetSource } from './plant-preset.js';

/** mL of an ideal gas per mol at 0 °C and 101 325 Pa, the convention of respiration rates in mL kg⁻¹ h⁻¹. */
export const ML_PER_MOL_STP = 22_414;

export const KESHRI_2020 =
  "Keshri N, Truppel I, Herppich WB, Geyer M, Weltzien C, Mahajan PV (2020), 'Pinova' apples in a 170 t " +
  'DCA room: respiration 1.6 mL O2 and 2.7 mL CO2 kg⁻¹ h⁻¹ at 2 % O2, 1.3 % CO2, 2 °C (via DOMAIN.md §2)';
export const ANDRICH_1998 =
  "Andrich G, Zinnai A, Balzini S, Silvestri S, Fiorentini R (1998), Golden Delicious apples: Ea of " +
  'respiration 42–45 kJ/mol (via DOMAIN.md §2)';
export const DENG_1997 =
  "Deng W, Mattheis JP, Patterson ME et al. (1997), RQ break points at 0 °C (RQ 10 % above aerobic): " +
  'Gala 0.65, Golden Delicious 0.75, Starkrimson 0.8 kPa O2 (via DOMAIN.md §3)';
export const HO_2008_BORROWED =
  'Ho QT et al. (2008) PLoS Comput Biol 4: e1000023, pear values borrowed for apple [E] (via DOMAIN.md §2)';
export const CA_REDUCTION =
  'DOMAIN.md §2: CA cuts respiration 60–70 % against air; midpoint 65 % at 2 kPa O2 vs 21 kPa';

/** Fraction of air respiration left at 2 kPa O2 (1 − 0.65). */
const CA_RESIDUAL_FRACTION = 0.35;
/** KmO2 from that fraction (see the file comment), kPa. */
export const APPLE_KM_O2_KPA = (21 * 2 - 2 * 21 * CA_RESIDUAL_FRACTION) / (21 * CA_RESIDUAL_FRACTION - 2);
export const APPLE_KM_CO2_KPA = 27.24;
export const APPLE_KM_FERM_O2_KPA = 0.1149;
export const APPLE_EA_O2_J_PER_MOL = 43_500;
export const APPLE_EA_FERM_J_PER_MOL = 56_700;
export const APPLE_RQ_OX = 1.0;

/** The Keshri et al. 2020 anchor: rO2 at 2 kPa O2, 1.3 kPa CO2, 2 °C, mol kg⁻¹ s⁻¹. */
const ANCHOR_RO2_MOL_PER_KG_S = 1.6 / ML_PER_MOL_STP / 3600;
const ANCHOR = { o2Kpa: 2, co2Kpa: 1.3, tempC: 2 };

/** VmO2 at 20 °C that reproduces the anchor, mol kg⁻¹ s⁻¹. */
export const APPLE_VM_O2_REF_MOL_PER_KG_S =
  (ANCHOR_RO2_MOL_PER_KG_S * ((APPLE_KM_O2_KPA + ANCHOR.o2Kpa) / ANCHOR.o2Kpa) * (1 + ANCHOR.co2Kpa / APPLE_KM_CO2_KPA)) /
  arrheniusFactor(APPLE_EA_O2_J_PER_MOL, 20, ANCHOR.tempC);

/** Apple kinetics whose RQ break point is at `breakPoint` (its o2Kpa, tempC, co2Kpa). */
export function appleKinetics(breakPoint: Readonly<RqBreakPoint>): RespirationKinetics {
  const base: RespirationKinetics = {
    vmO2RefMolPerKgS: APPLE_VM_O2_REF_MOL_PER_KG_S,
    eaO2JPerMol: APPLE_EA_O2_J_PER_MOL,
    vmFermRefMolPerKgS: 0,
    eaFermJPerMol: APPLE_EA_FERM_J_PER_MOL,
    kmO2Kpa: APPLE_KM_O2_KPA,
    kmCo2Kpa: APPLE_KM_CO2_KPA,
    kmFermO2Kpa: APPLE_KM_FERM_O2_KPA,
    rqOx: APPLE_RQ_OX,
    tRefC: 20,
  };
  const vmfAtBreak = vmFermForBreakPointMolPerKgS(base, breakPoint.o2Kpa, breakPoint.tempC, breakPoint.co2Kpa);
  return {
    ...base,
    vmFermRefMolPerKgS: vmfAtBreak / arrheniusFactor(base.eaFermJPerMol, base.tRefC, breakPoint.tempC),
  };
}

/** Break-point drift with storage time, kPa per day: +0.1 kPa over a 200-day season [E] (none found). */
export const BREAK_POINT_DRIFT_KPA_PER_DAY = 0.1 / 200;

/** Sources of the kinetics every apple preset shares. */
export function appleKineticsSources(ea: 'S' | 'E'): PresetSource[] {
  return [
    { parameter: 'respiration.vmO2RefMolPerKgS', value: `${(APPLE_VM_O2_REF_MOL_PER_KG_S * 1e9).toFixed(1)} nmol kg⁻¹ s⁻¹ at 20 °C`,
      tag: 'D', reference: KESHRI_2020,
      note: 'VmO2(2 °C) = rO2·(KmO2 + 2)/2·(1 + 1.3/KmCO2), to 20 °C with EaO2; Pinova figure used for this cultivar [E]' },
    { parameter: 'respiration.eaO2JPerMol', value: '43.5 kJ/mol', tag: ea, reference: ANDRICH_1998,
      note: ea === 'S' ? 'midpoint of 42–45 kJ/mol' : 'Golden Delicious midpoint used for this cultivar' },
    { parameter: 'respiration.vmFermRefMolPerKgS', value: 'from the break point', tag: 'D', reference: DENG_1997,
      note: 'Vmf = 0.1·RQox·rO2(x_b)·(1 + x_b/Kmf) at the break point, to 20 °C with EaFerm (model/rq-break-point.ts)' },
    { parameter: 'respiration.eaFermJPerMol', value: '56.7 kJ/mol', tag: 'E', reference: HO_2008_BORROWED },
    { parameter: 'respiration.kmO2Kpa', value: `${APPLE_KM_O2_KPA.toFixed(2)} kPa (apparent, whole fruit)`, tag: 'D', reference: CA_REDUCTION,
      note: '2/(Km + 2) = 0.35·21/(Km + 21)' },
    { parameter: 'respiration.kmCo2Kpa', value: '27.24 kPa', tag: 'E', reference: HO_2008_BORROWED },
    { parameter: 'respiration.kmFermO2Kpa', value: '0.1149 kPa', tag: 'E', reference: HO_2008_BORROWED },
    { parameter: 'respiration.rqOx', value: '1.0', tag: 'S', reference: 'DOMAIN.md §1: aerobic RQ is about 1' },
    { parameter: 'respiration.tRefC', value: '20 °C', tag: 'E', reference: 'reference temperature of the maxima, as Ho et al. 2008' },
    { parameter: 'breakPoint.driftKpaPerDay', value: '+0.1 kPa per 200 days', tag: 'E',
      reference: 'DOMAIN.md §3: break points drift with storage time; size not found' },
  ];
}
