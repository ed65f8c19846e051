/**
 * A plant's calibration-gas bottles (sensors/calibration-gas-bottle.ts): the zero gas (N2) and the CO2
 * span gas, which a calibration from bottles draws from and so empties (plant option `calibrationGas`).
 */
import { createCalibrationGasBottle, drawFromAll, type CalibrationGasBottle, type CalibrationGasBottleSpec } from '../sensors/calibration-gas-bottle.js';

/** A calibration-gas bottle as a report shows it. */
export interface CalibrationBottleReading {
  name: string;
  /** Pressure in the bottle, bar. */
  pressureBar: number;
  /** Normal litres still usable above its minimum pressure. */
  normalLitresLeft: number;
  /** Normal litres drawn since the start. */
  normalLitresDrawn: number;
}

/** The bottles' specs and what a calibration takes (resolved plant options). */
export interface CalibrationGasSupply {
  zero: CalibrationGasBottleSpec;
  co2Span: CalibrationGasBottleSpec;
  /** CO2 mole fraction of the span gas. */
  co2SpanFraction: number;
  /** Normal litres one flush takes from a bottle. */
  litresPerFlush: number;
}

export interface CalibrationBottles {
  readonly supply: Readonly<CalibrationGasSupply>;
  /**
   * Draws one flush for a calibration of `gas`: the zero bottle for both, and the CO2 span bottle for
   * 'co2' ('o2' spans with outside air). A bottle that cannot give it throws SIM_ERR_BOTTLE_EMPTY and
   * nothing is drawn.
   */
  drawFlushes(gas: 'o2' | 'co2'): void;
  /** The bottles now. */
  readings(): { zero: CalibrationBottleReading; co2Span: CalibrationBottleReading };
}

function reading(bottle: CalibrationGasBottle): CalibrationBottleReading {
  return {
    name: bottle.spec.name,
    pressureBar: bottle.pressureBar,
    normalLitresLeft: bottle.normalLitresLeft,
    normalLitresDrawn: bottle.normalLitresDrawn,
  };
}

export function createCalibrationBottles(supply: CalibrationGasSupply): CalibrationBottles {
  const zero = createCalibrationGasBottle(supply.zero);
  const co2Span = createCalibrationGasBottle(supply.co2Span);
  return {
    supply,
    drawFlushes(gas: 'o2' | 'co2'): void {
      drawFromAll(gas === 'co2' ? [zero, co2Span] : [zero], supply.litresPerFlush);
    },
    readings: () => ({ zero: reading(zero), co2Span: reading(co2Span) }),
  };
}
