/**
 * The cell's pressure relief valve (a water seal or spring valve, both ways): it opens when the cell is
 * more than `openingPa` above or below ambient, protecting the structure. Source: DOMAIN.md §5 (breather
 * bag / relief valve [E]); the opening pressure is [E] (default 200 Pa).
 *
 * Model: an ideal valve, applied as a discrete event between integrator steps (STYLE.md 6), not as a term
 * of the derivative. Its capacity far exceeds every flow in the cell, so after each step it vents (or
 * admits) exactly the moles that bring the cell back to the opening pressure:
 *
 *     p > p_amb + p_open:   vent   Δn = n − (p_amb + p_open)·V_gas/(R·T)   of cell gas (its own composition)
 *     p < p_amb − p_open:   admit  Δn = (p_amb − p_open)·V_gas/(R·T) − n   of ambient air
 *
 * with V_gas the gas volume at that moment (the bag is full or empty then, breather-bag.ts). A stiff
 * valve conductance inside the derivative would instead force sub-second steps whenever it flows.
 */
import { GAS_CONSTANT_J_PER_MOL_K, celsiusToKelvin } from './gas-properties.js';

/**
 * Moles the valve moves to restore its opening pressure: > 0 vents cell gas, < 0 admits ambient air,
 * 0 while the valve stays shut.
 */
export function reliefValveVentMol(
  totalMol: number,
  gasVolumeM3: number,
  tempC: number,
  ambientPressurePa: number,
  openingPa: number,
): number {
  const molPerPa = gasVolumeM3 / (GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(tempC));
  const pressurePa = totalMol / molPerPa;
  if (pressurePa > ambientPressurePa + openingPa) return totalMol - (ambientPressurePa + openingPa) * molPerPa;
  if (pressurePa < ambientPressurePa - openingPa) return totalMol - (ambientPressurePa - openingPa) * molPerPa;
  return 0;
}
