/**
 * The state vector of a storage cell: what the integrator carries, by name.
 *
 * Blocks share one `Float64Array` so that one RK4 step moves them together:
 *  - the free gas: moles of O2, CO2 and balance gas (N2 + Ar). Pressure and partial pressures follow from
 *    them, the air temperature and the breather bag (breather-bag.ts); they are not state of their own;
 *  - the gas ledger: cumulative moles per species through each path (leak in, leak out, N2 inlet, air
 *    inlet, relief valve out and in, door in and out), O2 consumed and CO2 produced by the fruit, CO2
 *    scrubbed. For each species
 *        n(t) − n(0) = Σ in − Σ out (− consumed, + produced − scrubbed − dissolved)
 *    holds to rounding error: the mass-balance check, and the raw material of a leak-corrected RQ;
 *  - the fruit: dissolved CO2 (mol), temperature, ethanol (mol), firmness (N), low-O2 injury index;
 *  - the air node's temperature;
 *  - energy: cumulative respiration heat, heat removed by the cooling unit, fan energy (J);
 *  - the scrubber's two carbon beds: CO2 loaded on each (mol), and CO2 released to the outside.
 */

/** Species offsets inside each per-species block. */
export const O2 = 0;
export const CO2 = 1;
export const N2 = 2;
export const SPECIES_COUNT = 3;

/**
 * Start index of each block in the state vector, in four parts:
 *  - 0 … CELL_DYNAMIC_SIZE − 1: what the derivative reads (the gas, the fruit, the air node, the beds);
 *  - … CELL_CLOSED_DOOR_SIZE − 1: quadratures, running integrals the derivative never reads (the ledger of
 *    flows through the integrated paths, the injury index): RK4 sums them without probe values
 *    (engine/rk4.ts);
 *  - … CELL_INTEGRATED_SIZE − 1: the door's quadratures, integrated only while the door is open (their
 *    rates are exactly 0 while it is shut, so the plant then integrates the shorter prefix);
 *  - the rest changes only between steps: the relief valve's and the bed switch-over's ledgers (discrete
 *    events, between sub-steps), and, once per plant `step` call, the integrals of flows that are constant
 *    over a call — the N2 and air inlets, the fans, the cooling unit for the time it ran — which the plant
 *    adds up exactly (rate × time; RK4 integrates a constant exactly too, so the ledger still closes), and
 *    the per-species ledgers of the flows that come in with the ambient's composition (leak in, door in).
 * Flows in from the ambient (leak in, door in) are integrated as one total (`leakInStep`, `doorInStep`)
 * over a plant `step` call: the ambient's mole fractions are constant over a call, so at its end the plant
 * splits the total by them into the per-species ledger and sets the total back to 0. That is the same
 * integral as RK4 of each species' flow, with a third of the vector work.
 * Respiration heat and regenerated CO2 are not stored: they follow from other entries.
 */
