/**
 * The terms of issue 3's second slice, each against a number: breather bag and relief valve, temperature
 * swings and cooling, door, the two-bed scrubber, CO2 dissolution, fermentation ethanol, firmness, weather.
 */
import { describe, expect, it } from 'vitest';
import { createCellPlant, respirationRates, getPreset, type CellPlantOptions } from '../../simulator/index.js';
import { createRandom } from '../../simulator/engine/random.js';
import { createWeatherParams, weatherPressurePa } from '../../simulator/model/barometric-weather.js';
import { co2SolubilityMolPerKpa } from '../../simulator/model/co2-dissolution.js';
import { ETHANOL_CLEARANCE_PER_S } from '../../simulator/model/fermentation-ethanol.js';

const NO_HEAT = { coolingCapacityW: 0, fanPowerW: 0, wallConductanceWPerK: 0 } as const;
const RIGID = { ...NO_HEAT, breatherBagM3: 0, reliefValveOpeningPa: 20_000 } as const;
const R = 8.314462618;

describe('breather bag and relief valve (DOMAIN.md §5)', () => {
  it('the bag takes a barometric rise without any leak flow, until it is empty; then the leak lets air in', () => {
    const base: CellPlantOptions = { ...NO_HEAT, fruitKg: 0, tempC: 15, initial: { o2Kpa: 0.5, co2Kpa: 0 } };
    const plant = createCellPlant(base);
    expect(plant.truth().bagVolumeM3).toBeCloseTo(0.5, 9); // half of 1 m³
    plant.setAmbient({ pressurePa: 101_325 + 500 }); // compresses the gas by 0.27 m³: the bag gives it
    plant.step(6 * 3600);
    expect(plant.truth().pressurePa).toBe(0);
    expect(plant.truth().bagVolumeM3).toBeCloseTo(0.5 - (55.5 * 500) / 101_825, 3);
    expect(plant.ledger().leakIn.n2Mol).toBe(0);
    // +1500 Pa needs 0.82 m³: more than the bag holds. It empties, and air leaks in until the pressures meet.
    plant.setAmbient({ pressurePa: 101_325 + 1500 });
    plant.step(12 * 3600);
    expect(plant.truth().bagVolumeM3).toBe(0);
    expect(plant.ledger().leakIn.n2Mol).toBeGreaterThan(1);
    expect(Math.abs(plant.truth().pressurePa)).toBeLessThan(1);
  });

  it('the relief valve holds a rigid cell at −200 Pa while the scrubber takes CO2 out, admitting air', () => {
    const plant = createCellPlant({
      ...NO_HEAT, breatherBagM3: 0, fruitKg: 0, leakAreaCm2: 0, initial: { co2Kpa: 3 },
      scrubberBedCapacityMol: 1e6, actuators: { scrub: true },
    });
    plant.step(3 * 3600);
    expect(plant.truth().pressurePa).toBeCloseTo(-200, 6);
    const admitted = plant.ledger().reliefIn;
    expect(admitted.o2Mol / (admitted.o2Mol + admitted.co2Mol + admitted.n2Mol)).toBeCloseTo(0.2095, 9);
  });
});

