import { describe, expect, it } from 'vitest';
import { createRk4Stepper, SimulatorError, type DerivativeFn } from '../../simulator/index.js';

/** Integrates `f` from 0 to `endS` with step `hS` and returns the final state. */
function integrate(f: DerivativeFn, initial: number[], endS: number, hS: number): Float64Array {
  const stepper = createRk4Stepper(initial.length);
  const state = Float64Array.from(initial);
  stepper.advance(f, 0, state, endS, hS);
  return state;
}

describe('RK4 stepper', () => {
  // y' = −y/τ, y(0) = 1  →  y(t) = e^(−t/τ)
  const tauS = 2;
  const decay: DerivativeFn = (_t, y, out) => {
    out[0] = -y[0]! / tauS;
  };

  it('matches exponential decay closely at a modest step', () => {
    const y = integrate(decay, [1], 5, 0.1);
    // Global error of order h⁴: about 1e-8 here.
    expect(y[0]).toBeCloseTo(Math.exp(-5 / tauS), 7);
  });

  it('shows fourth-order convergence on exponential decay (halving h cuts the error ~16×)', () => {
    const exact = Math.exp(-5 / tauS);
    const errors = [0.25, 0.125, 0.0625].map((h) => Math.abs(integrate(decay, [1], 5, h)[0]! - exact));
    expect(errors[0]).toBeLessThan(1e-6);
    const ratio1 = errors[0]! / errors[1]!;
    const ratio2 = errors[1]! / errors[2]!;
    expect(ratio1).toBeGreaterThan(15);
    expect(ratio1).toBeLessThan(18);
    expect(ratio2).toBeGreaterThan(15);
    expect(ratio2).toBeLessThan(17.5);
    // Observed order log2(ratio) ≈ 4.
    expect(Math.log2(ratio2)).toBeCloseTo(4, 1);
  });

  // x'' = −ω²x as [x, v]; x(0) = 1, v(0) = 0  →  x = cos ωt, v = −ω sin ωt
  const omega = 3;
  const oscillator: DerivativeFn = (_t, y, out) => {
    out[0] = y[1]!;
    out[1] = -omega * omega * y[0]!;
  };

  it('tracks a harmonic oscillator over several periods', () => {
    const endS = 4 * Math.PI; // six periods at ω = 3
    const y = integrate(oscillator, [1, 0], endS, 0.01);
    expect(y[0]).toBeCloseTo(Math.cos(omega * endS), 6);
    expect(y[1]).toBeCloseTo(-omega * Math.sin(omega * endS), 5);
  });

  it('shows fourth-order convergence on the oscillator', () => {
    const endS = 2;
    const exactX = Math.cos(omega * endS);
    // ω·h from 0.075 down: the ratio approaches 16 from above as h shrinks.
    const errors = [0.025, 0.0125, 0.00625].map((h) => Math.abs(integrate(oscillator, [1, 0], endS, h)[0]! - exactX));
    expect(errors[0]! / errors[1]!).toBeGreaterThan(15);
    expect(errors[0]! / errors[1]!).toBeLessThan(18);
    expect(errors[1]! / errors[2]!).toBeGreaterThan(15);
    expect(errors[1]! / errors[2]!).toBeLessThan(17);
  });

  it('passes time to the derivative: y\' = t integrates to t²/2 exactly', () => {
    const y = integrate((t, _y, out) => {
      out[0] = t;
    }, [0], 3, 0.7);
    expect(y[0]).toBeCloseTo(4.5, 12);
  });

  it('advance splits a duration into equal steps no longer than maxStepS and returns the end time', () => {
    const stepper = createRk4Stepper(1);
    const times: number[] = [];
    const state = Float64Array.of(0);
    const end = stepper.advance((t, _y, out) => {
      times.push(t);
      out[0] = 0;
    }, 100, state, 60, 10);
    expect(end).toBe(160);
    expect(times.length).toBe(6 * 4); // 6 steps of 10 s, 4 stages each
    expect(times[0]).toBe(100);
    expect(times[times.length - 1]).toBeCloseTo(160, 9);
  });

  it('rejects bad sizes, steps and state lengths with SIM_ERR_INVALID_OPTION', () => {
    expect(() => createRk4Stepper(0)).toThrow(/"size" must be a positive integer: 0/);
    const stepper = createRk4Stepper(2);
    const f: DerivativeFn = (_t, _y, out) => out.fill(0);
    expect(() => stepper.advance(f, 0, new Float64Array(2), -1, 1)).toThrow(/"durationS"/);
    expect(() => stepper.advance(f, 0, new Float64Array(2), 1, 0)).toThrow(/"maxStepS"/);
    try {
      stepper.step(f, 0, new Float64Array(3), 1);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SimulatorError);
      expect((err as SimulatorError).code).toBe('SIM_ERR_INVALID_OPTION');
    }
  });
});

describe('RK4 quadratures', () => {
  it('integrates entries the derivative never reads bit for bit like a full RK4, without their probe values', () => {
    // y0' = −y0 (dynamic), q1' = y0, q2' = t·y0 (quadratures: running integrals).
    const f = (tS: number, y: Float64Array, out: Float64Array): void => {
      out[0] = -y[0]!;
      out[1] = y[0]!;
      out[2] = tS * y[0]!;
    };
    const full = createRk4Stepper(3);
    const quad = createRk4Stepper(3, { quadratureFrom: 1 });
    const a = Float64Array.from([1, 0, 0]);
    const b = Float64Array.from([1, 0, 0]);
    for (let n = 0; n < 100; n++) {
      full.step(f, n * 0.05, a, 0.05);
      quad.step(f, n * 0.05, b, 0.05);
    }
    expect(Array.from(b)).toEqual(Array.from(a));
    // And right: ∫₀⁵ e^(−t) dt = 1 − e^(−5).
    expect(b[1]).toBeCloseTo(1 - Math.exp(-5), 7);
    expect(() => createRk4Stepper(3, { quadratureFrom: 4 })).toThrow(/"quadratureFrom" must be an integer from 0 to 3: 4/);
  });
});

describe('RK4 context', () => {
  it('hands the caller’s context to every stage, so one module-level derivative serves every model instance', () => {
    // y' = −k·y with k in the context: two instances, one derivative function.
    const decay = (_tS: number, y: Float64Array, out: Float64Array, k: { rate: number }): void => {
      out[0] = -k.rate * y[0]!;
    };
    const stepper = createRk4Stepper(1);
    const slow = Float64Array.from([1]);
    const fast = Float64Array.from([1]);
    stepper.advance(decay, 0, slow, 1, 0.01, { rate: 1 });
    stepper.advance(decay, 0, fast, 1, 0.01, { rate: 2 });
    expect(slow[0]).toBeCloseTo(Math.exp(-1), 9);
    expect(fast[0]).toBeCloseTo(Math.exp(-2), 9);
    const seen: unknown[] = [];
    stepper.step((_t, _y, out, context) => {
      seen.push(context);
      out[0] = 0;
    }, 0, slow, 1, 'ctx');
    expect(seen).toEqual(['ctx', 'ctx', 'ctx', 'ctx']);
  });
});
