/**
 * The discrete events of a cell (simulator/events/), each on its own: what it changes in the state and the
 * inputs, what it books in the ledger, when it does nothing; and the order and the signals of all of them
 * together (applyCellEvents).
 */
import { describe, expect, it } from 'vitest';
import { resolveCellPlantOptions } from '../../simulator/index.js';
import { bedSwitchOverEvent, BED_SWITCH_FRACTION } from '../../simulator/events/bed-switch-over.js';
import { breakPointDriftEvent, DRIFT_UPDATE_PERIOD_S } from '../../simulator/events/break-point-drift-event.js';
import { applyCellEvents, type CellEventContext } from '../../simulator/events/cell-events.js';
import { kineticsTemperatureEvent, KINETICS_TEMP_TOLERANCE_K } from '../../simulator/events/kinetics-temperature-event.js';
import { reliefValveEvent } from '../../simulator/events/relief-valve-event.js';
import { thermostatEvent } from '../../simulator/events/thermostat-event.js';
import { freeGasPressurePa, type CellInputs, type CellParams } from '../../simulator/model/cell.js';
import { CellStateIndex, CO2, N2, O2 } from '../../simulator/model/cell-state.js';
import { createInitialCellState } from '../../simulator/plant/initial-cell-state.js';
import { freeGasVolumeM3 } from '../../simulator/plant/free-gas-volume.js';

const I = CellStateIndex;
const GAS = I.gas;

/** A default cell (conference pear, 100 m³, full of air) as the events see it. */
function cell(options: Parameters<typeof resolveCellPlantOptions>[0] = {}): { state: Float64Array; params: CellParams; inputs: CellInputs } {
  const r = resolveCellPlantOptions(options);
  const params = { ...r.params };
  const { state } = createInitialCellState(params, r.initial, r.ambient.pressurePa);
  const inputs: CellInputs = {
    actuators: { ...r.actuators },
    ambient: { ...r.ambient },
    fermentationScale: 1,
    coolingOn: false,
    kineticsTempC: r.initial.fruitTempC,
    activeBed: 0,
  };
  return { state, params, inputs };
}

const gasMol = (state: Float64Array): number => state[GAS + O2]! + state[GAS + CO2]! + state[GAS + N2]!;
const gaugePa = (state: Float64Array, params: CellParams, inputs: CellInputs): number =>
  freeGasPressurePa(gasMol(state), freeGasVolumeM3(state, params, inputs.ambient.pressurePa), state[I.airTempC]!) - inputs.ambient.pressurePa;

describe('relief valve event', () => {
  it('stays shut while the breather bag is slack', () => {
    const { state, params, inputs } = cell();
    const before = Float64Array.from(state);
    expect(reliefValveEvent(state, params, inputs.ambient, freeGasVolumeM3(state, params, inputs.ambient.pressurePa))).toBe(false);
    expect(state).toEqual(before);
  });

  it('vents cell gas down to its opening pressure, its own composition, booked as relief out', () => {
    const { state, params, inputs } = cell();
    for (const s of [O2, CO2, N2]) state[GAS + s] = state[GAS + s]! * 1.02; // bag full, ≈ 2 kPa over
    const before = Float64Array.from(state);
    expect(reliefValveEvent(state, params, inputs.ambient, freeGasVolumeM3(state, params, inputs.ambient.pressurePa))).toBe(true);
    expect(gaugePa(state, params, inputs)).toBeCloseTo(params.reliefValveOpeningPa, 6);
    for (const s of [O2, CO2, N2]) {
      const out = before[GAS + s]! - state[GAS + s]!;
      expect(out).toBeGreaterThan(0);
      expect(state[I.reliefOut + s]).toBeCloseTo(out, 12);
      expect(out / before[GAS + s]!).toBeCloseTo((before[GAS + O2]! - state[GAS + O2]!) / before[GAS + O2]!, 12);
    }
  });

  it('admits ambient air up to minus its opening pressure, by the ambient fractions, booked as relief in', () => {
    const { state, params, inputs } = cell();
    for (const s of [O2, CO2, N2]) state[GAS + s] = state[GAS + s]! * 0.98; // bag empty, ≈ 2 kPa under
    const before = Float64Array.from(state);
    expect(reliefValveEvent(state, params, inputs.ambient, freeGasVolumeM3(state, params, inputs.ambient.pressurePa))).toBe(true);
    expect(gaugePa(state, params, inputs)).toBeCloseTo(-params.reliefValveOpeningPa, 6);
    const inMol = gasMol(state) - gasMol(before);
    expect(state[I.reliefIn + O2]).toBeCloseTo(inMol * inputs.ambient.o2Fraction, 12);
    expect(state[I.reliefIn + CO2]).toBeCloseTo(inMol * inputs.ambient.co2Fraction, 12);
  });
});

describe('bed switch-over event', () => {
  it('does nothing while the scrubber is off or the adsorbing bed is below its switch load', () => {
    const { state, params, inputs } = cell();
    state[I.bedALoad] = params.scrubberBedCapacityMol;
    expect(bedSwitchOverEvent(state, params, inputs)).toBe(false);
    inputs.actuators.scrub = true;
    state[I.bedALoad] = 0.99 * BED_SWITCH_FRACTION * params.scrubberBedCapacityMol;
    expect(bedSwitchOverEvent(state, params, inputs)).toBe(false);
    expect(inputs.activeBed).toBe(0);
  });

  it('switches to the other bed at 90 % and lets the void air in, booked as switch-over air', () => {
    const { state, params, inputs } = cell({ actuators: { scrub: true } });
    state[I.bedALoad] = BED_SWITCH_FRACTION * params.scrubberBedCapacityMol;
    const before = gasMol(state);
    expect(bedSwitchOverEvent(state, params, inputs)).toBe(true);
    expect(inputs.activeBed).toBe(1);
    const inMol = gasMol(state) - before;
    expect(inMol).toBeGreaterThan(0);
    expect(state[I.scrubberO2In]! + state[I.scrubberN2In]!).toBeCloseTo(inMol, 12);
    expect(state[I.scrubberO2In]! / inMol).toBeCloseTo(inputs.ambient.o2Fraction, 12);
    // Bed B is empty: no switch back.
    expect(bedSwitchOverEvent(state, params, inputs)).toBe(false);
  });
});

