import { describe, expect, it } from 'vitest';
import { SimulatorError, type DerivativeFn } from '../../simulator/index.js';
import { createDopri5Stepper } from '../../simulator/engine/dopri5.js';

// y' = −y/τ, y(0) = 1  →  y(t) = e^(−t/τ)
const tauS = 2;
const decay: DerivativeFn = (_t, y, out) => {
  out[0] = -y[0]! / tauS;
};

describe('Dormand–Prince 5(4) stepper', () => {
  it('meets its tolerance on exponential decay, and a tighter tolerance gives a smaller error', () => {
    const errorAt = (relTol: number): { error: number; steps: number } => {
      const stepper = createDopri5Stepper(1, { relTol, absTol: relTol * 1e-3, initialStepS: 0.01 });
      const y = Float64Array.of(1);
      stepper.advance(decay, 0, y, 5);
      return { error: Math.abs(y[0]! - Math.exp(-5 / tauS)), steps: stepper.accepted };
    };
    const loose = errorAt(1e-5);
    const tight = errorAt(1e-9);
    expect(loose.error).toBeLessThan(1e-5 * Math.exp(-5 / tauS) * 10);
    expect(tight.error).toBeLessThan(1e-9 * Math.exp(-5 / tauS) * 10);
    expect(tight.error).toBeLessThan(loose.error / 100);
    // A tighter tolerance costs steps: about (10⁴)^(1/5) ≈ 6 times as many for a fifth-order method.
    expect(tight.steps / loose.steps).toBeGreaterThan(3);
    expect(tight.steps / loose.steps).toBeLessThan(10);
  });

  it('is fifth order: with every step accepted at a fixed length, halving it cuts the error ~32×', () => {
    // x'' = −ω²x as [x, v]: x = cos ωt.
    const omega = 3;
    const oscillator: DerivativeFn = (_t, y, out) => {
      out[0] = y[1]!;
      out[1] = -omega * omega * y[0]!;
    };
    const errorAt = (h: number): number => {
      // A huge tolerance accepts every step; maxStepS fixes its length.
      const stepper = createDopri5Stepper(2, { relTol: 1e6, absTol: 1e6, initialStepS: h });
      const y = Float64Array.of(1, 0);
      let t = 0;
      for (let n = 0; n < Math.round(2 / h); n++) t += stepper.step(oscillator, t, y, h);
      expect(t).toBeCloseTo(2, 12);
      return Math.abs(y[0]! - Math.cos(omega * 2));
    };
    const errors = [0.05, 0.025, 0.0125].map(errorAt);
    expect(Math.log2(errors[0]! / errors[1]!)).toBeGreaterThan(4.7);
    expect(Math.log2(errors[1]! / errors[2]!)).toBeGreaterThan(4.8);
    expect(Math.log2(errors[1]! / errors[2]!)).toBeLessThan(5.3);
  });

  it('takes long steps while the fast mode is idle and short ones only while it acts', () => {
    // A slow decay (τ = 1 h) with a fast mode (τ down to 2 s) that acts only between t = 1000 s and 1100 s,
    // faded in and out smoothly, as a pallet cover's pressure relaxes through its leak only while its
    // breather bag is at a limit.
    const strength = (t: number): number => (t > 1000 && t < 1100 ? Math.sin((Math.PI * (t - 1000)) / 100) ** 2 : 0);
    const fast: DerivativeFn = (t, y, out) => {
      out[0] = -y[0]! / 3600;
      out[1] = (-strength(t) * (y[1]! - y[0]!)) / 2;
    };
    const stepper = createDopri5Stepper(2, { relTol: 1e-6, absTol: 1e-9, initialStepS: 1 });
    const y = Float64Array.of(1, 0);
    const lengths: Array<{ t: number; h: number }> = [];
    let t = 0;
    while (t < 2000 - 1e-9) {
      const h = stepper.step(fast, t, y, Math.min(60, 2000 - t));
      lengths.push({ t, h });
      t += h;
    }
    expect(y[0]).toBeCloseTo(Math.exp(-2000 / 3600), 8);
    const before = lengths.filter((s) => s.t + s.h <= 1000);
    const during = lengths.filter((s) => s.t >= 1030 && s.t + s.h <= 1070);
    // Capped at 60 s while only the slow mode acts; a few seconds while the fast one does.
    expect(Math.max(...before.map((s) => s.h))).toBe(60);
    expect(Math.max(...during.map((s) => s.h))).toBeLessThan(8);
    // Far fewer steps than a fixed step below the fast time constant (1 s) would take: 2000.
    expect(stepper.accepted).toBeLessThan(200);
    // Entering the fast phase with long steps forces rejections; and y1 has been pulled towards y0.
    expect(stepper.rejected).toBeGreaterThan(0);
    expect(y[1]).toBeGreaterThan(0.9 * y[0]!);
  });

  it('advance: steps capped by maxStepS, afterStep after each, the last ending on the end exactly', () => {
    const stepper = createDopri5Stepper(1, { relTol: 1e-3, absTol: 1e-6, initialStepS: 1 });
    const y = Float64Array.of(1);
    const seen: Array<[number, number]> = [];
    const end = stepper.advance(decay, 0, y, 100, undefined, { maxStepS: 7, afterStep: (t, h) => seen.push([t, h]) });
    expect(end).toBe(100);
    expect(seen.length).toBe(stepper.accepted);
    expect(Math.max(...seen.map(([, h]) => h))).toBeLessThanOrEqual(7);
    expect(seen.at(-1)![0]).toBeCloseTo(100, 9);
    // Each step ends where the next begins.
    seen.forEach(([t, h], i) => expect(t - h).toBeCloseTo(i === 0 ? 0 : seen[i - 1]![0], 9));
    expect(y[0]).toBeCloseTo(Math.exp(-100 / tauS), 6);
    expect(() => stepper.advance(decay, 0, y, 1, undefined, { maxStepS: 0 })).toThrow(/"maxStepS"/);
  });

  it('integrates quadratures with the fifth-order weights, without probe values', () => {
    // y0' = −y0 (read), y1' = y0 (a quadrature: never read)  →  y1(t) = 1 − e^(−t).
    const seen: number[] = [];
    const f: DerivativeFn = (_t, y, out) => {
      seen.push(y[1]!);
      out[0] = -y[0]!;
      out[1] = y[0]!;
    };
    const stepper = createDopri5Stepper(2, { quadratureFrom: 1, relTol: 1e-10, absTol: 1e-12, initialStepS: 0.01 });
    const y = Float64Array.of(1, 0);
    stepper.advance(f, 0, y, 3);
    expect(y[1]).toBeCloseTo(1 - Math.exp(-3), 9);
    // The probe's quadrature entry is never built: the derivative only ever sees its initial 0.
    expect(new Set(seen.slice(1))).toEqual(new Set([0]));
  });

  it('reuses the last stage as the next first stage unless told the state changed', () => {
    let calls = 0;
    const f: DerivativeFn = (_t, y, out) => {
      calls++;
      out[0] = -y[0]!;
    };
    const stepper = createDopri5Stepper(1, { relTol: 1e6, absTol: 1e6, initialStepS: 0.1 });
    const y = Float64Array.of(1);
    stepper.step(f, 0, y, 0.1);
    expect(calls).toBe(7);
    stepper.step(f, 0.1, y, 0.1);
    expect(calls).toBe(13);
    // A discrete event changes the state: the kept stage is stale.
    y[0] = 5;
    stepper.invalidate();
    stepper.step(f, 0.2, y, 0.1);
    expect(calls).toBe(20);
    expect(y[0]).toBeCloseTo(5 * Math.exp(-0.1), 6);
  });

  it('throws a named error instead of stalling when the step would fall below its minimum', () => {
    const blowUp: DerivativeFn = (_t, y, out) => {
      out[0] = y[0]! > 1.5 ? NaN : 1e9 * y[0]!;
    };
    const stepper = createDopri5Stepper(1, { minStepS: 1e-6, initialStepS: 1 });
    const y = Float64Array.of(1);
    let error: unknown;
    try {
      stepper.advance(blowUp, 0, y, 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimulatorError);
    expect((error as SimulatorError).code).toBe('SIM_ERR_STEP_TOO_SMALL');
    expect((error as SimulatorError).message).toMatch(/minStepS/);
  });

  it('rejects bad options with a message naming them', () => {
    expect(() => createDopri5Stepper(0)).toThrow(/"size"/);
    expect(() => createDopri5Stepper(2, { relTol: 0 })).toThrow(/"relTol"/);
    expect(() => createDopri5Stepper(2, { absTol: [1e-9] })).toThrow(/"absTol" must have 2 entries/);
    expect(() => createDopri5Stepper(2, { quadratureFrom: 3 })).toThrow(/"quadratureFrom"/);
    const stepper = createDopri5Stepper(1);
    expect(() => stepper.step(decay, 0, new Float64Array(2), 1)).toThrow(/length 2/);
    expect(() => stepper.step(decay, 0, new Float64Array(1), -1)).toThrow(/"maxStepS"/);
  });
});
