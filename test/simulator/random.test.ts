import { describe, expect, it } from 'vitest';
import { createRandom, createRandomFromState, deriveSeed } from '../../simulator/engine/random.js';

describe('seeded random', () => {
  it('matches the xoshiro128** reference (C, uint32_t) from a given state', () => {
    // Reference values from the C algorithm with s = {1, 2, 3, 4}.
    const r = createRandomFromState([1, 2, 3, 4]);
    expect([1, 2, 3, 4, 5, 6].map(() => r.nextUint32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492,
    ]);
    // And the 1001st output from s = {0xdeadbeef, 0x12345678, 0xffffffff, 0x80000000}.
    const s = createRandomFromState([0xdeadbeef, 0x12345678, 0xffffffff, 0x80000000]);
    for (let i = 0; i < 1000; i++) s.nextUint32();
    expect(s.nextUint32()).toBe(4243292497);
  });

  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 100 }, () => a.next());
    const seqB = Array.from({ length: 100 }, () => b.next());
    const seqC = Array.from({ length: 100 }, () => c.next());
    expect(seqB).toEqual(seqA);
    expect(seqC).not.toEqual(seqA);
    expect(createRandom(0).nextUint32()).not.toBe(0); // seed 0 is a valid seed
  });

  it('draws uniform numbers in [0, 1) with the right mean and variance', () => {
    const r = createRandom(7);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      sum += u;
      sumSq += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = sum / n;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 2);
  });

  it('draws gaussian numbers with the requested mean and standard deviation', () => {
    const r = createRandom(11);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const z = r.gaussian(5, 2);
      sum += z;
      sumSq += z * z;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sumSq / n - mean * mean);
    expect(mean).toBeCloseTo(5, 1);
    expect(sd).toBeGreaterThan(1.97);
    expect(sd).toBeLessThan(2.03);
  });

  it("has the normal distribution's shape: the ziggurat's layers, wedges and tail", () => {
    const r = createRandom(12);
    const n = 400_000;
    // Two-sided probabilities of the standard normal distribution: P(|z| < k), and beyond the ziggurat's
    // tail start r = 3.4426 (where the base layer hands over to the tail sampler).
    const within = [
      { k: 0.25, p: 0.197413 },
      { k: 0.5, p: 0.382925 },
      { k: 1, p: 0.682689 },
      { k: 2, p: 0.954500 },
      { k: 3, p: 0.997300 },
    ];
    const counts = within.map(() => 0);
    let tail = 0;
    let positive = 0;
    let m3 = 0;
    let m4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.gaussian();
      const a = Math.abs(z);
      within.forEach(({ k }, j) => {
        if (a < k) counts[j]!++;
      });
      if (a > 3.442619855899) tail++;
      if (z > 0) positive++;
      m3 += z * z * z;
      m4 += z * z * z * z;
    }
    within.forEach(({ p }, j) => {
      // Within 4 standard errors of the binomial count.
      const se = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(counts[j]! / n - p)).toBeLessThan(4 * se);
    });
    const pTail = 0.000576;
    expect(Math.abs(tail / n - pTail)).toBeLessThan(4 * Math.sqrt((pTail * (1 - pTail)) / n));
    expect(Math.abs(positive / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    // Skewness 0 and kurtosis 3.
    expect(Math.abs(m3 / n)).toBeLessThan(0.03);
    expect(Math.abs(m4 / n - 3)).toBeLessThan(0.06);
  });

  it('derives independent, reproducible stream seeds', () => {
    expect(deriveSeed(1, 'o2')).toBe(deriveSeed(1, 'o2'));
    expect(deriveSeed(1, 'o2')).not.toBe(deriveSeed(1, 'co2'));
    expect(deriveSeed(1, 'o2')).not.toBe(deriveSeed(2, 'o2'));
  });

  it('rejects a non-integer seed and an all-zero state', () => {
    expect(() => createRandom(1.5)).toThrow(/"seed" must be an integer: 1.5/);
    expect(() => createRandomFromState([0, 0, 0, 0])).toThrow(/not all zero/);
  });
});