describe('thermostat event', () => {
  it('switches on above setpoint + band, off below setpoint − band, and holds in between', () => {
    const { state, params, inputs } = cell();
    const set = params.tempC;
    state[I.airTempC] = set + params.coolingBandK + 0.01;
    expect(thermostatEvent(state, params, inputs, set)).toBe(true);
    expect(inputs.coolingOn).toBe(true);
    state[I.airTempC] = set;
    expect(thermostatEvent(state, params, inputs, set)).toBe(false);
    expect(inputs.coolingOn).toBe(true);
    state[I.airTempC] = set - params.coolingBandK - 0.01;
    expect(thermostatEvent(state, params, inputs, set)).toBe(true);
    expect(inputs.coolingOn).toBe(false);
  });

  it('never switches a cell without cooling', () => {
    const { state, params, inputs } = cell({ coolingCapacityW: 0 });
    state[I.airTempC] = params.tempC + 10;
    expect(thermostatEvent(state, params, inputs, params.tempC)).toBe(false);
    expect(inputs.coolingOn).toBe(false);
  });
});

describe('kinetics temperature and break-point drift events', () => {
  it('the kinetics follow the fruit only beyond their tolerance', () => {
    const { state, inputs } = cell();
    const t0 = inputs.kineticsTempC!;
    state[I.fruitTempC] = t0 + KINETICS_TEMP_TOLERANCE_K / 2;
    expect(kineticsTemperatureEvent(state, inputs)).toBe(false);
    expect(inputs.kineticsTempC).toBe(t0);
    state[I.fruitTempC] = t0 + 2 * KINETICS_TEMP_TOLERANCE_K;
    expect(kineticsTemperatureEvent(state, inputs)).toBe(true);
    expect(inputs.kineticsTempC).toBe(t0 + 2 * KINETICS_TEMP_TOLERANCE_K);
  });

  it('the drift scales fermentation for the storage day and is due again an hour later', () => {
    const r = resolveCellPlantOptions({ preset: 'gala-apple', storageDayAtStart: 100 });
    const { inputs } = cell({ preset: 'gala-apple', storageDayAtStart: 100 });
    const drift = { respiration: r.preset.respiration, breakPoint: r.preset.breakPoint, storageDayAtStart: 100, nextUpdateS: 0 };
    expect(breakPointDriftEvent(drift, inputs, 7200)).toBe(r.preset.breakPoint.driftKpaPerDay !== 0);
    expect(drift.nextUpdateS).toBe(7200 + DRIFT_UPDATE_PERIOD_S);
    const scale = inputs.fermentationScale;
    expect(breakPointDriftEvent(drift, inputs, 7200)).toBe(false);
    expect(inputs.fermentationScale).toBe(scale);
  });
});

describe('applyCellEvents', () => {
  function context(options: Parameters<typeof resolveCellPlantOptions>[0] = {}): CellEventContext {
    const { state, params, inputs } = cell(options);
    const r = resolveCellPlantOptions(options);
    return {
      state,
      params,
      inputs,
      setpointC: params.tempC,
      coefficientsStale: false,
      gasMovedByEvent: false,
      drift: { respiration: r.preset.respiration, breakPoint: r.preset.breakPoint, storageDayAtStart: 0, nextUpdateS: 1e12 },
    };
  }

  it('returns the gas volume after the events and signals nothing when nothing happens', () => {
    const c = context();
    expect(applyCellEvents(c, 10)).toBe(freeGasVolumeM3(c.state, c.params, c.inputs.ambient.pressurePa));
    expect(c.coefficientsStale).toBe(false);
    expect(c.gasMovedByEvent).toBe(false);
  });

  it('signals moved gas for the relief valve, and stale coefficients for a bed switch-over', () => {
    const c = context({ actuators: { scrub: true } });
    for (const s of [O2, CO2, N2]) c.state[GAS + s] = c.state[GAS + s]! * 1.02;
    applyCellEvents(c, 10);
    expect(c.gasMovedByEvent).toBe(true);
    expect(c.coefficientsStale).toBe(false);
    c.gasMovedByEvent = false;
    c.state[I.bedALoad] = c.params.scrubberBedCapacityMol;
    const volumeM3 = applyCellEvents(c, 20);
    expect(c.gasMovedByEvent).toBe(true);
    expect(c.coefficientsStale).toBe(true);
    expect(volumeM3).toBe(freeGasVolumeM3(c.state, c.params, c.inputs.ambient.pressurePa));
  });

  it('runs the drift only when it is due', () => {
    const c = context({ preset: 'gala-apple' });
    c.drift.nextUpdateS = 3600;
    applyCellEvents(c, 3599);
    expect(c.drift.nextUpdateS).toBe(3600);
    applyCellEvents(c, 3600);
    expect(c.drift.nextUpdateS).toBe(7200);
  });
});
