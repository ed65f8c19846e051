import { describe, expect, it } from 'vitest';
import { createCellPlant, createCentralAnalyser, type CellPlant } from '../../simulator/index.js';
import { createRandom } from '../../simulator/engine/random.js';
import { createFirstOrderSensor } from '../../simulator/sensors/first-order-sensor.js';
import { O2_SENSOR_DEFAULTS } from '../../simulator/sensors/gas-sensor.js';

describe('sensor faults switched at run time', () => {
  it('a stuck O2 sensor freezes its reading while the plant moves on; clearing it reads the truth again', () => {
    const plant = createCellPlant({ fruitKg: 0, leakAreaCm2: 0, actuators: { n2: true }, seed: 3 });
    plant.step(600);
    const before = plant.readSensors().o2Kpa!;
    plant.setSensorFault('o2', { kind: 'stuck' });
    const stuck: number[] = [];
    for (let i = 0; i < 60; i++) {
      plant.step(60);
      stuck.push(plant.readSensors().o2Kpa!);
    }
    expect(new Set(stuck)).toEqual(new Set([before]));
    const truth = plant.truth().o2Kpa;
    expect(before - truth).toBeGreaterThan(3); // the N2 took O2 down by kPa meanwhile
    // The CO2 and temperature sensors are untouched.
    expect(plant.sensor('co2').fault).toBeNull();
    plant.setSensorFault('o2', null);
    plant.step(120); // eight lag time constants
    expect(Math.abs(plant.readSensors().o2Kpa! - truth)).toBeLessThan(0.5);
  });

  it('dropout gives no reading (null); spikes hit about the set fraction of readings; drift grows linearly', () => {
    const plant = createCellPlant({ fruitKg: 0, leakAreaCm2: 0, seed: 4, sensors: { co2: { driftPerDay: 0 } } });
    plant.setSensorFault('temp', { kind: 'dropout' });
    expect(plant.readSensors().tempC).toBeNull();
    expect(plant.readSensors().o2Kpa).not.toBeNull();

    plant.setSensorFault('o2', { kind: 'spike', amplitude: 2, probability: 0.1 });
    let spikes = 0;
    for (let i = 0; i < 2000; i++) if (Math.abs(plant.readSensors().o2Kpa! - plant.truth().o2Kpa) > 1) spikes++;
    expect(spikes).toBeGreaterThan(150);
    expect(spikes).toBeLessThan(250);

    plant.setSensorFault('co2', { kind: 'drift', ratePerDay: 0.1 });
    const co2Truth = plant.truth().co2Kpa;
    plant.step(10 * 86_400);
    let sum = 0;
    for (let i = 0; i < 400; i++) sum += plant.readSensors().co2Kpa!;
    expect(sum / 400 - co2Truth).toBeCloseTo(1.0, 1); // 0.1 kPa/day × 10 days
  });
});

describe('drift and two-point calibration (DOMAIN.md §6: zero with N2, span at 50–80 % of full scale)', () => {
  it('an O2 sensor with gain and offset errors and 30 days of drift reads right again after calibration', () => {
    const spec = { ...O2_SENSOR_DEFAULTS, noiseSd: 0.002, gain: 1.03, offset: 0.15, driftPerDay: 0.002 };
    const sensor = createFirstOrderSensor(spec, createRandom(9), 1);
    for (let i = 0; i < 30 * 24; i++) sensor.update(1, 3600);
    // Before: 1.03 · 1 + 0.15 + 0.06 = 1.24 kPa for a true 1 kPa.
    expect(sensor.read()!).toBeCloseTo(1.24, 1);
    sensor.calibrate(0, 18); // N2, and a span gas at 72 % of 25 kPa
    let sum = 0;
    for (let i = 0; i < 200; i++) sum += sensor.read()!;
    expect(sum / 200).toBeCloseTo(1, 2);
    // Drift builds up again from the calibration on: +0.02 kPa after 10 more days.
    for (let i = 0; i < 10 * 24; i++) sensor.update(1, 3600);
    sum = 0;
    for (let i = 0; i < 200; i++) sum += sensor.read()!;
    expect(sum / 200 - 1).toBeCloseTo(0.02 / 1.03, 2);
  });
});

describe('central analyser with a sampling manifold', () => {
  const still = (o2Kpa: number, seed: number): CellPlant =>
    createCellPlant({ fruitKg: 0, leakAreaCm2: 0, seed, initial: { o2Kpa, co2Kpa: 0.5 }, coolingCapacityW: 0, fanPowerW: 0, wallConductanceWPerK: 0 });

  function cycle(flushS: number): { readings: (number | null)[]; truths: number[]; revisitS: number } {
    const plants = [still(0.5, 1), still(21, 2), still(1, 3), still(2, 4)];
    const analyser = createCentralAnalyser({
      cells: plants.map((p) => () => p.truth()),
      flushS,
      measureS: 60,
      random: { o2: createRandom(11), co2: createRandom(12) },
      o2: { ...O2_SENSOR_DEFAULTS, noiseSd: 0, driftPerDay: 0 },
    });
    for (let t = 0; t < 2 * analyser.revisitS; t += 10) analyser.step(10);
    const latest = analyser.latest();
    return { readings: latest.map((r) => r!.o2Kpa), truths: plants.map((p) => p.truth().o2Kpa), revisitS: analyser.revisitS };
  }

  it('reads every cell right with a 3-minute flush; each cell is revisited every 4 × 4 min = 16 min', () => {
    const { readings, truths, revisitS } = cycle(180);
    expect(revisitS).toBe(960);
    readings.forEach((r, i) => expect(Math.abs(r! - truths[i]!)).toBeLessThanOrEqual(0.06));
    // The cell measured after the one in air keeps a trace of it, below 0.06 kPa (e^−6 of 20 kPa).
    expect(readings[2]! - truths[2]!).toBeGreaterThan(0);
  });

  it('with a 10 s flush the reading still carries the previous cell: kPa off after the cell in air', () => {
    const { readings, truths } = cycle(10);
    expect(readings[2]! - truths[2]!).toBeGreaterThan(1);
  });
});
