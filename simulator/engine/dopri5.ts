/**
 * Adaptive Runge–Kutta: the Dormand–Prince 5(4) pair (J. R. Dormand, P. J. Prince, "A family of embedded
 * Runge–Kutta formulae", J. Comput. Appl. Math. 6 (1980) 19–26; the coefficients as tabulated in Hairer,
 * Nørsett & Wanner, "Solving Ordinary Differential Equations I", 2nd ed., Table II.5.2), with the step-size
 * control of the same book (§II.4). Like engine/rk4.ts it knows no physics: a model hands it a derivative
 * function and it only combines slopes.
 *
 * Each step evaluates seven stages; the seventh is the derivative at the new state, so it is the next
 * step's first stage ("first same as last") and a step costs six evaluations, unless the caller changed
 * the state or the derivative's inputs in between and said so with `invalidate()`. The fifth-order
 * solution is kept; the difference to the embedded fourth-order one estimates the error:
 *
 *     err = √( mean over the controlled entries of (e_i / sc_i)² ),   sc_i = atol_i + rtol·max(|y0_i|, |y1_i|)
 *
 * A step with err ≤ 1 is accepted. The next step is h·min(5, max(0.2, 0.9·err^(−1/5))), never longer than
 * the step just rejected (no growth right after a rejection). A step that would have to be shorter than
 * `minStepS` throws: the problem is beyond this method there (e.g. stiffer than an explicit method can
 * follow at that tolerance), and silently stopping would lose time.
 *
 * When to use it instead of RK4: when the fastest time constant of a model is short only some of the
 * time (a pallet cover's pressure relaxing through its leak while the breather bag is at a limit, ≈ 2 s,
 * against hours for everything else). Fixed-step RK4 has to take steps below that time constant all the
 * time; this method takes long steps while the fast mode is idle and short ones only while it acts.
 *
 * Quadratures: as in rk4.ts, entries from `quadratureFrom` on are running integrals that the derivative
 * never reads. Stage probes are built without them; they take the fifth-order weights at the end; they are
 * left out of the error norm (their integrands are what the controlled entries control).
 *
 * A stepper owns its scratch arrays (seven slopes and a probe), allocated once; a step allocates nothing.
 */
import { SimulatorError, invalidOption } from '../simulator-error.js';
import type { DerivativeFn } from './rk4.js';

export interface Dopri5Options {
  /** Index from which the entries are quadratures (never read by the derivative), 0 to size. Default size. */
  quadratureFrom?: number;
  /** Relative tolerance, > 0. Default 1e-6. */
  relTol?: number;
  /**
   * Absolute tolerance, > 0: one number for every controlled entry, or one per controlled entry (the
   * first `quadratureFrom` entries), in the entry's own unit. Default 1e-9.
   */
  absTol?: number | ArrayLike<number>;
  /** Length of the first step tried, s, > 0. Default 1e-3 s. */
  initialStepS?: number;
  /** Shortest step allowed, s, > 0; a step that would need less throws. Default 1e-6 s. */
  minStepS?: number;
}

export interface Dopri5AdvanceOptions {
  /** Longest step, s, > 0. Default: no limit but the duration. */
  maxStepS?: number;
  /** Called after each accepted step with the time it ended at and its length, s. */
  afterStep?: (tS: number, hS: number) => void;
}

export interface Dopri5Stepper {
  /** Length of the state vectors this stepper accepts. */
  readonly size: number;
  /** The step the controller will try next, s. */
  readonly nextStepS: number;
  /** Steps accepted since creation. */
  readonly accepted: number;
  /** Steps rejected (and retried shorter) since creation. */
  readonly rejected: number;
  /**
   * Takes one accepted step from `tS`, no longer than `maxStepS`, retrying shorter while the error is too
   * large; advances `state` in place and returns the length of the step taken, s.
   */
  step<C>(f: DerivativeFn<C>, tS: number, state: Float64Array, maxStepS: number, context?: C): number;
  /**
   * Advances `state` by exactly `durationS` in accepted steps (the last one ends on tS + durationS);
   * returns the new time. `options.maxStepS` caps every step; `options.afterStep(tS, hS)` runs after each
   * accepted step, ending at tS, with the state advanced: where a model applies its discrete events (it
   * must call `invalidate()` if they change the state or the derivative's inputs).
   */
  advance<C>(f: DerivativeFn<C>, tS: number, state: Float64Array, durationS: number, context?: C, options?: Dopri5AdvanceOptions): number;
  /**
   * Forgets the last stage kept for the next step. Call it when the state, or the derivative's inputs
   * (its context), changed between two steps.
   */
  invalidate(): void;
}

