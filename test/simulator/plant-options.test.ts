import { describe, expect, it } from 'vitest';
import { createCellPlant, resolveCellPlantOptions, SimulatorError, type CellPlantOptions } from '../../simulator/index.js';

/** Asserts that creating a plant with `options` throws a SimulatorError with `code` and a message matching `message`. */
function expectRejected(options: unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    createCellPlant(options as CellPlantOptions);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SimulatorError);
  expect((caught as SimulatorError).code).toBe(code);
  expect((caught as SimulatorError).message).toMatch(message);
}

describe('cell plant options', () => {
  it('documents its defaults: a conference-pear cell full of air, actuators off', () => {
    const r = resolveCellPlantOptions();
    expect(r.preset.name).toBe('conference-pear');
    expect(r.grossVolumeM3).toBe(100);
    expect(r.params.freeVolumeM3).toBe(55);
    expect(r.params.fruitKg).toBe(25_000);
    expect(r.params.leakAreaCm2).toBe(0.1);
    expect(r.params.leakCd).toBe(0.61);
    expect(r.params.leakLaminarBelowPa).toBe(1);
    expect(r.params.tempC).toBe(-1);
    expect(r.params.n2FlowNm3PerH).toBe(30);
    expect(r.params.n2PurityFraction).toBe(0.97);
    expect(r.params.airFlowM3PerH).toBe(50);
    expect(r.params.scrubberFlowM3PerH).toBe(20);
    expect(r.params.scrubberEfficiency).toBe(0.9);
    expect(r.ambient).toEqual({ pressurePa: 101_325, tempC: 15, o2Fraction: 0.2095, co2Fraction: 0.0004 });
    expect(r.initial.gaugePressurePa).toBe(0);
    expect(r.initial.o2Kpa).toBeCloseTo(0.2095 * 101.325, 9);
    expect(r.actuators).toEqual({ n2: false, air: false, scrub: false, door: false });
    expect(r.maxStepS).toBe(10);
    expect(r.seed).toBe(1);
  });

  it('scales free volume, fruit and leak with a different gross volume', () => {
    const r = resolveCellPlantOptions({ grossVolumeM3: 400 });
    expect(r.params.freeVolumeM3).toBe(220);
    expect(r.params.fruitKg).toBe(100_000);
    expect(r.params.leakAreaCm2).toBeCloseTo(0.4, 12);
  });

  it('rejects a negative or oversized volume, naming the parameter and its range', () => {
    expectRejected({ freeVolumeM3: -5 }, 'SIM_ERR_INVALID_OPTION', /"freeVolumeM3" must be a finite number > 0 and ≤ grossVolumeM3 \(100\): -5/);
    expectRejected({ freeVolumeM3: 150 }, 'SIM_ERR_INVALID_OPTION', /"freeVolumeM3" .* ≤ grossVolumeM3 \(100\): 150/);
    expectRejected({ grossVolumeM3: 0 }, 'SIM_ERR_INVALID_OPTION', /"grossVolumeM3" must be a finite number > 0 and ≤ 100000: 0/);
  });

  it('rejects a negative leak area and a discharge coefficient out of range', () => {
    expectRejected({ leakAreaCm2: -0.1 }, 'SIM_ERR_INVALID_OPTION', /"leakAreaCm2" must be a finite number ≥ 0 and ≤ 10000: -0.1/);
    expectRejected({ leakCd: 1.5 }, 'SIM_ERR_INVALID_OPTION', /"leakCd" must be a finite number > 0 and ≤ 1: 1.5/);
  });

  it('rejects non-finite and non-numeric values', () => {
    expectRejected({ fruitKg: Number.NaN }, 'SIM_ERR_INVALID_OPTION', /"fruitKg" must be a finite number .*: NaN/);
    expectRejected({ tempC: Number.POSITIVE_INFINITY }, 'SIM_ERR_INVALID_OPTION', /"tempC" .*: Infinity/);
    expectRejected({ n2FlowNm3PerH: '30' }, 'SIM_ERR_INVALID_OPTION', /"n2FlowNm3PerH" .*: "30"/);
    expectRejected({ seed: 1.5 }, 'SIM_ERR_INVALID_OPTION', /"seed" must be an integer: 1.5/);
  });

  it('catches a pressure given in kPa instead of Pa, and impossible gas mixtures', () => {
    expectRejected({ ambient: { pressurePa: 101.3 } }, 'SIM_ERR_INVALID_OPTION', /"ambient.pressurePa" must be a finite number ≥ 50000 and ≤ 120000: 101.3/);
    expectRejected({ ambient: { o2Fraction: 0.9, co2Fraction: 0.2 } }, 'SIM_ERR_INVALID_OPTION', /"ambient.o2Fraction" \+ "ambient.co2Fraction" must be ≤ 1/);
    expectRejected({ initial: { o2Kpa: 90, co2Kpa: 20 } }, 'SIM_ERR_INVALID_OPTION', /"initial.o2Kpa" \+ "initial.co2Kpa" must be ≤ the starting absolute pressure/);
    expectRejected({ n2PurityFraction: 97 }, 'SIM_ERR_INVALID_OPTION', /"n2PurityFraction" must be a finite number ≥ 0.5 and ≤ 1: 97/);
  });

  it('names an unknown preset and lists the known ones', () => {
    expectRejected({ preset: 'conference' }, 'SIM_ERR_UNKNOWN_PRESET', /unknown preset "conference"; known presets: conference-pear/);
  });

  it('rejects unknown option names instead of ignoring a typo', () => {
    expectRejected({ leakAreaCM2: 0.2 }, 'SIM_ERR_INVALID_OPTION', /unknown option "leakAreaCM2"; known: .*leakAreaCm2/);
    expectRejected({ ambient: { pressureKpa: 101 } }, 'SIM_ERR_INVALID_OPTION', /unknown option in "ambient" "pressureKpa"/);
    expectRejected({ sensors: { o2: { noise: 1 } } }, 'SIM_ERR_INVALID_OPTION', /unknown option in "sensors.o2" "noise"/);
  });

  it('refuses a sub-step so short that a run could not finish, naming the allowed range', () => {
    expectRejected({ maxStepS: 1e-9 }, 'SIM_ERR_INVALID_OPTION', /"maxStepS" must be a finite number ≥ 0.01 and ≤ 3600: 1e-9/);
    expect(() => createCellPlant({ maxStepS: 0.01 })).not.toThrow();
  });

  it('checks sensor specs', () => {
    expectRejected({ sensors: { co2: { timeConstantS: -1 } } }, 'SIM_ERR_INVALID_OPTION', /"sensors.co2.timeConstantS" must be a finite number ≥ 0: -1/);
    expectRejected({ sensors: { o2: { rangeMin: 5, rangeMax: 5 } } }, 'SIM_ERR_INVALID_OPTION', /"sensors.o2.rangeMax" must be > "sensors.o2.rangeMin" \(5\): 5/);
  });

  it('checks run-time calls: step, setActuators, setAmbient', () => {
    const plant = createCellPlant();
    expect(() => plant.step(-1)).toThrow(/"dtS" must be a finite number ≥ 0: -1/);
    expect(() => plant.step(Number.NaN)).toThrow(/"dtS"/);
    expect(() => plant.setActuators({ n2: 'yes' as unknown as boolean })).toThrow(/"actuators.n2" must be true or false: "yes"/);
    expect(() => plant.setActuators({ fan: true } as never)).toThrow(/unknown option in "actuators" "fan"/);
    expect(() => plant.setAmbient({ pressurePa: -1 })).toThrow(/"ambient.pressurePa"/);
    // A rejected update changes nothing.
    expect(plant.actuators).toEqual({ n2: false, air: false, scrub: false, door: false });
    plant.setActuators({ scrub: true, door: false });
    expect(plant.actuators).toEqual({ n2: false, air: false, scrub: true, door: false });
    plant.step(0);
    expect(plant.timeS).toBe(0);
  });

  it('checks the kinetics of a caller-supplied preset object', () => {
    const base = resolveCellPlantOptions().preset;
    const broken = { ...base, name: 'broken', respiration: { ...base.respiration, kmO2Kpa: 0 } };
    expectRejected({ preset: broken }, 'SIM_ERR_INVALID_OPTION', /"preset "broken" respiration.kmO2Kpa" must be a finite number > 0: 0/);
  });
});
