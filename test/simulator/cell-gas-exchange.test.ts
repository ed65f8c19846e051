import { describe, expect, it } from 'vitest';
import { CellStateIndex, createCellPlant, type CellPlant, type SpeciesMol } from '../../simulator/index.js';
import { CELL_INTEGRATED_SIZE, CELL_STATE_SIZE } from '../../simulator/model/cell-state.js';
import { cellDerivative } from '../../simulator/model/cell.js';
import { MOL_PER_NORMAL_M3 } from '../../simulator/model/gas-properties.js';
import { leakVolumeFlowM3PerS } from '../../simulator/model/leak.js';

const total = (m: SpeciesMol): number => m.o2Mol + m.co2Mol + m.n2Mol;
/** A rigid cell at constant temperature: no bag, a sealed relief valve, no heat flows. */
const RIGID = {
  breatherBagM3: 0,
  reliefValveOpeningPa: 20_000,
  coolingCapacityW: 0,
  fanPowerW: 0,
  wallConductanceWPerK: 0,
} as const;
const o2Fraction = (plant: CellPlant): number => plant.gasMol().o2Mol / total(plant.gasMol());

describe('gas mass balance', () => {
  it('closes for respiration alone (leak and inlets off): O2 now + consumed = O2 at start', () => {
    const plant = createCellPlant({ leakAreaCm2: 0 });
    const start = plant.gasMol();
    const bagStart = plant.truth().bagVolumeM3;
    plant.step(7 * 86_400); // a week closed
    const now = plant.gasMol();
    const ledger = plant.ledger();
    expect(ledger.o2ConsumedMol).toBeGreaterThan(100); // 25 t for a week: hundreds of mol
    const r = ledger.reliefIn;
    expect((now.o2Mol + ledger.o2ConsumedMol - r.o2Mol) / start.o2Mol).toBeCloseTo(1, 12);
    // CO2: produced minus what dissolved in the fruit (≈ 40 % of it: DOMAIN.md §2).
    expect(ledger.co2DissolvedMol).toBeGreaterThan(0.3 * ledger.co2ProducedMol);
    expect(ledger.co2DissolvedMol).toBeLessThan(0.5 * ledger.co2ProducedMol);
    expect((now.co2Mol - ledger.co2ProducedMol + ledger.co2DissolvedMol - r.co2Mol) / start.co2Mol).toBeCloseTo(1, 9);
    expect((now.n2Mol - r.n2Mol) / start.n2Mol).toBeCloseTo(1, 12);
    // RQ just under 1 and CO2 going into the fruit: the gas shrinks, the breather bag empties and the
    // relief valve lets air in at its opening pressure, −200 Pa; the cooling cycle's air temperature swing
    // (±0.3 K ≈ ±110 Pa in the rigid cell) moves the pressure above that.
    expect(bagStart).toBeCloseTo(0.5, 6);
    expect(plant.truth().bagVolumeM3).toBeLessThan(0.05);
    expect(plant.truth().pressurePa).toBeGreaterThan(-201);
    expect(plant.truth().pressurePa).toBeLessThanOrEqual(0);
    expect(r.n2Mol).toBeGreaterThan(10);
  });

  it.each(['rk4', 'dopri5'] as const)('accounts for every mole with leak, respiration, dissolution, N2, fresh air, scrubber beds, relief valve and door (%s)', (integrator) => {
    const plant = createCellPlant({
      actuators: { n2: true, air: true, scrub: true },
      initial: { co2Kpa: 2 },
      scrubberBedCapacityMol: 5,
      integrator,
    });
    const start = plant.gasMol();
    for (let i = 0; i < 48; i++) {
      plant.step(1800);
      // Toggle the inlets and the door to exercise switching between steps.
      plant.setActuators({ n2: i % 3 !== 0, air: i % 4 === 0, door: i === 20, scrub: i % 5 !== 0 });
      plant.setAmbient({ pressurePa: 101_325 + 300 * Math.sin(i / 5) });
    }
    const now = plant.gasMol();
    const l = plant.ledger();
    const inO2 = l.leakIn.o2Mol + l.n2Inlet.o2Mol + l.airInlet.o2Mol + l.reliefIn.o2Mol + l.doorIn.o2Mol + l.scrubberIn.o2Mol;
    const outO2 = l.leakOut.o2Mol + l.reliefOut.o2Mol + l.doorOut.o2Mol + l.o2ConsumedMol;
    const inCo2 = l.leakIn.co2Mol + l.n2Inlet.co2Mol + l.airInlet.co2Mol + l.reliefIn.co2Mol + l.doorIn.co2Mol + l.co2ProducedMol;
    const outCo2 = l.leakOut.co2Mol + l.reliefOut.co2Mol + l.doorOut.co2Mol + l.co2ScrubbedMol + l.co2DissolvedMol;
    const inN2 = l.leakIn.n2Mol + l.n2Inlet.n2Mol + l.airInlet.n2Mol + l.reliefIn.n2Mol + l.doorIn.n2Mol + l.scrubberIn.n2Mol;
    const outN2 = l.leakOut.n2Mol + l.reliefOut.n2Mol + l.doorOut.n2Mol;
    const tolMol = 1e-9 * total(start);
    expect(Math.abs(now.o2Mol - start.o2Mol - (inO2 - outO2))).toBeLessThan(tolMol);
    expect(Math.abs(now.co2Mol - start.co2Mol - (inCo2 - outCo2))).toBeLessThan(tolMol);
    expect(Math.abs(now.n2Mol - start.n2Mol - (inN2 - outN2))).toBeLessThan(tolMol);
    // Every path carried something, so the check is not vacuous.
    for (const amount of [
      l.leakIn.n2Mol, l.leakOut.n2Mol, l.n2Inlet.n2Mol, l.airInlet.o2Mol, l.reliefOut.n2Mol, l.co2ScrubbedMol,
      l.doorIn.n2Mol, l.doorOut.n2Mol, l.scrubberIn.o2Mol,
    ]) {
      expect(amount).toBeGreaterThan(0.01);
    }
    // The scrubber's CO2 is on the beds or gone outside.
    const t = plant.truth();
    const regenerated = l.co2ScrubbedMol - t.scrubberBedLoadMol.a - t.scrubberBedLoadMol.b;
    expect(regenerated).toBeGreaterThan(0);
  });

  it('cellDerivative is pure: same inputs, same output, state untouched', () => {
    const plant = createCellPlant();
    const state = new Float64Array(CELL_STATE_SIZE);
    state[0] = 100;
    state[1] = 5;
    state[2] = 2000;
    state[CellStateIndex.fruitTempC] = 1; // fruit and air at 1 °C
    state[CellStateIndex.airTempC] = 1;
    const before = Float64Array.from(state);
    const inputs = { actuators: { n2: true, air: false, scrub: true, door: false }, ambient: plant.ambient };
    const a = new Float64Array(CELL_INTEGRATED_SIZE);
    const b = new Float64Array(CELL_INTEGRATED_SIZE);
    cellDerivative(0, state, inputs, plant.params, a);
    cellDerivative(123, state, inputs, plant.params, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(state)).toEqual(Array.from(before));
  });
});

