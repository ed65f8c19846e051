/**
 * Pressure decay of a rigid, isothermal cell through its leak: the closed form behind the airtightness
 * test. Source: DOMAIN.md §5 [D].
 *
 * With the orifice law Q = Cd·A·√(2Δp/ρ) (leak.ts) carrying cell gas out, n = pV/(RT) and
 * dn/dt = −Q·n/V, the gauge pressure Δp obeys
 *
 *     dΔp/dt = −(p/V) · Cd · A · √(2Δp/ρ)          p the absolute cell pressure ≈ p_atm
 *
 * With p ≈ p_atm this integrates to √Δp(t) = √Δp0 − (p_atm·Cd·A/(2V))·√(2/ρ)·t, hence the half time
 *
 *     t½ = (2V / (p_atm · Cd · A)) · √(ρ/2) · (√p0 − √(p0/2))
 *
 * and, read backwards, the equivalent leak area of a measured half time
 *
 *     A = (2V / (p_atm · Cd · t½)) · √(ρ/2) · (√p0 − √(p0/2)).
 *
 * DOMAIN.md's figures: 0.10 cm² per 100 m³, ρ 1.29 kg/m³, Cd 0.61: t½ ≈ 20 min from 250 Pa, 22 min from
 * 300 Pa. The simulated cell uses the absolute pressure p instead of p_atm; the difference is p0/p_atm
 * (0.3 %), far inside the test's 5 %.
 *
 * Exact form (no p ≈ p_atm). The outflow is cell gas at the cell's own density ρ(p) = M·p/(R·T), so
 * dΔp/dt = −(p/V)·Cd·A·√(2Δp/ρ(p)) = −c·√(Δp·(P + Δp)), c = (Cd·A/V)·√(2RT/M), P the ambient pressure.
 * With ∫ dx/√(x(P + x)) = 2·asinh(√(x/P)):
 *
 *     t½ = (2/c) · (asinh(√(p0/P)) − asinh(√(p0/(2P))))
 *     A  = (2V/(Cd·t½)) · √(M/(2RT)) · (asinh(√(p0/P)) − asinh(√(p0/(2P))))
 *
 * This is the physics the simulated cell integrates, so the test procedure reads its leak area back with
 * it; it differs from the p ≈ p_atm form by about p0/(2·P) (0.15 % at 300 Pa).
 */
import { GAS_CONSTANT_J_PER_MOL_K, celsiusToKelvin } from './gas-properties.js';

/** Closed-form half time of the decay from `p0Pa` (gauge) to p0/2, s. Infinity for no leak. */
export function pressureDecayHalfTimeS(
  freeVolumeM3: number,
  leakAreaM2: number,
  cd: number,
  p0Pa: number,
  atmosphericPa: number,
  densityKgPerM3: number,
): number {
  if (leakAreaM2 <= 0 || cd <= 0) return Infinity;
  return halfTimeTimesAreaM2S(freeVolumeM3, cd, p0Pa, atmosphericPa, densityKgPerM3) / leakAreaM2;
}

/**
 * t½ · A of the closed form, m²·s: (2V / (p_atm · Cd)) · √(ρ/2) · (√p0 − √(p0/2)). Half time and leak
 * area are each this over the other.
 */
function halfTimeTimesAreaM2S(freeVolumeM3: number, cd: number, p0Pa: number, atmosphericPa: number, densityKgPerM3: number): number {
  return ((2 * freeVolumeM3) / (atmosphericPa * cd)) * Math.sqrt(densityKgPerM3 / 2) * (Math.sqrt(p0Pa) - Math.sqrt(p0Pa / 2));
}

/** Equivalent leak area of a measured half time `halfTimeS` from `p0Pa`, m². */
export function equivalentLeakAreaM2(
  freeVolumeM3: number,
  halfTimeS: number,
  cd: number,
  p0Pa: number,
  atmosphericPa: number,
  densityKgPerM3: number,
): number {
  return halfTimeTimesAreaM2S(freeVolumeM3, cd, p0Pa, atmosphericPa, densityKgPerM3) / halfTimeS;
}

/**
 * Gauge pressure after `tS` of decay from `p0Pa`, Pa, with p ≈ p_atm (the closed form above); 0 once the
 * square root reaches zero.
 */
export function pressureDecayGaugePa(
  tS: number,
  freeVolumeM3: number,
  leakAreaM2: number,
  cd: number,
  p0Pa: number,
  atmosphericPa: number,
  densityKgPerM3: number,
): number {
  const rate = ((atmosphericPa * cd * leakAreaM2) / (2 * freeVolumeM3)) * Math.sqrt(2 / densityKgPerM3);
  const root = Math.sqrt(p0Pa) - rate * tS;
  return root > 0 ? root * root : 0;
}

/** The exact form's pressure term, asinh(√(p0/P)) − asinh(√(p0/(2P))): the decay from p0 to p0/2. */
function asinhSpread(p0Pa: number, ambientPressurePa: number): number {
  return Math.asinh(Math.sqrt(p0Pa / ambientPressurePa)) - Math.asinh(Math.sqrt(p0Pa / (2 * ambientPressurePa)));
}

/** Exact half time (rigid, isothermal, ρ of the cell gas at its pressure), s. Infinity for no leak. */
export function pressureDecayHalfTimeExactS(
  freeVolumeM3: number,
  leakAreaM2: number,
  cd: number,
  p0Pa: number,
  ambientPressurePa: number,
  tempC: number,
  molarMassKgPerMol: number,
): number {
  if (leakAreaM2 <= 0 || cd <= 0) return Infinity;
  const c = ((cd * leakAreaM2) / freeVolumeM3) * Math.sqrt((2 * GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(tempC)) / molarMassKgPerMol);
  return (2 / c) * asinhSpread(p0Pa, ambientPressurePa);
}

/** Equivalent leak area of a measured half time, exact form, m². */
export function equivalentLeakAreaExactM2(
  freeVolumeM3: number,
  halfTimeS: number,
  cd: number,
  p0Pa: number,
  ambientPressurePa: number,
  tempC: number,
  molarMassKgPerMol: number,
): number {
  return (
    ((2 * freeVolumeM3) / (cd * halfTimeS)) *
    Math.sqrt(molarMassKgPerMol / (2 * GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(tempC))) *
    asinhSpread(p0Pa, ambientPressurePa)
  );
}
