/**
 * CO2 dissolved in the fruit: the fruit's water holds CO2 in proportion to its partial pressure (Henry's
 * law), and exchanges it with the free gas through skin and tissue with a time constant. Source: DOMAIN.md
 * §2 (CO2 dissolves in the fruit, so a closed-room RQ reads lower than the fruit's true RQ; Bessemans et
 * al. 2020; de Wild & Peppelenbos 2001).
 *
 *     S(T)   = kH(T) · V_water / 101.325         mol per kPa, V_water in L
 *     kH(T)  = kH,298 · exp(B · (1/T − 1/298.15))  mol L⁻¹ atm⁻¹, kH,298 = 0.034, B = 2400 K
 *                                                 (CO2 in water; Sander R. 2015, Atmos Chem Phys 15:4399)
 *     V_water = 0.85 L per kg of fruit            apples and pears are 84–86 % water [E]
 *     dn_d/dt = (S · pCO2 − n_d) / τ_d            τ_d = 2 h [E]
 *
 * Only physically dissolved CO2 counts: fruit pH 3.3–4 is far below the pKa of 6.35 of carbonic acid, so
 * bicarbonate holds less than 1 % more. For 25 t at 0 °C, S ≈ 15 mol/kPa against ≈ 24 mol/kPa in 55 m³ of
 * free gas: the fruit takes up about 40 % of a CO2 rise, which is why a closed-room RQ reads low.
 */
import { celsiusToKelvin } from './gas-properties.js';

/** Henry's law solubility of CO2 in water at 298.15 K, mol L⁻¹ atm⁻¹ (Sander 2015). */
export const CO2_HENRY_298_MOL_PER_L_ATM = 0.034;
/** Temperature dependence d ln kH / d(1/T) of CO2, K (Sander 2015). */
export const CO2_HENRY_TEMP_K = 2400;
/** Water in fruit, L per kg [E]. */
export const FRUIT_WATER_L_PER_KG = 0.85;

/** CO2 the fruit holds per kPa of CO2 at equilibrium, mol/kPa. */
export function co2SolubilityMolPerKpa(fruitKg: number, tempC: number): number {
  const kH = CO2_HENRY_298_MOL_PER_L_ATM * Math.exp(CO2_HENRY_TEMP_K * (1 / celsiusToKelvin(tempC) - 1 / 298.15));
  return (kH * FRUIT_WATER_L_PER_KG * fruitKg) / 101.325;
}

/** Net CO2 flow from the free gas into the fruit, mol/s (negative: out of the fruit). */
export function co2DissolutionMolPerS(
  solubilityMolPerKpa: number,
  co2Kpa: number,
  dissolvedMol: number,
  timeConstantS: number,
): number {
  return (solubilityMolPerKpa * Math.max(0, co2Kpa) - dissolvedMol) / timeConstantS;
}