describe('N2 purge (DOMAIN.md §6)', () => {
  it('lowers O2 while the N2 valve is open, and only then', () => {
    const plant = createCellPlant({ fruitKg: 0, leakAreaCm2: 0 });
    const o2Start = plant.truth().o2Kpa;
    plant.step(3600);
    expect(plant.truth().o2Kpa).toBeCloseTo(o2Start, 2); // only the air temperature's cooling cycle moves it
    plant.setActuators({ n2: true });
    plant.step(3600);
    const o2AfterHour = plant.truth().o2Kpa;
    expect(o2AfterHour).toBeLessThan(o2Start - 2);
    // The N2 fills the breather bag, then lifts the relief valve, which holds the cell at its opening pressure.
    expect(plant.truth().bagVolumeM3).toBeCloseTo(1, 9);
    expect(plant.truth().pressurePa).toBeCloseTo(200, 0);
    expect(plant.ledger().reliefOut.n2Mol).toBeGreaterThan(0);
  });

  it('takes ≈ ln(20.9/2)·Vfree of pure N2 to go from 20.9 % to 2 % O2', () => {
    const freeVolumeM3 = 55;
    const plant = createCellPlant({
      ...RIGID,
      reliefValveOpeningPa: 1, // the relief vents what the N2 pushes in, at 1 Pa
      fruitKg: 0,
      leakAreaCm2: 0,
      freeVolumeM3,
      n2PurityFraction: 1,
      n2FlowNm3PerH: 30,
      initial: { o2Kpa: 0.209 * 101.326, co2Kpa: 0, gaugePressurePa: 1 },
      actuators: { n2: true },
    });
    const nTotal = total(plant.gasMol());
    while (o2Fraction(plant) > 0.02) plant.step(10);
    const n2UsedNm3 = plant.ledger().n2Inlet.n2Mol / MOL_PER_NORMAL_M3;
    // Well-mixed dilution: n·ln(x0/x1) moles. The relief valve vents after each 10 s step, which wastes
    // a little of the fresh N2 (a splitting error of ṅ·h/(2n) ≈ 0.08 %), and the last step overshoots.
    const exactNm3 = (nTotal * Math.log(20.9 / 2)) / MOL_PER_NORMAL_M3;
    expect(n2UsedNm3).toBeGreaterThanOrEqual(exactNm3 - 1e-6);
    expect(n2UsedNm3).toBeLessThan(exactNm3 * 1.002 + 0.1);
    // DOMAIN.md's rule of thumb, 2.35·V: within 5 % (gas at −1 °C is 0.4 % denser than at 0 °C).
    const ruleNm3 = Math.log(20.9 / 2) * freeVolumeM3;
    expect(n2UsedNm3 / ruleNm3).toBeGreaterThan(0.95);
    expect(n2UsedNm3 / ruleNm3).toBeLessThan(1.05);
    // 129.6 Nm³ at 30 Nm³/h: about 4.3 h.
    expect(plant.timeS / 3600).toBeCloseTo(ruleNm3 / 30, 0);
  });

  it('levels off at the generator impurity: 97 % N2 cannot take O2 below 3 %', () => {
    const plant = createCellPlant({ fruitKg: 0, leakAreaCm2: 0, n2PurityFraction: 0.97, actuators: { n2: true } });
    expect(plant.params.breatherBagM3).toBe(1); // 1 % of 100 m³ gross
    plant.step(3 * 86_400);
    expect(o2Fraction(plant)).toBeCloseTo(0.03, 4);
  });
});

