/**
 * The CO2 scrubber: two activated-carbon beds. One adsorbs — cell gas is circulated through it and it
 * takes CO2 out — while the other regenerates with outside air, which carries its CO2 away. When the
 * adsorbing bed nears its capacity the beds switch over, and the air in the freshly regenerated bed goes
 * into the cell with it, which lets some O2 in. Source: DOMAIN.md §6 (two activated-carbon beds, one
 * adsorbs, one regenerates with outside air, which lets some O2 in) [S]; the numbers are [E].
 *
 *     removal  = η0 · (1 − L_a/C) · Q/3600 · n_CO2 / V_gas      mol/s, L_a the adsorbing bed's load
 *     regen    = k_r · L_r                                     mol/s to the outside, L_r the other bed's load
 *     dL_a/dt  = removal,   dL_r/dt = −regen                  (while the scrubber runs)
 *
 *  - η0 0.9 at a clean bed, falling linearly to 0 at the capacity C (a linear breakthrough) [E];
 *  - C = 0.2 mol CO2 per m³ of gross room volume (20 mol for 100 m³: about 70 kg of carbon at
 *    0.3 mol/kg, switching a few times a day in a 25 t room under CA) [E];
 *  - k_r = 1 / 20 min: regeneration with outside air empties a bed in about an hour [E];
 *  - switch-over when L_a ≥ 0.9 · C; the regenerated bed's void, 0.1 m³ per 100 m³ of room [E], of
 *    ambient air enters the cell then (an event between steps, cell-plant.ts).
 * Removal is first order in pCO2, so the scrubber slows as CO2 falls; nothing is returned to the cell,
 * so the breather bag (or, when it is empty, the relief valve) makes up the volume.
 */

/** CO2 removed from the cell gas by the adsorbing bed, mol/s. */
export function scrubberCo2RemovalMolPerS(
  flowM3PerH: number,
  efficiency: number,
  co2Mol: number,
  gasVolumeM3: number,
  bedLoadMol = 0,
  bedCapacityMol = Infinity,
): number {
  const co2 = co2Mol > 0 ? co2Mol : 0;
  const free = bedCapacityMol > 0 ? Math.max(0, 1 - bedLoadMol / bedCapacityMol) : 0;
  return (efficiency * free * (flowM3PerH / 3600) * co2) / gasVolumeM3;
}

/** CO2 released to the outside by the regenerating bed, mol/s. */
export function scrubberRegenerationMolPerS(bedLoadMol: number, regenerationPerS: number): number {
  return bedLoadMol > 0 ? regenerationPerS * bedLoadMol : 0;
}
