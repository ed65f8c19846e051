/**
 * The state vector of a storage cell: what the integrator carries, by name.
 *
 * Three blocks share one `Float64Array` so that one RK4 step moves them together:
 *  - the free gas: moles of O2, CO2 and balance gas (N2 + Ar). Pressure and partial pressures follow from
 *    them (p = n·R·T/V), they are not state of their own;
 *  - the ledger: cumulative moles per species through each path (leak in, leak out, N2 inlet, air inlet,
 *    relief out), O2 consumed and CO2 produced by the fruit, CO2 taken by the scrubber. These integrate
 *    the very terms that move the gas, so for each species
 *        n(t) − n(0) = leakIn − leakOut + n2Inlet + airInlet − reliefOut (− consumed, + produced − scrubbed)
 *    holds to rounding error: the mass-balance check, and later the raw material of an RQ measurement
 *    corrected for leaks.
 */

/** Species offsets inside each per-species block. */
export const O2 = 0;
export const CO2 = 1;
export const N2 = 2;
export const SPECIES_COUNT = 3;

/** Start index of each block in the state vector. */
export const CellStateIndex = {
  /** Moles in the free gas, per species. */
  gas: 0,
  /** Cumulative moles in through the leak, per species. */
  leakIn: 3,
  /** Cumulative moles out through the leak, per species. */
  leakOut: 6,
  /** Cumulative moles in from the N2 generator, per species. */
  n2Inlet: 9,
  /** Cumulative moles in through the fresh-air inlet, per species. */
  airInlet: 12,
  /** Cumulative moles out through the relief path, per species. */
  reliefOut: 15,
  /** Cumulative O2 consumed by the fruit, mol. */
  o2Consumed: 18,
  /** Cumulative CO2 produced by the fruit, mol. */
  co2Produced: 19,
  /** Cumulative CO2 removed by the scrubber, mol. */
  co2Scrubbed: 20,
} as const;

export const CELL_STATE_SIZE = 21;

/** Moles of each species. */
export interface SpeciesMol {
  o2Mol: number;
  co2Mol: number;
  n2Mol: number;
}

/** Cumulative moles through every path since the start of the run. */
export interface GasLedger {
  leakIn: SpeciesMol;
  leakOut: SpeciesMol;
  n2Inlet: SpeciesMol;
  airInlet: SpeciesMol;
  reliefOut: SpeciesMol;
  o2ConsumedMol: number;
  co2ProducedMol: number;
  co2ScrubbedMol: number;
}

/** A fresh state: the given free gas, an empty ledger. */
export function createCellState(gas: SpeciesMol): Float64Array {
  const state = new Float64Array(CELL_STATE_SIZE);
  state[CellStateIndex.gas + O2] = gas.o2Mol;
  state[CellStateIndex.gas + CO2] = gas.co2Mol;
  state[CellStateIndex.gas + N2] = gas.n2Mol;
  return state;
}

function readSpecies(state: Float64Array, base: number): SpeciesMol {
  return { o2Mol: state[base + O2]!, co2Mol: state[base + CO2]!, n2Mol: state[base + N2]! };
}

/** Moles in the free gas. */
export function readGasMol(state: Float64Array): SpeciesMol {
  return readSpecies(state, CellStateIndex.gas);
}

/** The cumulative ledger. */
export function readGasLedger(state: Float64Array): GasLedger {
  return {
    leakIn: readSpecies(state, CellStateIndex.leakIn),
    leakOut: readSpecies(state, CellStateIndex.leakOut),
    n2Inlet: readSpecies(state, CellStateIndex.n2Inlet),
    airInlet: readSpecies(state, CellStateIndex.airInlet),
    reliefOut: readSpecies(state, CellStateIndex.reliefOut),
    o2ConsumedMol: state[CellStateIndex.o2Consumed]!,
    co2ProducedMol: state[CellStateIndex.co2Produced]!,
    co2ScrubbedMol: state[CellStateIndex.co2Scrubbed]!,
  };
}