describe('temperature swings and cooling', () => {
  it('a sealed rigid cell gains ≈ 34 Pa per 0.1 K of warming at 20 °C (DOMAIN.md §5)', () => {
    const plant = createCellPlant({
      ...RIGID, fruitKg: 0, leakAreaCm2: 0, tempC: 20, ambient: { tempC: 30 },
      wallConductanceWPerK: 50, airNodeHeatCapacityJPerK: 1e6,
    });
    while (plant.truth().tempC < 20.1) plant.step(1);
    const t = plant.truth();
    const perTenthK = (t.pressurePa / (t.tempC - 20)) * 0.1;
    expect(perTenthK).toBeCloseTo((101_325 * 0.1) / 293.15, 1); // 34.6 Pa
    expect(perTenthK).toBeGreaterThan(33);
    expect(perTenthK).toBeLessThan(36);
  });

  it('the thermostat keeps the air within setpoint ± band; energy = heat removed / COP + fans', () => {
    const plant = createCellPlant({ preset: 'gala-apple', leakAreaCm2: 0 });
    let minC = Infinity;
    let maxC = -Infinity;
    let switches = 0;
    let wasOn = plant.truth().coolingOn;
    for (let i = 0; i < 24 * 60; i++) {
      plant.step(60);
      const t = plant.truth();
      minC = Math.min(minC, t.tempC);
      maxC = Math.max(maxC, t.tempC);
      if (t.coolingOn !== wasOn) switches++;
      wasOn = t.coolingOn;
    }
    // 1 °C ± 0.3 K, with a little overshoot from the air node's lag.
    expect(minC).toBeGreaterThan(1 - 0.45);
    expect(maxC).toBeLessThan(1 + 0.45);
    expect(switches).toBeGreaterThan(10); // cycles of tens of minutes, not hours
    const t = plant.truth();
    // First law over the day: heat in (respiration + walls 63 W/K × (15 °C − air) + fans 360 W) = heat
    // removed by the cooling + heat stored in fruit (40 t × 3.8 kJ/kg/K) and air node (1.8 MJ/K). Energy
    // used = removed / COP 2.5 + fans.
    expect(plant.params.wallConductanceWPerK).toBeCloseTo(63, 9);
    expect(plant.params.fanPowerW).toBe(360);
    const fansKWh = (360 * 24) / 1000;
    const meanAirC = (minC + maxC) / 2;
    const heatInKWh = t.respirationHeatKWh + (63 * (15 - meanAirC) * 24) / 1000 + fansKWh;
    const storedKWh = (40_000 * 3800 * (t.fruitTempC - 1) + 1.8e6 * (t.tempC - 1)) / 3.6e6;
    const expectedKWh = (heatInKWh - storedKWh) / 2.5 + fansKWh;
    expect(t.coolingEnergyKWh / expectedKWh).toBeGreaterThan(0.97);
    expect(t.coolingEnergyKWh / expectedKWh).toBeLessThan(1.03);
  });

  it('respiration heat is 467 kJ per mol O2; a low-O2 lot respires and heats less than an air lot (DOMAIN.md §1)', () => {
    const run = (o2Kpa: number): { heatKWh: number; o2Mol: number } => {
      const plant = createCellPlant({ preset: 'gala-apple', fruitKg: 1000, leakAreaCm2: 0, maxStepS: 60, initial: { o2Kpa, co2Kpa: 0 } });
      plant.step(5 * 86_400);
      return { heatKWh: plant.truth().respirationHeatKWh, o2Mol: plant.ledger().o2ConsumedMol };
    };
    const air = run(21);
    const ulo = run(1.2);
    expect(air.heatKWh / ((air.o2Mol * 2_803_000) / 6 / 3.6e6)).toBeCloseTo(1, 3);
    expect(ulo.heatKWh).toBeLessThan(0.4 * air.heatKWh); // CA cuts respiration 60–70 % (DOMAIN.md §2)
  });
});

describe('door', () => {
  it('opening the door vents the cell: O2 back near 20 kPa within 15 minutes, the air warms', () => {
    const plant = createCellPlant({ fruitKg: 0, initial: { o2Kpa: 1, co2Kpa: 3 }, maxStepS: 60 });
    const closedStepS = plant.subStepS;
    plant.setActuators({ door: true });
    expect(plant.subStepS).toBeLessThan(closedStepS); // the door's exchange time V/Q, ≈ 40 s, rules
    plant.step(15 * 60);
    const t = plant.truth();
    expect(t.o2Kpa).toBeGreaterThan(19);
    expect(t.co2Kpa).toBeLessThan(0.3);
    expect(t.tempC).toBeGreaterThan(0);
    plant.setActuators({ door: false });
    expect(plant.subStepS).toBe(closedStepS);
  });
});

