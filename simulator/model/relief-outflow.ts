/**
 * The relief path that carries away the gas an inlet displaces. Source: DOMAIN.md §5 (breather bag /
 * relief valve); the idealisation is this slice's choice.
 *
 *     ṅ_out,i = ṅ_inlets · n_i / n_total         (well-mixed: the cell's own composition leaves)
 *
 * Choice: an ideal relief. While N2 or fresh air flows in, exactly as many moles of cell gas leave, so
 * the inlets move the composition but not the pressure: a real room's relief valve opens at a few tens of
 * Pa, which is "near ambient" on the scale that matters for the gas balance. Pushing 30 Nm³/h through
 * the 0.1 cm² leak instead would need several bar. The leak still acts on whatever pressure difference
 * respiration, scrubbing or the ambient create. The relief valve's opening pressure, its hysteresis and
 * the breather bag come with the pressure-decay test.
 */

/** Molar outflow of one species through the relief path, mol/s. */
export function reliefOutflowMolPerS(inletsMolPerS: number, speciesMol: number, totalMol: number): number {
  return totalMol > 0 ? (inletsMolPerS * speciesMol) / totalMol : 0;
}