// The Dormand–Prince 5(4) tableau.
const C2 = 1 / 5;
const C3 = 3 / 10;
const C4 = 4 / 5;
const C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
// Fifth-order weights (also the seventh stage's coefficients; b2 = b7 = 0).
const B1 = 35 / 384;
const B3 = 500 / 1113;
const B4 = 125 / 192;
const B5 = -2187 / 6784;
const B6 = 11 / 84;
// Fifth- minus fourth-order weights: the error estimate.
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;

const SAFETY = 0.9;
const MAX_GROWTH = 5;
const MAX_SHRINK = 0.2;


function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidOption(`"${name}" must be a finite number > 0: ${String(value)}`);
  return value;
}

export function createDopri5Stepper(size: number, options: Dopri5Options = {}): Dopri5Stepper {
  if (!Number.isInteger(size) || size <= 0) throw invalidOption(`"size" must be a positive integer: ${size}`);
  const dynamic = options.quadratureFrom ?? size;
  if (!Number.isInteger(dynamic) || dynamic < 1 || dynamic > size) {
    throw invalidOption(`"quadratureFrom" must be an integer from 1 to ${size}: ${dynamic}`);
  }
  const relTol = positive('relTol', options.relTol ?? 1e-6);
  const absTol = new Float64Array(dynamic);
  const given = options.absTol ?? 1e-9;
  if (typeof given === 'number') {
    absTol.fill(positive('absTol', given));
  } else {
    if (given.length !== dynamic) throw invalidOption(`"absTol" must have ${dynamic} entries (one per controlled entry): ${given.length}`);
    for (let i = 0; i < dynamic; i++) absTol[i] = positive(`absTol[${i}]`, given[i]!);
  }
  const minStepS = positive('minStepS', options.minStepS ?? 1e-6);
  let nextStepS = positive('initialStepS', options.initialStepS ?? 1e-3);

  const scratch: Dopri5Scratch = {
    dynamic,
    relTol,
    absTol,
    k1: new Float64Array(size),
    k2: new Float64Array(size),
    k3: new Float64Array(size),
    k4: new Float64Array(size),
    k5: new Float64Array(size),
    k6: new Float64Array(size),
    k7: new Float64Array(size),
    probe: new Float64Array(size),
  };
  const { k3, k4, k5, k6, probe } = scratch;
  let firstStageValid = false;
  let accepted = 0;
  let rejected = 0;

  function step<C>(f: DerivativeFn<C>, tS: number, state: Float64Array, maxStepS: number, context?: C): number {
    if (state.length !== size) throw invalidOption(`state has length ${state.length}; this stepper integrates ${size}`);
    positive('maxStepS', maxStepS);
    if (!firstStageValid) f(tS, state, scratch.k1, context as C);
    let h = Math.min(nextStepS, maxStepS);
    let grow = MAX_GROWTH;
    for (;;) {
      const err = dopri5Attempt(scratch, f, tS, state, h, context as C);
      if (err <= 1) {
        // Accepted: the fifth-order solution; quadratures take the same weights.
        for (let i = 0; i < dynamic; i++) state[i] = probe[i]!;
        const k1 = scratch.k1;
        for (let i = dynamic; i < size; i++) {
          state[i] = state[i]! + h * (B1 * k1[i]! + B3 * k3[i]! + B4 * k4[i]! + B5 * k5[i]! + B6 * k6[i]!);
        }
        // First same as last: the slope at the new state is the next step's first stage.
        scratch.k1 = scratch.k7;
        scratch.k7 = k1;
        firstStageValid = true;
        accepted++;
        const factor = err === 0 ? grow : Math.min(grow, Math.max(MAX_SHRINK, SAFETY * err ** -0.2));
        // A step cut short by maxStepS says nothing about a longer one: keep the controller's proposal.
        nextStepS = h < nextStepS ? Math.max(nextStepS, h * factor) : h * factor;
        return h;
      }
      rejected++;
      grow = 1;
      // A NaN error (a non-finite slope) shrinks the step as far as allowed.
      h *= Number.isNaN(err) ? MAX_SHRINK : Math.max(MAX_SHRINK, SAFETY * err ** -0.2);
      if (h < minStepS) {
        throw new SimulatorError(
          'SIM_ERR_STEP_TOO_SMALL',
          `the adaptive integrator needs a step below "minStepS" (${minStepS} s) at t = ${tS} s (error ${err}): the problem is too stiff or not finite there`,
        );
      }
      nextStepS = h;
    }
  }

  function advance<C>(
    f: DerivativeFn<C>,
    tS: number,
    state: Float64Array,
    durationS: number,
    context?: C,
    options: Dopri5AdvanceOptions = {},
  ): number {
    if (typeof durationS !== 'number' || !Number.isFinite(durationS) || durationS < 0) {
      throw invalidOption(`"durationS" must be a finite number ≥ 0: ${String(durationS)}`);
    }
    const maxStepS = options.maxStepS === undefined ? Infinity : positive('maxStepS', options.maxStepS);
    const afterStep = options.afterStep;
    const endS = tS + durationS;
    let t = tS;
    // The last step ends on endS exactly, not a rounding error short of it.
    while (endS - t > 1e-12 * Math.max(1, Math.abs(endS))) {
      const h = step(f, t, state, Math.min(maxStepS, endS - t), context);
      t += h;
      if (afterStep) afterStep(t, h);
    }
    return endS;
  }

  return {
    size,
    get nextStepS() {
      return nextStepS;
    },
    get accepted() {
      return accepted;
    },
    get rejected() {
      return rejected;
    },
    step,
    advance,
    invalidate(): void {
      firstStageValid = false;
    },
  };
}

