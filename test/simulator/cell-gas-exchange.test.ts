import { describe, expect, it } from 'vitest';
import {
  CELL_STATE_SIZE,
  cellDerivative,
  createCellPlant,
  leakVolumeFlowM3PerS,
  MOL_PER_NORMAL_M3,
  type CellPlant,
  type SpeciesMol,
} from '../../simulator/index.js';

const total = (m: SpeciesMol): number => m.o2Mol + m.co2Mol + m.n2Mol;
const o2Fraction = (plant: CellPlant): number => plant.gasMol().o2Mol / total(plant.gasMol());

describe('gas mass balance', () => {
  it('closes for respiration alone (leak and inlets off): O2 now + consumed = O2 at start', () => {
    const plant = createCellPlant({ leakAreaCm2: 0 });
    const start = plant.gasMol();
    plant.step(7 * 86_400); // a week closed
    const now = plant.gasMol();
    const ledger = plant.ledger();
    expect(ledger.o2ConsumedMol).toBeGreaterThan(100); // 25 t for a week: hundreds of mol
    expect((now.o2Mol + ledger.o2ConsumedMol) / start.o2Mol).toBeCloseTo(1, 12);
    expect((now.co2Mol - ledger.co2ProducedMol) / start.co2Mol).toBeCloseTo(1, 9);
    expect(now.n2Mol).toBeCloseTo(start.n2Mol, 9);
    // RQ just under 1 in air: the cell loses a little pressure.
    expect(plant.truth().pressurePa).toBeLessThan(0);
  });

  it('accounts for every mole with leak, respiration, N2, fresh air and scrubber all on', () => {
    const plant = createCellPlant({ actuators: { n2: true, air: true, scrub: true }, initial: { co2Kpa: 2 } });
    const start = plant.gasMol();
    for (let i = 0; i < 48; i++) {
      plant.step(1800);
      // Toggle the inlets on and off to exercise switching between steps.
      plant.setActuators({ n2: i % 3 !== 0, air: i % 4 === 0 });
      plant.setAmbient({ pressurePa: 101_325 + 300 * Math.sin(i / 5) });
    }
    const now = plant.gasMol();
    const l = plant.ledger();
    const inO2 = l.leakIn.o2Mol + l.n2Inlet.o2Mol + l.airInlet.o2Mol;
    const outO2 = l.leakOut.o2Mol + l.reliefOut.o2Mol + l.o2ConsumedMol;
    const inCo2 = l.leakIn.co2Mol + l.n2Inlet.co2Mol + l.airInlet.co2Mol + l.co2ProducedMol;
    const outCo2 = l.leakOut.co2Mol + l.reliefOut.co2Mol + l.co2ScrubbedMol;
    const inN2 = l.leakIn.n2Mol + l.n2Inlet.n2Mol + l.airInlet.n2Mol;
    const outN2 = l.leakOut.n2Mol + l.reliefOut.n2Mol;
    const tolMol = 1e-9 * total(start);
    expect(Math.abs(now.o2Mol - start.o2Mol - (inO2 - outO2))).toBeLessThan(tolMol);
    expect(Math.abs(now.co2Mol - start.co2Mol - (inCo2 - outCo2))).toBeLessThan(tolMol);
    expect(Math.abs(now.n2Mol - start.n2Mol - (inN2 - outN2))).toBeLessThan(tolMol);
    expect(Math.abs(total(now) - total(start) - (inO2 + inCo2 + inN2 - outO2 - outCo2 - outN2))).toBeLessThan(tolMol);
    // Every path carried something, so the check is not vacuous.
    for (const amount of [l.leakIn.n2Mol, l.leakOut.n2Mol, l.n2Inlet.n2Mol, l.airInlet.o2Mol, l.reliefOut.n2Mol, l.co2ScrubbedMol]) {
      expect(amount).toBeGreaterThan(0.1);
    }
    // The inlets displace their own volume: N2 + air in equals relief out.
    expect(total(l.n2Inlet) + total(l.airInlet)).toBeCloseTo(total(l.reliefOut), 6);
  });

  it('cellDerivative is pure: same inputs, same output, state untouched', () => {
    const plant = createCellPlant();
    const state = new Float64Array(CELL_STATE_SIZE);
    state[0] = 100;
    state[1] = 5;
    state[2] = 2000;
    const before = Float64Array.from(state);
    const inputs = { actuators: { n2: true, air: false, scrub: true }, ambient: plant.ambient };
    const a = new Float64Array(CELL_STATE_SIZE);
    const b = new Float64Array(CELL_STATE_SIZE);
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
    expect(plant.truth().o2Kpa).toBeCloseTo(o2Start, 10);
    plant.setActuators({ n2: true });
    plant.step(3600);
    const o2AfterHour = plant.truth().o2Kpa;
    expect(o2AfterHour).toBeLessThan(o2Start - 2);
    // Displacement through the relief keeps the pressure at ambient.
    expect(Math.abs(plant.truth().pressurePa)).toBeLessThan(1e-6);
  });

  it('takes ≈ ln(20.9/2)·Vfree of pure N2 to go from 20.9 % to 2 % O2', () => {
    const freeVolumeM3 = 55;
    const plant = createCellPlant({
      fruitKg: 0,
      leakAreaCm2: 0,
      freeVolumeM3,
      n2PurityFraction: 1,
      n2FlowNm3PerH: 30,
      initial: { o2Kpa: 0.209 * 101.325, co2Kpa: 0 },
      actuators: { n2: true },
    });
    const nTotal = total(plant.gasMol());
    while (o2Fraction(plant) > 0.02) plant.step(10);
    const n2UsedNm3 = plant.ledger().n2Inlet.n2Mol / MOL_PER_NORMAL_M3;
    // Well-mixed dilution: exactly n·ln(x0/x1) moles (the last 10 s step overshoots by < 0.1 Nm³).
    const exactNm3 = (nTotal * Math.log(20.9 / 2)) / MOL_PER_NORMAL_M3;
    expect(n2UsedNm3).toBeGreaterThanOrEqual(exactNm3 - 1e-6);
    expect(n2UsedNm3).toBeLessThan(exactNm3 + 0.1);
    // DOMAIN.md's rule of thumb, 2.35·V: within 5 % (gas at −1 °C is 0.4 % denser than at 0 °C).
    const ruleNm3 = Math.log(20.9 / 2) * freeVolumeM3;
    expect(n2UsedNm3 / ruleNm3).toBeGreaterThan(0.95);
    expect(n2UsedNm3 / ruleNm3).toBeLessThan(1.05);
    // 129.6 Nm³ at 30 Nm³/h: about 4.3 h.
    expect(plant.timeS / 3600).toBeCloseTo(ruleNm3 / 30, 0);
  });

  it('levels off at the generator impurity: 97 % N2 cannot take O2 below 3 %', () => {
    const plant = createCellPlant({ fruitKg: 0, leakAreaCm2: 0, n2PurityFraction: 0.97, actuators: { n2: true } });
    plant.step(3 * 86_400);
    expect(o2Fraction(plant)).toBeCloseTo(0.03, 4);
  });
});

