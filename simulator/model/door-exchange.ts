/**
 * An open cell door: warm ambient air flows in at the top and cold cell air out at the bottom (or the
 * other way), exchanging equal volumes. Buoyancy-driven door flow after Gosney & Olama (1975), as used in
 * the ASHRAE Handbook Refrigeration for infiltration through cold-room doors [S]:
 *
 *     Q = 0.221 · A · √(g·H) · √(1 − ρ_amb/ρ_cell) · (2 / (1 + (ρ_cell/ρ_amb)^(1/3)))^1.5      m³/s
 *
 * with A the door area (default 2 m × 2.5 m [E]), H its height. The gas exchanged is ambient air in, cell
 * gas out (equal volumes, so no pressure change), and the air node gains Q·ρ·c_p·(T_amb − T_a).
 * With a warmer cell than ambient the same formula holds with the densities swapped. A small floor of
 * 0.05 m³/s stands for wind and people when the temperatures are equal [E].
 */

const G_M_PER_S2 = 9.80665;
/** Exchange with the door open and no temperature difference, m³/s [E]. */
export const DOOR_MIN_EXCHANGE_M3_PER_S = 0.05;

/** Volume exchanged per second through an open door, m³/s. */
export function doorExchangeM3PerS(
  areaM2: number,
  heightM: number,
  cellDensityKgPerM3: number,
  ambientDensityKgPerM3: number,
): number {
  const heavy = Math.max(cellDensityKgPerM3, ambientDensityKgPerM3);
  const light = Math.min(cellDensityKgPerM3, ambientDensityKgPerM3);
  const factor = (2 / (1 + Math.cbrt(heavy / light))) ** 1.5;
  const q = 0.221 * areaM2 * Math.sqrt(G_M_PER_S2 * heightM) * Math.sqrt(1 - light / heavy) * factor;
  return Math.max(q, DOOR_MIN_EXCHANGE_M3_PER_S);
}
