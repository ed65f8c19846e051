import { describe, expect, it } from 'vitest';
import { createCellPlant, type SensorReadings } from '../../simulator/index.js';
import { createRandom } from '../../simulator/engine/random.js';
import { lagStep, quantize, sensorReading } from '../../simulator/sensors/first-order-sensor.js';
import { createGasSensor, O2_SENSOR_DEFAULTS } from '../../simulator/sensors/gas-sensor.js';

function sensorRun(seed: number): SensorReadings[] {
  const plant = createCellPlant({ seed, actuators: { n2: true } });
  const readings: SensorReadings[] = [];
  for (let i = 0; i < 120; i++) {
    plant.step(60);
    readings.push(plant.readSensors());
  }
  return readings;
}

describe('gas sensor model', () => {
  it('lags with a first-order response: 63.2 % of a step after one time constant', () => {
    let y = 0;
    for (let i = 0; i < 100; i++) y = lagStep(y, 10, 0.15, 15);
    expect(y).toBeCloseTo(10 * (1 - Math.exp(-1)), 9);
    expect(lagStep(3, 10, 5, 0)).toBe(10); // no lag
  });

  it('adds the offset, rounds to the resolution and clips to the range', () => {
    const spec = { ...O2_SENSOR_DEFAULTS, offset: 0.1, noiseSd: 0 };
    expect(sensorReading(spec, 2.0049, 0)).toBe(2.1);
    expect(sensorReading(spec, 2.0051, 0)).toBe(2.11);
    expect(sensorReading(spec, -3, 0)).toBe(0);
    expect(sensorReading(spec, 40, 0)).toBe(25);
    expect(quantize(0.1 + 0.2, 0.1)).toBe(0.3);
    expect(quantize(1.23456, 0)).toBe(1.23456);
  });

  it('has gaussian noise of the given standard deviation around the lagged value', () => {
    const sensor = createGasSensor({ ...O2_SENSOR_DEFAULTS, noiseSd: 0.05, resolution: 0 }, createRandom(3), 2);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const r = sensor.read()!;
      sum += r;
      sumSq += r * r;
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(2, 2);
    const sd = Math.sqrt(sumSq / n - mean * mean);
    expect(sd).toBeGreaterThan(0.049);
    expect(sd).toBeLessThan(0.051);
  });

  it('settles at the true value and follows it through the lag in the plant', () => {
    const plant = createCellPlant({ sensors: { o2: { noiseSd: 0 }, co2: { noiseSd: 0 }, temp: { noiseSd: 0 } } });
    const start = plant.readSensors();
    expect(start.o2Kpa).toBe(quantize(plant.truth().o2Kpa, 0.01));
    expect(start.tempC).toBe(-1);
    expect(start.timeS).toBe(0);
    plant.setActuators({ n2: true });
    plant.step(600);
    const r = plant.readSensors();
    const t = plant.truth();
    expect(r.timeS).toBe(600);
    // O2 falls steadily, so the 15 s lag reads a little high: by about slope × τ.
    expect(r.o2Kpa).toBeGreaterThan(t.o2Kpa - 0.01);
    expect(r.o2Kpa).toBeLessThan(t.o2Kpa + 0.05);
  });

  it('gives identical sensor output for the same seed and different output for another seed', () => {
    const a = sensorRun(2024);
    const b = sensorRun(2024);
    const c = sensorRun(2025);
    expect(b).toEqual(a);
    expect(c.map((r) => r.o2Kpa)).not.toEqual(a.map((r) => r.o2Kpa));
    expect(c.map((r) => r.co2Kpa)).not.toEqual(a.map((r) => r.co2Kpa));
    // The truth is the same: only the noise depends on the seed.
    expect(c.map((r) => r.timeS)).toEqual(a.map((r) => r.timeS));
  });

  it('reads at the 0.01 kPa resolution an RQ measurement needs (DOMAIN.md §4)', () => {
    const readings = sensorRun(5);
    for (const r of readings) {
      expect(Math.round(r.o2Kpa! * 100) / 100).toBe(r.o2Kpa);
      expect(Math.round(r.co2Kpa! * 100) / 100).toBe(r.co2Kpa);
    }
  });
});