describe('fresh air and scrubber', () => {
  it('fresh air pulls O2 back towards ambient on the flush time constant', () => {
    const plant = createCellPlant({ fruitKg: 0, leakAreaCm2: 0, initial: { o2Kpa: 1, co2Kpa: 0 }, airFlowM3PerH: 50 });
    const nTotal = total(plant.gasMol());
    const x0 = o2Fraction(plant);
    plant.setActuators({ air: true });
    plant.step(7200);
    // dx/dt = (ṅ/n)(x_amb − x), ṅ = 50/3600 m³/s of air at 15 °C, 101 325 Pa.
    const inflowMolPerS = (50 / 3600) * (101_325 / (8.314462618 * 288.15));
    const expected = 0.2095 + (x0 - 0.2095) * Math.exp((-inflowMolPerS * 7200) / nTotal);
    expect(o2Fraction(plant)).toBeCloseTo(expected, 6);
  });

  it('the scrubber removes CO2 first-order in its partial pressure', () => {
    const plant = createCellPlant({
      fruitKg: 0,
      leakAreaCm2: 0,
      initial: { co2Kpa: 3 },
      scrubberFlowM3PerH: 20,
      scrubberEfficiency: 0.9,
      actuators: { scrub: true },
    });
    plant.step(3 * 3600);
    // dn/dt = −η·Q/V·n  →  p(t) = p0·exp(−η·Q·t/V)
    expect(plant.truth().co2Kpa).toBeCloseTo(3 * Math.exp((-0.9 * 20 * 3) / 55), 6);
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
    const plant = createCellPlant({ fruitKg: 0, initial: { o2Kpa: 1, co2Kpa: 0, gaugePressurePa: -300 } });
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
    const plant = createCellPlant({ fruitKg: 0, initial: { o2Kpa: 0.5, co2Kpa: 0 } });
    plant.setAmbient({ pressurePa: 101_325 + 500 });
    plant.step(6 * 3600);
    // The cell's own O2 stays; 500 Pa of ambient air comes in with it.
    expect(plant.truth().o2Kpa).toBeCloseTo(0.5 + 0.2095 * 0.5, 4);
    expect(plant.truth().absolutePressurePa).toBeCloseTo(101_825, 1);
  });

  it('decays 250 → 125 Pa in ≈ 20 min for 0.1 cm² per 100 m³ with Cd 0.61 (DOMAIN.md §5 [D])', () => {
    const plant = createCellPlant({
      fruitKg: 0,
      grossVolumeM3: 100,
      freeVolumeM3: 100,
      leakAreaCm2: 0.1,
      leakCd: 0.61,
      initial: { gaugePressurePa: 250 },
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