describe('fresh air and scrubber', () => {
  it('fresh air pulls O2 back towards ambient on the flush time constant', () => {
    const plant = createCellPlant({
      ...RIGID, reliefValveOpeningPa: 1, fruitKg: 0, leakAreaCm2: 0, airFlowM3PerH: 50,
      initial: { o2Kpa: 1, co2Kpa: 0, gaugePressurePa: 1 },
    });
    const nTotal = total(plant.gasMol());
    const x0 = o2Fraction(plant);
    plant.setActuators({ air: true });
    plant.step(7200);
    // dx/dt = (ṅ/n)(x_amb − x), ṅ = 50/3600 m³/s of air at 15 °C, 101 325 Pa.
    const inflowMolPerS = (50 / 3600) * (101_325 / (8.314462618 * 288.15));
    const expected = 0.2095 + (x0 - 0.2095) * Math.exp((-inflowMolPerS * 7200) / nTotal);
    // Within the relief valve's splitting error (vented after each step), 5e-4 relative.
    expect(o2Fraction(plant) / expected).toBeCloseTo(1, 3);
  });

  it('the scrubber removes CO2 first-order in its partial pressure', () => {
    const plant = createCellPlant({
      ...RIGID,
      fruitKg: 0,
      leakAreaCm2: 0,
      initial: { co2Kpa: 3 },
      scrubberFlowM3PerH: 20,
      scrubberEfficiency: 0.9,
      scrubberBedCapacityMol: 1e6, // a bed that never fills: the clean-bed law
      actuators: { scrub: true },
    });
    plant.step(3 * 3600);
    // dn/dt = −η·Q/V·n  →  p(t) = p0·exp(−η·Q·t/V)
    // (the bed's load, ≤ 73 mol of 1e6, slows it by < 1e-4)
    expect(plant.truth().co2Kpa / (3 * Math.exp((-0.9 * 20 * 3) / 55))).toBeCloseTo(1, 4);
    // It took moles out without giving any back, so the sealed cell is under pressure now.
    expect(plant.truth().pressurePa).toBeLessThan(-1000);
  });
});

