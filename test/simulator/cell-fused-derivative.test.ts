/**
 * The fused derivative (model/cell-fused-derivative.ts) is the reference composition of the per-term
 * functions (model/cell.ts `cellDerivative`) evaluated faster: on random states and inputs, every preset,
 * every actuator combination, both leak directions, bag slack and at its limits, the two must agree.
 */
import { describe, expect, it } from 'vitest';
import { CellStateIndex, cellStepCoefficients, createCellPlant, createCellStepCoefficients, presetNames } from '../../simulator/index.js';
import { createRandom } from '../../simulator/engine/random.js';
import { cellFusedDerivative } from '../../simulator/model/cell-fused-derivative.js';
import { CELL_INTEGRATED_SIZE, CELL_STATE_SIZE } from '../../simulator/model/cell-state.js';
import { cellDerivative, type CellInputs } from '../../simulator/model/cell.js';

const I = CellStateIndex;

/** Entries that are sums of terms of either sign: the gas and the air node. */
const SUMS: readonly number[] = [I.gas, I.gas + 1, I.gas + 2, I.airTempC, I.fruitTempC, I.co2Dissolved, I.ethanolMol];

/**
 * |a − b| ≤ 1e-12 · max(|a|, |b|), entry by entry, naming the first entry that does not. A sum may cancel
 * to far below its terms, so there the scale is the largest rate (mol/s) or temperature rate (K/s) in the
 * reference: rounding in a term is relative to the term, not to what is left of the sum.
 */
function expectAgree(fused: Float64Array, reference: Float64Array, context: string): void {
  let molScale = 0;
  for (let i = 0; i < reference.length; i++) {
    if (i !== I.fruitTempC && i !== I.airTempC && i !== I.firmnessN && i !== I.injuryIndex) {
      molScale = Math.max(molScale, Math.abs(reference[i]!));
    }
  }
  const kScale = Math.max(Math.abs(reference[I.fruitTempC]!), Math.abs(reference[I.airTempC]!));
  for (let i = 0; i < reference.length; i++) {
    const a = fused[i]!;
    const b = reference[i]!;
    let scale = Math.max(Math.abs(a), Math.abs(b));
    if (SUMS.includes(i)) scale = Math.max(scale, i === I.airTempC || i === I.fruitTempC ? kScale : molScale);
    if (!(Math.abs(a - b) <= 1e-12 * scale)) {
      expect.fail(`entry ${i}: fused ${a} vs reference ${b} (${context})`);
    }
  }
}

describe('cellFusedDerivative', () => {
  it('agrees with cellDerivative to 1e-12 relative on random states and inputs, every preset', () => {
    const random = createRandom(2024);
    const u = (lo: number, hi: number): number => lo + (hi - lo) * random.next();
    let cases = 0;
    // Which branches the random cases went through, so that the check is not vacuous.
    const seen = { leakIn: 0, leakOut: 0, laminar: 0, slack: 0, door: 0, scrub: 0 };
    for (const name of presetNames()) {
      const plant = createCellPlant({ preset: name });
      const params = plant.params;
      const c = createCellStepCoefficients();
      for (let n = 0; n < 400; n++) {
        const ambient = {
          pressurePa: u(97_000, 104_000),
          tempC: u(-10, 35),
          o2Fraction: u(0.18, 0.21),
          co2Fraction: u(0, 0.002),
        };
        const inputs: CellInputs = {
          actuators: { n2: random.next() < 0.5, air: random.next() < 0.5, scrub: random.next() < 0.5, door: random.next() < 0.2 },
          ambient,
          fermentationScale: u(0.8, 1.3),
          coolingOn: random.next() < 0.5,
          kineticsTempC: u(-2, 25),
          activeBed: random.next() < 0.5 ? 0 : 1,
        };
        cellStepCoefficients(inputs, params, c);
        const state = new Float64Array(CELL_STATE_SIZE);
        const airTempC = u(-3, 25);
        // Total moles for a gas volume below, inside and above the bag's range, and a few exact slack cases.
        const rt = 8.314462618 * (airTempC + 273.15);
        const slack = params.freeVolumeM3 + params.breatherBagM3 * u(0, 1);
        const volume = n % 4 === 0 ? slack : u(0.97, 1.03) * (params.freeVolumeM3 + params.breatherBagM3 / 2);
        const nTotal = (ambient.pressurePa * volume) / rt * (n % 4 === 0 ? 1 : u(0.998, 1.002));
        const xO2 = u(0, 0.21);
        const xCo2 = u(0, 0.1);
        state[I.gas] = nTotal * xO2;
        state[I.gas + 1] = nTotal * xCo2;
        state[I.gas + 2] = nTotal * (1 - xO2 - xCo2);
        state[I.co2Dissolved] = u(0, 50);
        state[I.fruitTempC] = u(-2, 25);
        state[I.airTempC] = airTempC;
        state[I.ethanolMol] = u(0, 200);
        state[I.firmnessN] = u(30, 80);
        state[I.bedALoad] = u(0, params.scrubberBedCapacityMol);
        state[I.bedBLoad] = u(0, params.scrubberBedCapacityMol);
        const before = Float64Array.from(state);
        const fused = new Float64Array(CELL_INTEGRATED_SIZE);
        const reference = new Float64Array(CELL_INTEGRATED_SIZE);
        cellFusedDerivative(state, c, fused);
        cellDerivative(0, state, inputs, params, reference);
        expectAgree(fused, reference, `${name}, case ${n}, inputs ${JSON.stringify(inputs)}`);
        expect(Array.from(state)).toEqual(Array.from(before));
        cases++;
        if (reference[I.leakInStep]! > 0) seen.leakIn++;
        if (reference[I.leakOut]! > 0) seen.leakOut++;
        if (reference[I.leakInStep]! + reference[I.leakOut]! === 0) seen.slack++;
        const leakRate = reference[I.leakInStep]! + reference[I.leakOut]!;
        if (leakRate > 0 && leakRate < 1e-3 * params.leakAreaCm2) seen.laminar++;
        if (inputs.actuators.door) seen.door++;
        if (inputs.actuators.scrub) seen.scrub++;
      }
    }
    expect(cases).toBe(presetNames().length * 400);
    for (const [branch, count] of Object.entries(seen)) expect(count, branch).toBeGreaterThan(20);
  });

  it('refreshes the temperature factors when the kinetics temperature changes, and only the inputs matter', () => {
    const plant = createCellPlant({ preset: 'gala-apple' });
    const state = new Float64Array(CELL_STATE_SIZE);
    state[I.gas] = 100;
    state[I.gas + 1] = 50;
    state[I.gas + 2] = 4000;
    state[I.fruitTempC] = 1;
    state[I.airTempC] = 1;
    state[I.firmnessN] = 60;
    const inputs: CellInputs = { actuators: plant.actuators, ambient: plant.ambient, kineticsTempC: 1, coolingOn: true };
    const c = createCellStepCoefficients();
    const fused = new Float64Array(CELL_INTEGRATED_SIZE);
    const reference = new Float64Array(CELL_INTEGRATED_SIZE);
    for (const tempC of [1, 1, 5, 1, -1]) {
      inputs.kineticsTempC = tempC;
      cellStepCoefficients(inputs, plant.params, c);
      cellFusedDerivative(state, c, fused);
      cellDerivative(0, state, inputs, plant.params, reference);
      expectAgree(fused, reference, `kinetics at ${tempC} °C`);
    }
    expect(() => cellStepCoefficients({ ...inputs, kineticsTempC: undefined }, plant.params, c)).toThrow(/kineticsTempC/);
  });
});