describe('two-bed CO2 scrubber (DOMAIN.md §6)', () => {
  it('switches beds near capacity, lets the void air in (O2), and regenerates the idle bed', () => {
    const plant = createCellPlant({
      ...RIGID, fruitKg: 0, leakAreaCm2: 0, initial: { o2Kpa: 1, co2Kpa: 4 }, actuators: { scrub: true },
      scrubberBedCapacityMol: 10, scrubberVoidM3: 0.5,
    });
    const o2Before = plant.gasMol().o2Mol;
    let switches = 0;
    let bed = plant.truth().scrubberActiveBed;
    for (let i = 0; i < 12 * 60; i++) {
      plant.step(60);
      const now = plant.truth().scrubberActiveBed;
      if (now !== bed) switches++;
      bed = now;
    }
    expect(switches).toBeGreaterThanOrEqual(2);
    const l = plant.ledger();
    // Each switch-over lets 0.5 m³ of ambient air in: 0.2095 × 0.5 × p/(R·T) of O2 (T ambient 15 °C).
    const o2PerSwitch = 0.2095 * 0.5 * (101_325 / (R * 288.15));
    expect(l.scrubberIn.o2Mol).toBeCloseTo(switches * o2PerSwitch, 6);
    expect(plant.gasMol().o2Mol - o2Before).toBeCloseTo(l.scrubberIn.o2Mol, 6);
    // CO2 scrubbed = on the beds + released outside; the idle bed has been cleaned.
    const t = plant.truth();
    expect(t.scrubberBedLoadMol.a + t.scrubberBedLoadMol.b).toBeLessThan(l.co2ScrubbedMol);
    const idle = t.scrubberActiveBed === 'A' ? t.scrubberBedLoadMol.b : t.scrubberBedLoadMol.a;
    expect(idle).toBeLessThan(9);
  });

  it('removes less CO2 per hour as the bed loads (linear breakthrough)', () => {
    const plant = createCellPlant({
      ...RIGID, fruitKg: 0, leakAreaCm2: 0, initial: { co2Kpa: 3 }, actuators: { scrub: true }, scrubberBedCapacityMol: 1000,
    });
    plant.step(600);
    const first = plant.ledger().co2ScrubbedMol;
    const co2First = plant.truth().co2Kpa;
    expect(first).toBeGreaterThan(0);
    expect(plant.truth().scrubberBedLoadMol.a).toBeCloseTo(first, 9);
    expect(co2First).toBeLessThan(3);
  });
});

describe('CO2 dissolution in the fruit (DOMAIN.md §2)', () => {
  it('holds S = kH·V_water per kPa: ≈ 15 mol/kPa for 25 t at 0 °C', () => {
    // kH(0 °C) = 0.034·exp(2400·(1/273.15 − 1/298.15)) = 0.0710 mol/(L·atm); × 21 250 L / 101.325 = 14.9
    expect(co2SolubilityMolPerKpa(25_000, 0)).toBeCloseTo(14.9, 1);
  });

  it('makes a closed-room RQ over 3 h read lower than the fruit true RQ; without dissolution they agree', () => {
    const measure = (dissolutionS: number): { apparent: number; truth: number } => {
      const plant = createCellPlant({
        ...RIGID, preset: 'gala-apple', leakAreaCm2: 0, co2DissolutionTimeConstantS: dissolutionS,
        initial: { o2Kpa: 2, co2Kpa: 1 },
      });
      const a = plant.gasMol();
      const truth = plant.truth().rq;
      plant.step(3 * 3600); // DOMAIN.md §4: measure over 2–3 h
      const b = plant.gasMol();
      return { apparent: (b.co2Mol - a.co2Mol) / (a.o2Mol - b.o2Mol), truth };
    };
    const withFruitWater = measure(7200);
    expect(withFruitWater.apparent).toBeLessThan(0.85 * withFruitWater.truth);
    expect(withFruitWater.apparent).toBeGreaterThan(0.3 * withFruitWater.truth);
    const without = measure(1e7);
    expect(without.apparent / without.truth).toBeCloseTo(1, 1);
  });
});