export const CellStateIndex = {
  /** Moles in the free gas, per species. */
  gas: 0,
  /** CO2 dissolved in the fruit now, mol. */
  co2Dissolved: 3,
  /** Fruit temperature, °C. */
  fruitTempC: 4,
  /** Air node temperature (the free gas), °C. */
  airTempC: 5,
  /** Ethanol in the fruit, mol. */
  ethanolMol: 6,
  /** Flesh firmness, N. */
  firmnessN: 7,
  /** CO2 loaded on scrubber bed A, mol. */
  bedALoad: 8,
  /** CO2 loaded on scrubber bed B, mol. */
  bedBLoad: 9,
  // ---- quadratures ----
  /** Cumulative moles out through the leak, per species. */
  leakOut: 10,
  /** Cumulative O2 consumed by the fruit, mol. */
  o2Consumed: 13,
  /** Cumulative CO2 produced by the fruit, mol. */
  co2Produced: 14,
  /** Cumulative CO2 taken from the cell gas by the scrubber beds, mol. */
  co2Scrubbed: 15,
  /** Cumulative fermentative CO2, mol. */
  fermentativeCo2: 16,
  /** Low-O2 injury index (days-equivalent above the ethanol threshold). */
  injuryIndex: 17,
  /** Moles in through the leak during the current `step` call, all species (0 between calls). */
  leakInStep: 18,
  // ---- quadratures of the open door ----
  /** Moles in through an open door during the current `step` call, all species (0 between calls). */
  doorInStep: 19,
  /** Cumulative moles out through an open door, per species. */
  doorOut: 20,
  // ---- changed only between steps ----
  /** Cumulative moles in through the leak, per species. */
  leakIn: 23,
  /** Cumulative moles in through an open door, per species. */
  doorIn: 26,
  /** Cumulative moles in from the N2 generator, per species. */
  n2Inlet: 29,
  /** Cumulative moles in through the fresh-air inlet, per species. */
  airInlet: 32,
  /** Cumulative moles vented by the relief valve, per species. */
  reliefOut: 35,
  /** Cumulative moles of ambient air admitted by the relief valve, per species. */
  reliefIn: 38,
  /** Cumulative O2 let into the cell by the scrubber at bed switch-over, mol. */
  scrubberO2In: 41,
  /** Cumulative balance gas let in with it, mol. */
  scrubberN2In: 42,
  /** Cumulative heat removed by the cooling unit, J. */
  coolingHeatJ: 43,
  /** Cumulative fan energy, J. */
  fanEnergyJ: 44,
} as const;

/** Entries the derivative reads (indices 0 … CELL_DYNAMIC_SIZE − 1). */
export const CELL_DYNAMIC_SIZE = 10;
/** Entries the integrator carries while the door is shut (indices 0 … CELL_CLOSED_DOOR_SIZE − 1). */
export const CELL_CLOSED_DOOR_SIZE = 19;
/** Entries the integrator carries while the door is open (indices 0 … CELL_INTEGRATED_SIZE − 1). */
export const CELL_INTEGRATED_SIZE = 23;
export const CELL_STATE_SIZE = 45;

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
  /** Vented by the relief valve. */
  reliefOut: SpeciesMol;
  /** Admitted (ambient air) by the relief valve. */
  reliefIn: SpeciesMol;
  doorIn: SpeciesMol;
  doorOut: SpeciesMol;
  /** Air let in by the scrubber at bed switch-over (its CO2 is negligible and booked as 0). */
  scrubberIn: SpeciesMol;
  o2ConsumedMol: number;
  co2ProducedMol: number;
  co2ScrubbedMol: number;
  /** CO2 now dissolved in the fruit minus at the start, mol. */
  co2DissolvedMol: number;
}

/** A fresh state: the given free gas, an empty ledger, everything else 0 (the plant fills it in). */
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

/** The cumulative ledger; `co2Dissolved0Mol` is the fruit's dissolved CO2 at the start. */
export function readGasLedger(state: Float64Array, co2Dissolved0Mol = 0): GasLedger {
  const I = CellStateIndex;
  return {
    leakIn: readSpecies(state, I.leakIn),
    leakOut: readSpecies(state, I.leakOut),
    n2Inlet: readSpecies(state, I.n2Inlet),
    airInlet: readSpecies(state, I.airInlet),
    reliefOut: readSpecies(state, I.reliefOut),
    reliefIn: readSpecies(state, I.reliefIn),
    doorIn: readSpecies(state, I.doorIn),
    doorOut: readSpecies(state, I.doorOut),
    scrubberIn: { o2Mol: state[I.scrubberO2In]!, co2Mol: 0, n2Mol: state[I.scrubberN2In]! },
    o2ConsumedMol: state[I.o2Consumed]!,
    co2ProducedMol: state[I.co2Produced]!,
    co2ScrubbedMol: state[I.co2Scrubbed]!,
    co2DissolvedMol: state[I.co2Dissolved]! - co2Dissolved0Mol,
  };
}
