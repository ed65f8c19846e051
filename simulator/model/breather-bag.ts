/**
 * The breather bag ("lung") of a storage cell: a slack gas bag connected to the cell that takes up volume
 * changes of the free gas — barometric swings, temperature swings, respiration with RQ ≠ 1, inlets and the
 * scrubber — so that the cell stays at ambient pressure while the bag is neither empty nor full. Source:
 * DOMAIN.md §5 (drive Δp from barometric swings, temperature swings and the breather bag / relief valve
 * [E]); the bag size is [E].
 *
 * Quasi-static and ideal: the bag's own elasticity is neglected, so while it is partly filled the cell sits
 * exactly at ambient pressure; at its limits the cell is rigid again. With V the rigid free volume, V_b,max
 * the bag's capacity, n the moles of free gas and T its temperature:
 *
 *     V_needed = n·R·T / p_amb
 *     V_needed ≤ V               → bag empty,  V_gas = V,            p = n·R·T / V        (≤ p_amb)
 *     V_needed ≥ V + V_b,max     → bag full,   V_gas = V + V_b,max,  p = n·R·T / V_gas    (≥ p_amb)
 *     otherwise                  → bag slack,  V_gas = V_needed,     p = p_amb
 *
 * p is continuous in n; its slope jumps at the bag's limits (a kink the integrator steps over). The bag's
 * gas is taken as well mixed with the cell's. A pallet cover's own slack plays the same role.
 */
import { GAS_CONSTANT_J_PER_MOL_K, celsiusToKelvin } from './gas-properties.js';

/** Volume the free gas occupies (rigid volume + bag content), m³. */
export function gasVolumeWithBagM3(
  totalMol: number,
  tempC: number,
  rigidVolumeM3: number,
  bagCapacityM3: number,
  ambientPressurePa: number,
): number {
  const needed = (totalMol * GAS_CONSTANT_J_PER_MOL_K * celsiusToKelvin(tempC)) / ambientPressurePa;
  if (needed <= rigidVolumeM3) return rigidVolumeM3;
  const full = rigidVolumeM3 + bagCapacityM3;
  return needed >= full ? full : needed;
}