describe('leaks (DOMAIN.md §5)', () => {
  it('reproduces DOMAIN.md ingress figures for 0.1 cm² (0.66/1.5/2.1/2.9 m³ per day at 1/5/10/20 Pa)', () => {
    const perDay = [1, 5, 10, 20].map((dp) => leakVolumeFlowM3PerS(dp, 0.1e-4, 0.61, 1.29, 1) * 86_400);
    expect(perDay[0]).toBeCloseTo(0.66, 1);
    expect(perDay[1]).toBeCloseTo(1.5, 1);
    expect(perDay[2]).toBeCloseTo(2.1, 1);
    expect(perDay[3]).toBeCloseTo(2.9, 1);
  });

  it('is linear below the laminar threshold, continuous at it, and antisymmetric', () => {
    const q = (dp: number): number => leakVolumeFlowM3PerS(dp, 1e-5, 0.61, 1.29, 1);
    expect(q(0)).toBe(0);
    expect(q(0.5)).toBeCloseTo(q(1) / 2, 15);
    expect(q(1 - 1e-9)).toBeCloseTo(q(1), 12);
    expect(q(-3)).toBe(-q(3));
    expect(q(4)).toBeCloseTo(2 * q(1), 15); // orifice law above: √4 = 2
  });

  it('lets air into a cell under pressure at low O2 and raises its O2 (respiration off)', () => {
    const plant = createCellPlant({ ...RIGID, fruitKg: 0, initial: { o2Kpa: 1, co2Kpa: 0, gaugePressurePa: -300 } });
    expect(plant.truth().pressurePa).toBeCloseTo(-300, 6);
    expect(plant.truth().leakInflowMolPerS).toBeGreaterThan(0);
    plant.step(4 * 3600);
    const t = plant.truth();
    expect(Math.abs(t.pressurePa)).toBeLessThan(0.01);
    // The 300 Pa came back as ambient air: O2 rises by 0.2095 × 0.300 kPa.
    expect(t.o2Kpa).toBeCloseTo(1 + 0.2095 * 0.3, 4);
    expect(plant.ledger().leakIn.o2Mol).toBeGreaterThan(0);
    expect(plant.ledger().leakOut.o2Mol).toBe(0);
  });

  it('follows a barometric rise of the ambient with inflow', () => {
    const plant = createCellPlant({ ...RIGID, fruitKg: 0, initial: { o2Kpa: 0.5, co2Kpa: 0 } });
    plant.setAmbient({ pressurePa: 101_325 + 500 });
    plant.step(6 * 3600);
    // The cell's own O2 stays; 500 Pa of ambient air comes in with it.
    expect(plant.truth().o2Kpa).toBeCloseTo(0.5 + 0.2095 * 0.5, 4);
    expect(plant.truth().absolutePressurePa).toBeCloseTo(101_825, 1);
  });

  it('gives the truth\'s absolute pressure alone (absolutePressurePa), with the bag slack, empty and full', () => {
    for (const [options, gaugePa] of [
      [{ fruitKg: 0 }, 0], // a bag: slack at ambient
      [{ ...RIGID, fruitKg: 0 }, -300], // rigid, under pressure
      [{ ...RIGID, fruitKg: 0 }, 250], // rigid, over pressure
    ] as const) {
      const plant = createCellPlant({ ...options, initial: { o2Kpa: 3, co2Kpa: 1, gaugePressurePa: gaugePa } });
      plant.step(600);
      expect(plant.absolutePressurePa()).toBe(plant.truth().absolutePressurePa);
      // Slack: exactly ambient; rigid: the pressure the cell still has (its leak is small).
      if (gaugePa === 0) expect(plant.absolutePressurePa()).toBe(101_325);
      else expect(Math.sign(plant.absolutePressurePa() - 101_325)).toBe(Math.sign(gaugePa));
    }
  });

  it('decays 250 → 125 Pa in ≈ 20 min for 0.1 cm² per 100 m³ with Cd 0.61 (DOMAIN.md §5 [D])', () => {
    const plant = createCellPlant({
      ...RIGID,
      fruitKg: 0,
      grossVolumeM3: 100,
      freeVolumeM3: 100,
      leakAreaCm2: 0.1,
      leakCd: 0.61,
      initial: { gaugePressurePa: 250 },
      tempC: 15, // the ambient's: no temperature difference
    });
    while (plant.truth().pressurePa > 125) plant.step(1);
    expect(plant.timeS / 60).toBeGreaterThan(19);
    expect(plant.timeS / 60).toBeLessThan(21);
    // The outflow carried the cell's own gas.
    expect(plant.ledger().leakOut.n2Mol).toBeGreaterThan(0);
    expect(plant.ledger().leakIn.n2Mol).toBe(0);
  });

  it('keeps its sub-step below half the leak time constant for a leaky small enclosure', () => {
    const plant = createCellPlant({ grossVolumeM3: 2, freeVolumeM3: 1, fruitKg: 500, leakAreaCm2: 1 });
    expect(plant.subStepS).toBeLessThan(0.1);
    plant.step(600);
    expect(Number.isFinite(plant.truth().pressurePa)).toBe(true);
    expect(Math.abs(plant.truth().pressurePa)).toBeLessThan(1);
  });
});

