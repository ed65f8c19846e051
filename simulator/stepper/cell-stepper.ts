/**
 * The cell's stepper: it moves a cell's state vector over one `step` call in sub-steps, on either generic
 * integrator (engine/rk4.ts, engine/dopri5.ts), and calls the plant back after each sub-step. It knows no
 * physics: the derivative, its coefficients, the longest stable RK4 sub-step and what happens between
 * sub-steps are the plant's (hooks below).
 *
 *  - RK4 (cells): equal sub-steps no longer than `fixedSubStepS()` (the plant's min(maxStepS, ½ · fastest
 *    time constant)), chosen again whenever an input changes (`chooseSubStep`).
 *  - Dormand–Prince 5(4) (pallet covers): the steps its error control chooses, up to `maxStepS`, the last
 *    ending on the call's end. Its kept stage ("first same as last") is forgotten when the coefficients
 *    were refreshed or an event moved gas (`signals`).
 *
 * The integrated vector is the state's first CELL_INTEGRATED_SIZE entries while the door is open and its
 * first CELL_CLOSED_DOOR_SIZE while it is shut (the door's flows are 0 then), views on the same memory.
 */
import { createDopri5Stepper, type Dopri5Options, type Dopri5Stepper } from '../engine/dopri5.js';
import { createRk4Stepper, type DerivativeFn, type Rk4Stepper } from '../engine/rk4.js';
import { CELL_CLOSED_DOOR_SIZE, CELL_DYNAMIC_SIZE, CELL_INTEGRATED_SIZE } from '../model/cell-state.js';

/** What the plant and its events signal to the stepper between sub-steps. */
export interface StepperSignals {
  /** The derivative's inputs changed: the coefficients must be refreshed before the next sub-step. */
  coefficientsStale: boolean;
  /** An event moved gas after the last sub-step. */
  gasMovedByEvent: boolean;
}

export interface CellStepperOptions<C> {
  /** The cell's state vector (integrated entries first). */
  state: Float64Array;
  integrator: 'rk4' | 'dopri5';
  /** Longest sub-step, s. */
  maxStepS: number;
  /** The derivative, and its per-step coefficients, refreshed by `refreshCoefficients`. */
  derivative: DerivativeFn<C>;
  coefficients: C;
  /** The RK4 sub-step for the inputs now, s; the adaptive integrator's first step. */
  fixedSubStepS: () => number;
  /** The adaptive integrator's tolerances (stepper/adaptive-tolerance.ts); required for 'dopri5'. */
  adaptive?: Dopri5Options;
  signals: StepperSignals;
  /** Computes the coefficients for the inputs now (and clears `signals.coefficientsStale`). */
  refreshCoefficients: () => void;
  /** After each accepted sub-step ending at `tS`, of `hS`: the plant's events and sensors. */
  afterSubStep: (tS: number, hS: number) => void;
}

export interface CellStepper {
  /** Sub-step in use, s: RK4's fixed one, or the adaptive integrator's last accepted step. */
  readonly subStepS: number;
  /** Sub-steps taken (accepted) since the start. */
  readonly integratorSteps: number;
  /** Sub-steps the adaptive integrator rejected and retried shorter (0 under RK4). */
  readonly rejectedSteps: number;
  /** Chooses RK4's sub-step for the inputs now; the adaptive integrator's only before its first step. */
  chooseSubStep(): void;
  /** Advances the state from `startS` by `dtS` > 0, the door open or shut over the whole call. */
  advance(startS: number, dtS: number, doorOpen: boolean): void;
}

export function createCellStepper<C>(options: CellStepperOptions<C>): CellStepper {
  const { state, derivative, coefficients, signals, refreshCoefficients, afterSubStep, fixedSubStepS } = options;
  const integratedOpen = state.subarray(0, CELL_INTEGRATED_SIZE);
  const integratedClosed = state.subarray(0, CELL_CLOSED_DOOR_SIZE);
  const rk4Open = createRk4Stepper(CELL_INTEGRATED_SIZE, { quadratureFrom: CELL_DYNAMIC_SIZE });
  const rk4Closed = createRk4Stepper(CELL_CLOSED_DOOR_SIZE, { quadratureFrom: CELL_DYNAMIC_SIZE });
  const adaptive = options.integrator === 'dopri5';
  const adaptiveOptions = adaptive ? { ...options.adaptive, initialStepS: fixedSubStepS() } : undefined;
  const adaptiveOpen = adaptive ? createDopri5Stepper(CELL_INTEGRATED_SIZE, adaptiveOptions) : undefined;
  const adaptiveClosed = adaptive ? createDopri5Stepper(CELL_CLOSED_DOOR_SIZE, adaptiveOptions) : undefined;

  let subStepS = 0;
  let integratorSteps = 0;

  function chooseSubStep(): void {
    if (adaptive && integratorSteps > 0) return;
    subStepS = fixedSubStepS();
  }

  /** RK4: equal sub-steps of at most `subStepS`. */
  function advanceRk4(startS: number, dtS: number, stepper: Rk4Stepper, integrated: Float64Array): void {
    const steps = Math.max(1, Math.ceil(dtS / subStepS - 1e-9));
    const hS = dtS / steps;
    for (let n = 0; n < steps; n++) {
      if (signals.coefficientsStale) refreshCoefficients();
      stepper.step(derivative, startS + n * hS, integrated, hS, coefficients);
      afterSubStep(startS + (n + 1) * hS, hS);
    }
    integratorSteps += steps;
  }

  /** Refreshes stale coefficients; the derivative's inputs changed, so a kept stage of either stepper is stale. */
  function refreshAdaptiveInputs(): void {
    if (!signals.coefficientsStale) return;
    refreshCoefficients();
    adaptiveOpen!.invalidate();
    adaptiveClosed!.invalidate();
  }

  /** After each adaptive step ending at `tS`: the plant's hook, and the inputs for the next step. */
  function afterAdaptiveStep(tS: number, hS: number): void {
    subStepS = hS;
    integratorSteps++;
    signals.gasMovedByEvent = false;
    afterSubStep(tS, hS);
    if (signals.gasMovedByEvent) {
      adaptiveOpen!.invalidate();
      adaptiveClosed!.invalidate();
    }
    refreshAdaptiveInputs();
  }
  const adaptiveAdvance = { maxStepS: options.maxStepS, afterStep: afterAdaptiveStep };

  /** The adaptive integrator: accepted steps of the length it chooses, the last one ending on `startS + dtS`. */
  function advanceAdaptive(startS: number, dtS: number, stepper: Dopri5Stepper, integrated: Float64Array): void {
    refreshAdaptiveInputs();
    stepper.advance(derivative, startS, integrated, dtS, coefficients, adaptiveAdvance);
  }

  chooseSubStep();
  return {
    get subStepS() {
      return subStepS;
    },
    get integratorSteps() {
      return integratorSteps;
    },
    get rejectedSteps() {
      return adaptive ? adaptiveOpen!.rejected + adaptiveClosed!.rejected : 0;
    },
    chooseSubStep,
    advance(startS: number, dtS: number, doorOpen: boolean): void {
      const integrated = doorOpen ? integratedOpen : integratedClosed;
      if (adaptive) advanceAdaptive(startS, dtS, doorOpen ? adaptiveOpen! : adaptiveClosed!, integrated);
      else advanceRk4(startS, dtS, doorOpen ? rk4Open : rk4Closed, integrated);
    },
  };
}