describe('fermentation ethanol and fruit quality', () => {
  it('ethanol settles at fermentative CO2 / clearance: Gala at 0.3 kPa O2 (below its break point)', () => {
    // 100 kg in a 100 m³ room: the atmosphere hardly moves over 20 days.
    // (60 s steps: everything here is hours to days slow; the air node's τ is ≈ 5 min)
    const plant = createCellPlant({ preset: 'gala-apple', fruitKg: 100, leakAreaCm2: 0, tempC: 1, maxStepS: 60, initial: { o2Kpa: 0.3, co2Kpa: 0 } });
    plant.step(20 * 86_400);
    const t = plant.truth();
    const k = getPreset('gala-apple').respiration;
    const r = respirationRates(k, t.fruitTempC, t.o2Kpa, t.co2Kpa);
    const fermPerKg = r.co2ProductionMolPerKgS - k.rqOx * r.o2UptakeMolPerKgS;
    const expectedMgPerKg = (fermPerKg / ETHANOL_CLEARANCE_PER_S) * 46.07e3;
    expect(t.ethanolMgPerKg / expectedMgPerKg).toBeGreaterThan(0.97);
    expect(t.ethanolMgPerKg / expectedMgPerKg).toBeLessThan(1.03);
    expect(t.rq).toBeGreaterThan(1.3);
  });

  it('a DCA lot keeps firmer than its ULO control lot, both firmer than air; closed form within 1 %', () => {
    const lot = (o2Kpa: number, co2Kpa: number): number => {
      const plant = createCellPlant({ preset: 'jonagold-apple', fruitKg: 100, leakAreaCm2: 0, maxStepS: 60, initial: { o2Kpa, co2Kpa } });
      plant.step(60 * 86_400);
      const t = plant.truth();
      // F = Fmin + (F0 − Fmin)·exp(−k·f·t): at the lot's (nearly constant) atmosphere and temperature.
      const kRef = 0.05 / 86_400;
      const arr = Math.exp((80_000 / R) * (1 / 293.15 - 1 / (t.fruitTempC + 273.15)));
      const f = (t.o2Kpa / (1 + t.o2Kpa)) / (1 + t.co2Kpa / 2.5);
      expect(t.firmnessN / (30 + 40 * Math.exp(-kRef * arr * f * 60 * 86_400))).toBeCloseTo(1, 2);
      return t.firmnessN;
    };
    const dca = lot(0.8, 1);
    const ulo = lot(1.2, 1);
    const air = lot(20.9, 0.04);
    expect(dca).toBeGreaterThan(ulo + 0.3);
    expect(ulo).toBeGreaterThan(air + 2);
  });
});

describe('weather (barometric swings)', () => {
  it('swings a few hPa per day around the mean, the same for the same seed', () => {
    const w = createWeatherParams(createRandom(5));
    const again = createWeatherParams(createRandom(5));
    let min = Infinity;
    let max = -Infinity;
    let maxDailyChange = 0;
    for (let h = 0; h < 60 * 24; h++) {
      const p = weatherPressurePa(w, h * 3600);
      expect(p).toBe(weatherPressurePa(again, h * 3600));
      min = Math.min(min, p);
      max = Math.max(max, p);
      maxDailyChange = Math.max(maxDailyChange, Math.abs(weatherPressurePa(w, (h + 24) * 3600) - p));
    }
    expect(max - min).toBeGreaterThan(600);
    expect(max - min).toBeLessThan(1600);
    expect(maxDailyChange).toBeGreaterThan(200);
    expect(maxDailyChange).toBeLessThan(1200);
  });
});