describe('the adaptive integrator on a pallet cover', () => {
  /** A pallet cover pushed to its relief valve by N2 for 2 h, then left to respiration for 2 h. */
  function run(integrator: 'rk4' | 'dopri5', maxStepS: number): { plant: CellPlant; o2: number[]; co2: number[] } {
    const plant = createCellPlant({ preset: 'pallet-cover-elstar', integrator, maxStepS, actuators: { n2: true, scrub: true } });
    const o2: number[] = [];
    const co2: number[] = [];
    for (let h = 0; h < 4; h++) {
      if (h === 2) plant.setActuators({ n2: false });
      plant.step(3600);
      o2.push(plant.truth().o2Kpa);
      co2.push(plant.truth().co2Kpa);
    }
    return { plant, o2, co2 };
  }

  it('is the default for pallet presets, RK4 for cells', () => {
    expect(createCellPlant({ preset: 'pallet-cover-elstar' }).integrator).toBe('dopri5');
    expect(createCellPlant({ preset: 'container-gala' }).integrator).toBe('dopri5');
    expect(createCellPlant({ preset: 'gala-apple' }).integrator).toBe('rk4');
    expect(() => createCellPlant({ integrator: 'euler' as 'rk4' })).toThrow(/"integrator" must be "rk4" or "dopri5"/);
  });

  it('agrees with RK4 at a 50 ms step to well under the analysers\' resolution, in a tenth of the steps', () => {
    const reference = run('rk4', 0.05);
    const fixed = run('rk4', 10); // RK4 held to half the leak time constant: ≈ 1 s
    const adaptive = run('dopri5', 10);
    for (let h = 0; h < 4; h++) {
      expect(Math.abs(adaptive.o2[h]! - reference.o2[h]!)).toBeLessThan(0.001);
      expect(Math.abs(adaptive.co2[h]! - reference.co2[h]!)).toBeLessThan(0.001);
    }
    expect(fixed.plant.subStepS).toBeLessThan(1);
    expect(adaptive.plant.integratorSteps).toBeLessThan(fixed.plant.integratorSteps / 8);
    // Its steps grow to maxStepS while nothing fast goes on.
    expect(adaptive.plant.subStepS).toBe(10);
  });
});
