/**
 * Two-point calibrations of a cell's sensors (sensors/sensor-calibration.ts): against a zero and a span
 * gas of given values, or from the plant's bottles, a flush of zero gas (N2) and a flush of the CO2 span
 * bottle for 'co2' or of outside air (its O2 at the ambient pressure) for 'o2'.
 */
import type { AmbientConditions } from '../model/cell.js';
import type { SensorCalibration } from '../sensors/sensor-calibration.js';
import { SimulatorError } from '../simulator-error.js';
import type { CalibrationBottles } from './calibration-bottles.js';
import type { CellSensorName, CellSensors } from './cell-sensors.js';

/** Calibrates the sensor `name` to read `zero` and `span` (finite, different) for those gases. */
export function calibrateToGases(sensors: CellSensors, name: CellSensorName, zero: number, span: number): Readonly<SensorCalibration> {
  for (const [name, value] of [['zero', zero], ['span', span]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"${name}" must be a finite number: ${String(value)}`);
    }
  }
  if (span === zero) throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"span" must differ from "zero": ${span}`);
  return sensors.named(name).calibrate(zero, span);
}

/** Calibrates the gas analyser `gas` from `bottles`, drawing a flush from each it uses. */
export function calibrateFromBottles(
  sensors: CellSensors,
  bottles: CalibrationBottles,
  gas: 'o2' | 'co2',
  ambient: Readonly<AmbientConditions>,
): Readonly<SensorCalibration> {
  if (gas !== 'o2' && gas !== 'co2') {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"sensor" must be "o2" or "co2" (the gas analysers): ${JSON.stringify(gas)}`);
  }
  bottles.drawFlushes(gas);
  // The analyser's sample vents to the outside: a gas's partial pressure is its fraction × p_amb.
  const spanFraction = gas === 'co2' ? bottles.supply.co2SpanFraction : ambient.o2Fraction;
  return sensors.named(gas).calibrate(0, (spanFraction * ambient.pressurePa) / 1000);
}
