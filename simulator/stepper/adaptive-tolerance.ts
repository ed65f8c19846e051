/**
 * The adaptive integrator's tolerances for a cell: a relative one far below what any sensor resolves, and
 * per dynamic entry of the state an absolute one in the entry's unit, a millionth of its scale, so that an
 * entry near 0 (no ethanol yet, an empty bed) does not force tiny steps.
 */
import type { Dopri5Options } from '../engine/dopri5.js';
import type { CellParams } from '../model/cell.js';
import { CELL_DYNAMIC_SIZE, CellStateIndex, CO2, N2, O2 } from '../model/cell-state.js';

/** Relative tolerance of the adaptive integrator: far below what any sensor resolves. */
export const ADAPTIVE_REL_TOL = 1e-6;

/**
 * Tolerances for a cell whose initial state is `state`: the gas's and the dissolved CO2's, a millionth of
 * the free gas's moles; temperatures 1e-5 K; ethanol 1 µg/kg; firmness 1e-5 N; a bed, a millionth of its
 * capacity. The ledger's entries are quadratures, outside the error norm.
 */
export function adaptiveToleranceOptions(state: Float64Array, params: Readonly<CellParams>): Dopri5Options {
  const I = CellStateIndex;
  const gas = I.gas;
  const gasMol = state[gas + O2]! + state[gas + CO2]! + state[gas + N2]!;
  const absTol = new Float64Array(CELL_DYNAMIC_SIZE);
  absTol[gas + O2] = absTol[gas + CO2] = absTol[gas + N2] = absTol[I.co2Dissolved] = 1e-6 * gasMol;
  absTol[I.fruitTempC] = absTol[I.airTempC] = 1e-5;
  // 1 µg/kg of ethanol (46.07 g/mol), in mol for the whole load (at least 1 kg).
  absTol[I.ethanolMol] = (1e-9 / 0.04607) * Math.max(1, params.fruitKg);
  absTol[I.firmnessN] = 1e-5;
  absTol[I.bedALoad] = absTol[I.bedBLoad] = 1e-6 * Math.max(1, params.scrubberBedCapacityMol);
  return { quadratureFrom: CELL_DYNAMIC_SIZE, relTol: ADAPTIVE_REL_TOL, absTol };
}
