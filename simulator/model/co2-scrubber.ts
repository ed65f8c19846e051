/**
 * The CO2 scrubber, first-order: while on, it circulates cell gas through an adsorber that takes out a
 * fixed fraction of the CO2 and returns the rest. Source: DOMAIN.md §6 (activated-carbon beds [S]); the
 * flow and efficiency are [E].
 *
 *     ṅ_CO2,removed = η · Q / 3600 · n_CO2 / V  =  η · Q / 3600 · pCO2 / (R · T)
 *
 * Q in m³/h of cell gas through the scrubber, η the fraction of CO2 the bed removes (0–1). Removal is
 * proportional to the CO2 partial pressure, as the brief of this slice asks. Nothing is given back: the
 * cell loses those moles and the leak makes them up. Two beds, saturation, regeneration with outside air
 * (which lets O2 in) come in a later slice and replace η by a bed state.
 */

/** CO2 removed by a running scrubber, mol/s. */
export function scrubberCo2RemovalMolPerS(
  flowM3PerH: number,
  efficiency: number,
  co2Mol: number,
  freeVolumeM3: number,
): number {
  const co2 = co2Mol > 0 ? co2Mol : 0;
  return (efficiency * (flowM3PerH / 3600) * co2) / freeVolumeM3;
}
