/**
 * The cell's stepper (simulator/stepper/cell-stepper.ts) knows no physics: on a plain exponential decay in
 * the first state entry it takes RK4's equal sub-steps or the adaptive ones, refreshes the coefficients
 * only when signalled, calls the plant back after each sub-step, and integrates the shorter vector while
 * the door is shut.
 */
import { describe, expect, it } from 'vitest';
import { CELL_CLOSED_DOOR_SIZE, CELL_INTEGRATED_SIZE, CELL_STATE_SIZE } from '../../simulator/model/cell-state.js';
import { createCellStepper, type StepperSignals } from '../../simulator/stepper/cell-stepper.js';

/** dy0/dt = −k·y0, k from the coefficients; every other entry's rate is 1 (a clock). */
function decay(_tS: number, y: Float64Array, out: Float64Array, c: { k: number }): void {
  out[0] = -c.k * y[0]!;
  for (let i = 1; i < y.length; i++) out[i] = 1;
}

function setup(integrator: 'rk4' | 'dopri5') {
  const state = new Float64Array(CELL_STATE_SIZE);
  state[0] = 1;
  const coefficients = { k: 0 };
  const signals: StepperSignals = { coefficientsStale: true, gasMovedByEvent: false };
  const calls: { refresh: number; after: [number, number][] } = { refresh: 0, after: [] };
  const stepper = createCellStepper({
    state,
    integrator,
    maxStepS: 10,
    derivative: decay,
    coefficients,
    fixedSubStepS: () => 4,
    ...(integrator === 'dopri5' ? { adaptive: { relTol: 1e-9, absTol: 1e-12 } } : {}),
    signals,
    refreshCoefficients: () => {
      coefficients.k = 0.01;
      calls.refresh++;
      signals.coefficientsStale = false;
    },
    afterSubStep: (tS, hS) => calls.after.push([tS, hS]),
  });
  return { state, stepper, signals, calls };
}

describe('cell stepper', () => {
  it('RK4: equal sub-steps within the fixed sub-step, the hook after each, coefficients refreshed once', () => {
    const { state, stepper, calls } = setup('rk4');
    expect(stepper.subStepS).toBe(4);
    stepper.advance(0, 10, false);
    expect(calls.after.map(([t]) => t)).toEqual([10 / 3, 20 / 3, 10]);
    expect(calls.refresh).toBe(1);
    expect(stepper.integratorSteps).toBe(3);
    expect(stepper.rejectedSteps).toBe(0);
    expect(state[0]).toBeCloseTo(Math.exp(-0.1), 8);
    // Door shut: the entries past the closed-door vector do not move.
    expect(state[CELL_CLOSED_DOOR_SIZE - 1]).toBeCloseTo(10, 12);
    expect(state[CELL_CLOSED_DOOR_SIZE]).toBe(0);
    stepper.advance(10, 10, true);
    expect(state[CELL_INTEGRATED_SIZE - 1]).toBeCloseTo(10, 12);
  });

  it('dopri5: steps of its own choosing up to maxStepS, ending on the call’s end', () => {
    const { state, stepper, calls, signals } = setup('dopri5');
    stepper.advance(0, 100, false);
    const last = calls.after[calls.after.length - 1]!;
    expect(last[0]).toBeCloseTo(100, 12);
    for (const [, h] of calls.after) expect(h).toBeLessThanOrEqual(10 + 1e-12);
    expect(state[0]).toBeCloseTo(Math.exp(-1), 8);
    // A signalled change is picked up before the next step.
    signals.coefficientsStale = true;
    stepper.advance(100, 10, false);
    expect(calls.refresh).toBe(2);
    // After its first step the adaptive integrator keeps its own step length.
    stepper.chooseSubStep();
    expect(stepper.subStepS).toBe(calls.after[calls.after.length - 1]![1]);
  });
});
