/**
 * Classic fixed-step fourth-order Runge–Kutta over a `Float64Array` state. It knows no physics: a model
 * hands it a derivative function and the integrator only combines slopes.
 *
 *     k1 = f(t, y)
 *     k2 = f(t + h/2, y + h/2·k1)
 *     k3 = f(t + h/2, y + h/2·k2)
 *     k4 = f(t + h,   y + h·k3)
 *     y(t + h) = y + h/6·(k1 + 2·k2 + 2·k3 + k4)
 *
 * The local error is O(h⁵) and the global error O(h⁴): halving the step cuts the error about 16 times.
 * On a linear decay y' = −y/τ the method is stable for h < 2.785·τ; callers with a stiff term choose
 * their step below that (the cell plant does, from its leak time constant).
 *
 * Quadratures. Entries from `quadratureFrom` on may be declared quadratures: running integrals that the
 * derivative function never reads (a model's ledger of cumulative flows, energy used). They are summed
 * with the same weights, so their results are bit for bit what a full RK4 gives, but the stepper does not
 * build their intermediate probe values, which saves a third of the vector work for a ledger-heavy model.
 * The derivative function must not read them from the state it is given.
 *
 * A stepper owns five scratch arrays of the state size (four slopes and a probe), allocated once; a step
 * allocates nothing. Each stage builds only the probe entries the derivative reads, and the slopes are
 * combined in one pass at the end (one pass over the state instead of one per stage). The derivative gets
 * a `context` argument, passed through untouched (python-control's `params`): a model's constants and
 * inputs, so that one module-level derivative function serves every instance of the model (a closure per
 * instance would make the call site polymorphic and defeat inlining).
 * Inputs that change between steps (valves, ambient) are the caller's business: they are held constant
 * over a step (zero-order hold), so discrete events stay out of the derivative function.
 */

import { SimulatorError } from '../simulator-error.js';

/**
 * Writes dy/dt at time `tS` for `state` into `out` (same length as `state`). Must not keep references to
 * `state` or `out`, which are the stepper's scratch buffers, and must not modify `state`. `context` is
 * what the caller passed to `step` or `advance` (undefined if nothing).
 */
export type DerivativeFn<C = unknown> = (tS: number, state: Float64Array, out: Float64Array, context: C) => void;

export interface Rk4Stepper {
  /** Length of the state vectors this stepper accepts. */
  readonly size: number;
  /**
   * Advances `state` in place by one step of `hS` seconds from time `tS`; returns `tS + hS`. `context`
   * is handed to every call of `f`.
   */
  step<C>(f: DerivativeFn<C>, tS: number, state: Float64Array, hS: number, context?: C): number;
  /**
   * Advances `state` in place by `durationS` in equal steps no longer than `maxStepS` (the number of
   * steps is ⌈durationS / maxStepS⌉); returns the new time. A duration of 0 does nothing.
   */
  advance<C>(f: DerivativeFn<C>, tS: number, state: Float64Array, durationS: number, maxStepS: number, context?: C): number;
}

export interface Rk4StepperOptions {
  /**
   * Index from which the entries are quadratures (never read by the derivative), 0 to size. Default
   * `size` (none).
   */
  quadratureFrom?: number;
}

export function createRk4Stepper(size: number, options: Rk4StepperOptions = {}): Rk4Stepper {
  if (!Number.isInteger(size) || size <= 0) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"size" must be a positive integer: ${size}`);
  }
  const dynamic = options.quadratureFrom ?? size;
  if (!Number.isInteger(dynamic) || dynamic < 0 || dynamic > size) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"quadratureFrom" must be an integer from 0 to ${size}: ${dynamic}`);
  }
  const scratch: Rk4Scratch = {
    size,
    dynamic,
    k1: new Float64Array(size),
    k2: new Float64Array(size),
    k3: new Float64Array(size),
    k4: new Float64Array(size),
    probe: new Float64Array(size),
  };

  function step<C>(f: DerivativeFn<C>, tS: number, state: Float64Array, hS: number, context?: C): number {
    if (state.length !== size) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `state has length ${state.length}; this stepper integrates ${size}`);
    }
    return rk4Step(scratch, f, tS, state, hS, context as C);
  }

  function advance<C>(
    f: DerivativeFn<C>,
    tS: number,
    state: Float64Array,
    durationS: number,
    maxStepS: number,
    context?: C,
  ): number {
    if (!Number.isFinite(durationS) || durationS < 0) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"durationS" must be a finite number ≥ 0: ${durationS}`);
    }
    if (!Number.isFinite(maxStepS) || maxStepS <= 0) {
      throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"maxStepS" must be a finite number > 0: ${maxStepS}`);
    }
    if (durationS === 0) return tS;
    // The tolerance keeps 60 / 10 at 6 steps when floating point makes it 6.000000000000001.
    const steps = Math.max(1, Math.ceil(durationS / maxStepS - 1e-9));
    const hS = durationS / steps;
    for (let n = 0; n < steps; n++) step(f, tS + n * hS, state, hS, context);
    return tS + durationS;
  }

  return { size, step, advance };
}

/** A stepper's sizes and scratch arrays. */
interface Rk4Scratch {
  readonly size: number;
  /** Entries before this index are read by the derivative; the rest are quadratures. */
  readonly dynamic: number;
  /** The four stage slopes, kept apart so that they are summed once, at the end of the step. */
  readonly k1: Float64Array;
  readonly k2: Float64Array;
  readonly k3: Float64Array;
  readonly k4: Float64Array;
  /** The state at which the next stage is evaluated (only its first `dynamic` entries are built). */
  readonly probe: Float64Array;
}

/**
 * One RK4 step, a module-level function over plain arrays: the same code, and the same optimised machine
 * code, serves every stepper. Each stage builds only the probe the derivative reads; the slopes are
 * combined in one pass at the end, in the order ((k1 + 2·k2) + 2·k3) + k4.
 */
function rk4Step<C>(scratch: Rk4Scratch, f: DerivativeFn<C>, tS: number, state: Float64Array, hS: number, context: C): number {
  const { size, dynamic, k1, k2, k3, k4, probe } = scratch;
  const half = hS / 2;
  f(tS, state, k1, context);
  for (let i = 0; i < dynamic; i++) probe[i] = state[i]! + half * k1[i]!;
  f(tS + half, probe, k2, context);
  for (let i = 0; i < dynamic; i++) probe[i] = state[i]! + half * k2[i]!;
  f(tS + half, probe, k3, context);
  for (let i = 0; i < dynamic; i++) probe[i] = state[i]! + hS * k3[i]!;
  f(tS + hS, probe, k4, context);
  const sixth = hS / 6;
  for (let i = 0; i < size; i++) state[i] = state[i]! + sixth * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  return tS + hS;
}