/** A stepper's tolerances and scratch arrays. */
interface Dopri5Scratch {
  /** Entries before this index are read by the derivative and error-controlled; the rest are quadratures. */
  readonly dynamic: number;
  readonly relTol: number;
  readonly absTol: Float64Array;
  /** The first stage; swapped with k7 after an accepted step. */
  k1: Float64Array;
  readonly k2: Float64Array;
  readonly k3: Float64Array;
  readonly k4: Float64Array;
  readonly k5: Float64Array;
  readonly k6: Float64Array;
  k7: Float64Array;
  readonly probe: Float64Array;
}

/**
 * One attempt of length h from (t, y), k1 holding f(t, y): builds the stages, leaves the fifth-order
 * dynamic entries in `probe` and f(t + h, probe) in k7, and returns the error norm (NaN if a slope was
 * not finite). A module-level function over plain arrays, as rk4.ts's step, so one optimised body serves
 * every stepper.
 */
function dopri5Attempt<C>(scratch: Dopri5Scratch, f: DerivativeFn<C>, t: number, y: Float64Array, h: number, context: C): number {
  const { dynamic, relTol, absTol, k1, k2, k3, k4, k5, k6, k7, probe } = scratch;
  for (let i = 0; i < dynamic; i++) probe[i] = y[i]! + h * (A21 * k1[i]!);
  f(t + C2 * h, probe, k2, context);
  for (let i = 0; i < dynamic; i++) probe[i] = y[i]! + h * (A31 * k1[i]! + A32 * k2[i]!);
  f(t + C3 * h, probe, k3, context);
  for (let i = 0; i < dynamic; i++) probe[i] = y[i]! + h * (A41 * k1[i]! + A42 * k2[i]! + A43 * k3[i]!);
  f(t + C4 * h, probe, k4, context);
  for (let i = 0; i < dynamic; i++) probe[i] = y[i]! + h * (A51 * k1[i]! + A52 * k2[i]! + A53 * k3[i]! + A54 * k4[i]!);
  f(t + C5 * h, probe, k5, context);
  for (let i = 0; i < dynamic; i++) {
    probe[i] = y[i]! + h * (A61 * k1[i]! + A62 * k2[i]! + A63 * k3[i]! + A64 * k4[i]! + A65 * k5[i]!);
  }
  f(t + h, probe, k6, context);
  for (let i = 0; i < dynamic; i++) {
    probe[i] = y[i]! + h * (B1 * k1[i]! + B3 * k3[i]! + B4 * k4[i]! + B5 * k5[i]! + B6 * k6[i]!);
  }
  f(t + h, probe, k7, context);
  let sum = 0;
  for (let i = 0; i < dynamic; i++) {
    const e = h * (E1 * k1[i]! + E3 * k3[i]! + E4 * k4[i]! + E5 * k5[i]! + E6 * k6[i]! + E7 * k7[i]!);
    const scale = absTol[i]! + relTol * Math.max(Math.abs(y[i]!), Math.abs(probe[i]!));
    const r = e / scale;
    sum += r * r;
  }
  return Math.sqrt(sum / dynamic);
}
