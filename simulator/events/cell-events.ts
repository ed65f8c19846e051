/**
 * The discrete events of a cell, applied between sub-steps in this order (STYLE.md 6: nothing discrete
 * enters the derivative):
 *  1. the relief valve vents or admits gas to bring the cell back to its opening pressure (relief-valve-event.ts);
 *  2. the scrubber switches beds when the adsorbing one is 90 % loaded, letting the void air in (bed-switch-over.ts);
 *  3. the cooling thermostat switches on or off (thermostat-event.ts);
 *  4. the kinetics temperature follows the fruit when it has moved by more than 0.002 K (kinetics-temperature-event.ts);
 *  5. once per hour of plant time, the break point's drift with storage time (break-point-drift-event.ts).
 * An event that changes an input of the derivative marks the step coefficients stale; one that moves gas
 * says so too (the adaptive integrator's kept stage is stale then).
 */
import type { CellInputs, CellParams } from '../model/cell.js';
import { freeGasVolumeM3 } from '../plant/free-gas-volume.js';
import { bedSwitchOverEvent } from './bed-switch-over.js';
import { breakPointDriftEvent, type BreakPointDriftSchedule } from './break-point-drift-event.js';
import { kineticsTemperatureEvent } from './kinetics-temperature-event.js';
import { reliefValveEvent } from './relief-valve-event.js';
import { thermostatEvent } from './thermostat-event.js';

/** What the events read and change: the plant's state and inputs, and what they signal to the stepper. */
export interface CellEventContext {
  readonly state: Float64Array;
  readonly params: Readonly<CellParams>;
  readonly inputs: CellInputs;
  /** Cooling setpoint, °C. */
  setpointC: number;
  /** Set when an input of the derivative changed (here or by the plant's setters): the coefficients are stale. */
  coefficientsStale: boolean;
  /** Set when an event moved gas; the stepper clears it before the events of an adaptive step. */
  gasMovedByEvent: boolean;
  readonly drift: BreakPointDriftSchedule;
}

/** The events after a sub-step ending at plant time `atS`, in the order above; returns the gas volume after them, m³. */
export function applyCellEvents(c: CellEventContext, atS: number): number {
  const { state, params, inputs } = c;
  let volumeM3 = freeGasVolumeM3(state, params, inputs.ambient.pressurePa);
  if (reliefValveEvent(state, params, inputs.ambient, volumeM3)) {
    volumeM3 = freeGasVolumeM3(state, params, inputs.ambient.pressurePa);
    c.gasMovedByEvent = true;
  }
  if (bedSwitchOverEvent(state, params, inputs)) {
    c.coefficientsStale = true;
    volumeM3 = freeGasVolumeM3(state, params, inputs.ambient.pressurePa);
    c.gasMovedByEvent = true;
  }
  if (thermostatEvent(state, params, inputs, c.setpointC)) c.coefficientsStale = true;
  if (kineticsTemperatureEvent(state, inputs)) c.coefficientsStale = true;
  if (atS >= c.drift.nextUpdateS && breakPointDriftEvent(c.drift, inputs, atS)) c.coefficientsStale = true;
  return volumeM3;
}
