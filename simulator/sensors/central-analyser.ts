/**
 * A central gas analyser shared by several cells through a sampling manifold, as DCA sites run them
 * (DESIGN.md: the gasboard drives one valve per cell; DOMAIN.md §6: 2–5 min flush per cell, each cell
 * revisited every 15–60 min [E]). The manifold opens one cell's line at a time; the pump first flushes the
 * line and the measuring cell with that cell's gas for `flushS`, then the analyser measures for
 * `measureS` and the reading at the end of that window is the cell's reading, stamped with its time.
 *
 *     line:    τ_line · dx_line/dt = x_cell − x_line        (the sample line and the analyser's cuvette)
 *     sensor:  first-order-sensor.ts on x_line               (lag, noise, drift, calibration, faults)
 *
 * With too short a flush the reading still carries the previous cell's gas; with 3 min against τ_line
 * 30 s [E] and the sensor's 15 s, what is left is e^(−6) of the difference: below the 0.01 kPa resolution
 * for a step of a few kPa, a 0.05 kPa trace after a cell in air. The cells' gas is read through callbacks,
 * so the analyser depends on nothing but what it measures; it is advanced with the plants, by the caller.
 */
import type { Random } from '../engine/random.js';
import { SimulatorError } from '../simulator-error.js';
import { createFirstOrderSensor, lagStep, type FirstOrderSensor, type SensorSpec } from './first-order-sensor.js';
import { CO2_SENSOR_DEFAULTS, O2_SENSOR_DEFAULTS } from './gas-sensor.js';

/** The gas of one cell, as the manifold sees it. */
export type SampledGas = () => { o2Kpa: number; co2Kpa: number };

export interface CentralAnalyserOptions {
  /** One callback per cell on the manifold, in valve order. At least one. */
  cells: readonly SampledGas[];
  /** Flush time per cell before it is measured, s, > 0. Default 180 (DOMAIN.md §6: 2–5 min). */
  flushS?: number;
  /** Measuring window after the flush, s, > 0. Default 60. */
  measureS?: number;
  /** Time constant of the sampling line and cuvette, s, ≥ 0. Default 30 [E]. */
  lineTimeConstantS?: number;
  /** Random streams for the O2 and CO2 sensors' noise. */
  random: { o2: Random; co2: Random };
  /** Sensor specs. Defaults O2_SENSOR_DEFAULTS, CO2_SENSOR_DEFAULTS. */
  o2?: SensorSpec;
  co2?: SensorSpec;
}

/** A finished measurement of one cell. */
export interface ManifoldReading {
  cell: number;
  /** Analyser time at the end of the measuring window, s. */
  timeS: number;
  o2Kpa: number | null;
  co2Kpa: number | null;
}

export interface CentralAnalyser {
  /** Analyser time, s. */
  readonly timeS: number;
  /** The cell whose valve is open. */
  readonly selectedCell: number;
  /** True while the line is being flushed (the analyser's value is not a reading yet). */
  readonly flushing: boolean;
  /** Time between two measurements of the same cell, s: cells × (flush + measure). */
  readonly revisitS: number;
  /** The analyser's two sensors (faults and calibration act on them). */
  readonly o2: FirstOrderSensor;
  readonly co2: FirstOrderSensor;
  /** Advances by `dtS` (finite, ≥ 0); keep it at or below the plants' step (the cells' gas is held over it). */
  step(dtS: number): void;
  /** The last finished reading of every cell (undefined until its first one). */
  latest(): (ManifoldReading | undefined)[];
  /** Every reading finished since the last call, in time order. */
  drain(): ManifoldReading[];
}

export function createCentralAnalyser(options: CentralAnalyserOptions): CentralAnalyser {
  const cells = options.cells;
  const flushS = options.flushS ?? 180;
  const measureS = options.measureS ?? 60;
  const lineTauS = options.lineTimeConstantS ?? 30;
  if (cells.length === 0) throw new SimulatorError('SIM_ERR_INVALID_OPTION', '"cells" must name at least one cell');
  for (const [name, value, min] of [['flushS', flushS, 0], ['measureS', measureS, 0], ['lineTimeConstantS', lineTauS, -1]] as const) {
    if (!Number.isFinite(value) || value <= min) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"${name}" must be a finite number ${min < 0 ? '≥ 0' : '> 0'}: ${value}`);
    }
  }
  const slotS = flushS + measureS;
  const first = cells[0]!();
  const line = new Float64Array([first.o2Kpa, first.co2Kpa]);
  const o2 = createFirstOrderSensor(options.o2 ?? O2_SENSOR_DEFAULTS, options.random.o2, first.o2Kpa);
  const co2 = createFirstOrderSensor(options.co2 ?? CO2_SENSOR_DEFAULTS, options.random.co2, first.co2Kpa);
  const latest: (ManifoldReading | undefined)[] = cells.map(() => undefined);
  let pending: ManifoldReading[] = [];
  let timeS = 0;
  let slot = 0; // index of the current slot since the start

  function advance(hS: number): void {
    const gas = cells[slot % cells.length]!();
    line[0] = lagStep(line[0]!, gas.o2Kpa, hS, lineTauS);
    line[1] = lagStep(line[1]!, gas.co2Kpa, hS, lineTauS);
    o2.update(line[0]!, hS);
    co2.update(line[1]!, hS);
    timeS += hS;
  }

  return {
    get timeS() {
      return timeS;
    },
    get selectedCell() {
      return slot % cells.length;
    },
    get flushing() {
      return timeS - slot * slotS < flushS;
    },
    revisitS: cells.length * slotS,
    o2,
    co2,
    step(dtS: number): void {
      if (!Number.isFinite(dtS) || dtS < 0) {
        throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"dtS" must be a finite number ≥ 0: ${dtS}`);
      }
      let left = dtS;
      while (left > 1e-12) {
        const slotEndS = (slot + 1) * slotS;
        const h = Math.min(left, slotEndS - timeS);
        advance(h);
        left -= h;
        if (timeS >= slotEndS - 1e-9) {
          // End of the measuring window: this slot's cell gets its reading; the manifold moves on.
          const reading: ManifoldReading = { cell: slot % cells.length, timeS, o2Kpa: o2.read(), co2Kpa: co2.read() };
          latest[reading.cell] = reading;
          pending.push(reading);
          slot++;
        }
      }
    },
    latest: () => [...latest],
    drain(): ManifoldReading[] {
      const out = pending;
      pending = [];
      return out;
    },
  };
}
