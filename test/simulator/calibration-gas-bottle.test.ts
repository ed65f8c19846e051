import { describe, expect, it } from 'vitest';
import { createCellPlant, SimulatorError } from '../../simulator/index.js';
import { createCalibrationGasBottle, NORMAL_PRESSURE_BAR } from '../../simulator/sensors/calibration-gas-bottle.js';

function thrown(fn: () => unknown): SimulatorError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SimulatorError) return e;
    throw e;
  }
  throw new Error('expected a SimulatorError');
}

describe('calibration-gas bottle', () => {
  it('loses p_n / V bar per normal litre, and refuses a draw below its minimum pressure, drawing nothing', () => {
    const bottle = createCalibrationGasBottle({ name: 'zero N2', waterVolumeL: 10, fillBar: 150 });
    expect(bottle.pressureBar).toBe(150);
    // 148 bar usable × 10 L / 1.01325 bar.
    expect(bottle.normalLitresLeft).toBeCloseTo((148 * 10) / NORMAL_PRESSURE_BAR, 9);
    bottle.draw(100);
    expect(bottle.pressureBar).toBeCloseTo(150 - (100 * NORMAL_PRESSURE_BAR) / 10, 9); // 139.87 bar
    expect(bottle.normalLitresDrawn).toBe(100);
    const left = bottle.normalLitresLeft;
    expect(bottle.canDeliver(left + 0.01)).toBe(false);
    const e = thrown(() => bottle.draw(left + 0.01));
    expect(e.code).toBe('SIM_ERR_BOTTLE_EMPTY');
    expect(e.message).toMatch(/"zero N2" is at 139\.9 bar .* above its 2 bar minimum/);
    expect(bottle.normalLitresDrawn).toBe(100);
    bottle.draw(left);
    expect(bottle.pressureBar).toBeCloseTo(2, 9);
    expect(bottle.normalLitresLeft).toBe(0);
  });

  it('rejects impossible bottles and draws with a message naming the field', () => {
    expect(() => createCalibrationGasBottle({ name: 'x', waterVolumeL: 0, fillBar: 150 })).toThrow(/"waterVolumeL" of bottle "x"/);
    expect(() => createCalibrationGasBottle({ name: 'x', waterVolumeL: 10, fillBar: 1 })).toThrow(/"fillBar" of bottle "x" must be a number above minimumBar \(2\)/);
    expect(() => createCalibrationGasBottle({ name: '', waterVolumeL: 10, fillBar: 150 })).toThrow(/"name"/);
    const bottle = createCalibrationGasBottle({ name: 'x', waterVolumeL: 10, fillBar: 150 });
    expect(() => bottle.draw(-1)).toThrow(/"normalLitres" must be a finite number ≥ 0/);
    expect(() => bottle.draw(Number.NaN)).toThrow(/"normalLitres"/);
  });
});

describe('calibrating the analysers from the plant\'s bottles', () => {
  it('draws a flush of zero gas for each analyser and one of CO2 span for the CO2 analyser; air is the O2 span', () => {
    const plant = createCellPlant({ calibrationGas: { litresPerFlush: 2, co2Span: { co2Fraction: 0.1, waterVolumeL: 5 } } });
    const co2 = plant.calibrateFromBottles('co2');
    expect(co2.zero).toBe(0);
    expect(co2.span).toBeCloseTo(0.1 * (plant.ambient.pressurePa / 1000), 12); // 10 % CO2 at the ambient's pressure
    const o2 = plant.calibrateFromBottles('o2');
    expect(o2.span).toBeCloseTo(plant.ambient.o2Fraction * (plant.ambient.pressurePa / 1000), 12);
    const bottles = plant.calibrationBottles();
    expect(bottles.zero.normalLitresDrawn).toBe(4);
    expect(bottles.co2Span.normalLitresDrawn).toBe(2);
    expect(bottles.co2Span.pressureBar).toBeCloseTo(150 - (2 * NORMAL_PRESSURE_BAR) / 5, 9);
    expect(bottles.zero.name).toBe('zero N2');
  });

  it('a weekly calibration empties a 10 L span bottle in about a year; then calibration fails and the old one stays', () => {
    // A 50 L zero bottle (it serves both analysers) and a 10 L span bottle; long sub-steps keep the year quick.
    const plant = createCellPlant({
      maxStepS: 600,
      calibrationGas: { litresPerFlush: 25, zero: { waterVolumeL: 50 }, co2Span: { fillBar: 150 } },
    });
    let weeks = 0;
    for (;;) {
      plant.step(7 * 86_400);
      weeks++;
      try {
        plant.calibrateFromBottles('co2');
      } catch (e) {
        expect((e as SimulatorError).code).toBe('SIM_ERR_BOTTLE_EMPTY');
        expect((e as SimulatorError).message).toMatch(/"CO2 span" is at [0-9.]+ bar/);
        break;
      }
      expect(weeks).toBeLessThan(100);
    }
    // 148 bar × 10 L / 1.01325 = 1460.6 usable normal litres: 58 flushes of 25 L, the 59th refused.
    expect(weeks).toBe(59);
    const bottles = plant.calibrationBottles();
    expect(bottles.co2Span.normalLitresDrawn).toBe(58 * 25);
    // All or nothing: the zero bottle was not drawn for the refused calibration either.
    expect(bottles.zero.normalLitresDrawn).toBe(58 * 25);
    // The last good calibration is still in force.
    expect(plant.sensor('co2').calibration.span).toBeCloseTo(0.12 * (plant.ambient.pressurePa / 1000), 9);
  });

  it('rejects a bad sensor name and bad bottle options with a message naming them', () => {
    const plant = createCellPlant();
    expect(() => plant.calibrateFromBottles('temp' as 'o2')).toThrow(/"sensor" must be "o2" or "co2"/);
    expect(() => createCellPlant({ calibrationGas: { co2Span: { co2Fraction: 1.5 } } })).toThrow(/calibrationGas\.co2Span\.co2Fraction/);
    expect(() => createCellPlant({ calibrationGas: { zero: { fillBar: 500 } } })).toThrow(/"fillBar" of bottle "zero N2"/);
    expect(() => createCellPlant({ calibrationGas: { bottle: {} } as never })).toThrow(/"bottle"/);
  });
});
