import { describe, expect, it } from 'vitest';
import { createCellPlant, runPressureDecayTest, SimulatorError } from '../../simulator/index.js';
import { gasDensityKgPerM3 } from '../../simulator/model/gas-properties.js';
import { equivalentLeakAreaM2, pressureDecayGaugePa, pressureDecayHalfTimeS } from '../../simulator/model/pressure-decay.js';

describe('pressure-decay closed form (DOMAIN.md §5)', () => {
  it('gives DOMAIN.md figures for 0.10 cm² per 100 m³: 20/22 min (Cd 0.61), 12/13 min (Cd 1) from 250/300 Pa', () => {
    const min = (cd: number, p0: number): number => pressureDecayHalfTimeS(100, 0.1e-4, cd, p0, 101_325, 1.29) / 60;
    expect(min(0.61, 250)).toBeCloseTo(20, 0);
    expect(min(0.61, 300)).toBeCloseTo(22, 0);
    expect(min(1, 250)).toBeCloseTo(12, 0);
    expect(min(1, 300)).toBeCloseTo(13, 0);
  });

  it('inverts: the area from a half time is the area that gave it', () => {
    const t = pressureDecayHalfTimeS(250, 0.3e-4, 0.61, 300, 101_325, 1.29);
    expect(equivalentLeakAreaM2(250, t, 0.61, 300, 101_325, 1.29)).toBeCloseTo(0.3e-4, 12);
  });
});

describe('leak-only relaxation of the simulated cell', () => {
  it('follows the orifice law: √Δp falls linearly in time, as the closed form says (within 1 %)', () => {
    const V = 100;
    const plant = createCellPlant({
      fruitKg: 0, grossVolumeM3: V, freeVolumeM3: V, leakAreaCm2: 0.1, leakCd: 0.61, tempC: 0,
      breatherBagM3: 0, reliefValveOpeningPa: 20_000, coolingCapacityW: 0, fanPowerW: 0,
      ambient: { tempC: 0 }, initial: { gaugePressurePa: 300 },
    });
    const rho = gasDensityKgPerM3(101_625, 0, 0.2095, 0.0004);
    for (const tS of [300, 600, 1200, 1800, 2400]) {
      plant.step(tS - plant.timeS);
      const expected = pressureDecayGaugePa(tS, V, 0.1e-4, 0.61, 300, 101_325, rho);
      // The closed form takes p ≈ p_atm where the cell has p_atm + Δp (0.3 % faster outflow at the start).
      expect(plant.truth().pressurePa / expected).toBeGreaterThan(0.99);
      expect(plant.truth().pressurePa / expected).toBeLessThan(1.0);
    }
    // Instantaneous law: the outflow is Cd·A·√(2Δp/ρ) of cell gas.
    const t = plant.truth();
    const qM3PerS = (-t.leakInflowMolPerS * 8.314462618 * 273.15) / t.absolutePressurePa;
    const rhoNow = gasDensityKgPerM3(t.absolutePressurePa, 0, 0.2095, 0.0004);
    expect(qM3PerS / (0.61 * 0.1e-4 * Math.sqrt((2 * t.pressurePa) / rhoNow))).toBeCloseTo(1, 4);
  });
});

describe('the pressure-decay test procedure', () => {
  it('t½ for 0.10 cm² per 100 m³ is within 5 % of the DOMAIN.md §5 formula, and the cell just passes', () => {
    const r = runPressureDecayTest({ grossVolumeM3: 100, leakAreaCm2: 0.1, p0Pa: 300 });
    const formulaS = pressureDecayHalfTimeS(100, 0.1e-4, 0.61, 300, 101_325, 1.29);
    expect(Math.abs(r.halfTimeS! / formulaS - 1)).toBeLessThan(0.05);
    // Tighter in fact: the simulated p is the absolute pressure, the formula's p_atm (0.3 %), ρ 0.5 %.
    expect(Math.abs(r.halfTimeS! / formulaS - 1)).toBeLessThan(0.01);
    expect(r.halfTimeS! / 60).toBeGreaterThan(21);
    expect(r.halfTimeS! / 60).toBeLessThan(23);
    expect(r.leakAreaCm2Per100M3).toBeCloseTo(0.1, 3);
    expect(r.limitCm2Per100M3).toBe(0.1);
    expect(r.samples.length).toBeGreaterThan(100);
    expect(r.samples[0]!.pressurePa).toBeCloseTo(300, 6);
  });

  it('recovers the leak area of other rooms and judges them: 1.5× the limit fails, 0.6× passes', () => {
    const bad = runPressureDecayTest({ grossVolumeM3: 500, freeVolumeM3: 280, leakAreaCm2: 0.75, p0Pa: 250 });
    expect(bad.leakAreaCm2).toBeCloseTo(0.75, 2);
    expect(bad.leakAreaCm2Per100M3).toBeCloseTo(0.15, 3);
    expect(bad.pass).toBe(false);
    const good = runPressureDecayTest({ grossVolumeM3: 500, freeVolumeM3: 280, leakAreaCm2: 0.3, p0Pa: 250 });
    expect(good.leakAreaCm2Per100M3).toBeCloseTo(0.06, 3);
    expect(good.pass).toBe(true);
  });

  it('a perfectly tight cell: no half time, zero area, pass', () => {
    const r = runPressureDecayTest({ grossVolumeM3: 100, leakAreaCm2: 0 });
    expect(r.halfTimeS).toBeNull();
    expect(r.leakAreaCm2Per100M3).toBe(0);
    expect(r.pass).toBe(true);
  });

  it('names a bad option and its range', () => {
    expect(() => runPressureDecayTest({ grossVolumeM3: -5, leakAreaCm2: 0.1 })).toThrow(SimulatorError);
    expect(() => runPressureDecayTest({ grossVolumeM3: 100, freeVolumeM3: 150, leakAreaCm2: 0.1 })).toThrow(
      /"freeVolumeM3" must be a finite number > 0 and ≤ 100: 150/,
    );
  });
});
