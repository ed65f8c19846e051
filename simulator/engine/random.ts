/**
 * Seeded pseudo-random numbers, so that a run is reproducible from its seed: sensor noise and, later,
 * fault timing all draw from here, never from `Math.random()`.
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
 * 2021; public-domain reference description at prng.di.unimi.it), 128 bits of state in four 32-bit words,
 * period 2¹²⁸ − 1. Written here from that description:
 *
 *     result = rotl(s1 · 5, 7) · 9
 *     t = s1 << 9
 *     s2 ^= s0;  s3 ^= s1;  s1 ^= s2;  s0 ^= s3
 *     s2 ^= t
 *     s3 = rotl(s3, 11)
 *
 * Seeding: the authors advise filling the state from a different generator; a 32-bit seed is expanded
 * through a Weyl sequence (step 0x9E3779B9) and the 32-bit MurmurHash3 finaliser, which never yields the
 * forbidden all-zero state from four consecutive draws.
 *
 * Gaussian numbers: the Box–Muller transform, z0 = √(−2 ln u1)·cos(2π u2), z1 = √(−2 ln u1)·sin(2π u2);
 * the second value of each pair is kept for the next call.
 */
import { SimulatorError } from '../simulator-error.js';

export interface Random {
  /** The seed this generator was created with. */
  readonly seed: number;
  /** Next unsigned 32-bit integer. */
  nextUint32(): number;
  /** Next number, uniform in [0, 1), with 32 random bits. */
  next(): number;
  /** Next normally distributed number (Box–Muller). Defaults: mean 0, standard deviation 1. */
  gaussian(mean?: number, sd?: number): number;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** MurmurHash3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Creates a generator from a seed (an integer; it is reduced to 32 bits). Same seed, same sequence, on
 * every platform: only 32-bit integer arithmetic is involved until the final scaling to [0, 1).
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"seed" must be an integer: ${seed}`);
  }
  let weyl = seed >>> 0;
  const draw = (): number => {
    weyl = (weyl + 0x9e3779b9) >>> 0;
    return fmix32(weyl);
  };
  return fromWords(seed, [draw(), draw(), draw(), draw()]);
}

/**
 * Creates a generator whose state is given directly as four 32-bit words, not all zero. For checking
 * against the reference implementation; everyone else uses `createRandom(seed)`. Its `seed` reads NaN.
 */
export function createRandomFromState(words: readonly [number, number, number, number]): Random {
  if (words.some((w) => !Number.isInteger(w)) || words.every((w) => w >>> 0 === 0)) {
    throw new SimulatorError('SIM_ERR_INVALID_OPTION', `"words" must be four integers, not all zero: ${words.join(',')}`);
  }
  return fromWords(NaN, words);
}

function fromWords(seed: number, words: readonly [number, number, number, number]): Random {
  let s0 = words[0] | 0;
  let s1 = words[1] | 0;
  let s2 = words[2] | 0;
  let s3 = words[3] | 0;
  let spare = 0;
  let hasSpare = false;

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  }

  function next(): number {
    return nextUint32() / 4294967296;
  }

  function gaussian(mean = 0, sd = 1): number {
    if (hasSpare) {
      hasSpare = false;
      return mean + sd * spare;
    }
    // u1 in (0, 1] so that the logarithm is finite.
    const u1 = 1 - next();
    const u2 = next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    spare = radius * Math.sin(angle);
    hasSpare = true;
    return mean + sd * radius * Math.cos(angle);
  }

  return { seed, nextUint32, next, gaussian };
}

/**
 * A seed for an independent stream called `stream`, derived from a run's seed (FNV-1a over the name,
 * mixed with the seed through the MurmurHash3 finaliser). Each sensor draws from its own stream, so adding
 * a sensor or reading one more often does not change what the others read.
 */
export function deriveSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32((h ^ fmix32(seed >>> 0)) >>> 0);
}
