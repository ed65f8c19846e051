/**
 * Constants of the gases in a storage cell and of the conditions flows are quoted at.
 *
 * The free gas is three species: O2, CO2 and the balance, N2 together with argon (and the other trace
 * gases of air), which no process here tells apart. Water vapour is not modelled in this slice.
 */

/** Molar gas constant, J mol⁻¹ K⁻¹ (CODATA 2018, exact). */
export const GAS_CONSTANT_J_PER_MOL_K = 8.314462618;

/** 0 °C in kelvin. */
export const ZERO_CELSIUS_K = 273.15;

/** Standard atmosphere, Pa. */
export const STANDARD_ATMOSPHERE_PA = 101_325;

/**
 * Molar concentration of an ideal gas at normal conditions (DIN 1343: 0 °C, 101 325 Pa), mol per Nm³:
 * p / (R·T) = 44.615 mol/Nm³. N2 generators are rated in Nm³/h.
 */
export const MOL_PER_NORMAL_M3 = STANDARD_ATMOSPHERE_PA / (GAS_CONSTANT_J_PER_MOL_K * ZERO_CELSIUS_K);

/** Molar masses, kg/mol. The balance gas is air's N2 + Ar (78.08 % N2, 0.93 % Ar of 79.01 %). */
export const MOLAR_MASS_O2_KG_PER_MOL = 0.031999;
export const MOLAR_MASS_CO2_KG_PER_MOL = 0.04401;
export const MOLAR_MASS_N2_KG_PER_MOL = 0.028155;

/** Dry outdoor air, mole fractions: O2 20.95 %, CO2 0.04 % (≈ 420 ppm); the rest is the balance gas. */
export const AIR_O2_FRACTION = 0.2095;
export const AIR_CO2_FRACTION = 0.0004;

export function celsiusToKelvin(tempC: number): number {
  return tempC + ZERO_CELSIUS_K;
}

/** Ideal-gas molar concentration p/(R·T), mol/m³. */
export function molarConcentrationMolPerM3(pressurePa: number, tempC: number): number {
  return pressurePa / (GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(tempC));
}

/** Mass density of a gas mixture from its pressure, temperature and mole fractions, kg/m³. */
export function gasDensityKgPerM3(pressurePa: number, tempC: number, o2Fraction: number, co2Fraction: number): number {
  const molarMass =
    o2Fraction * MOLAR_MASS_O2_KG_PER_MOL +
    co2Fraction * MOLAR_MASS_CO2_KG_PER_MOL +
    (1 - o2Fraction - co2Fraction) * MOLAR_MASS_N2_KG_PER_MOL;
  return molarConcentrationMolPerM3(pressurePa, tempC) * molarMass;
}
