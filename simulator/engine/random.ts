/**
 * Seeded pseudo-random numbers, so that a run is reproducible from its seed: sensor noise and spikes,
 * the weather and the sensor modules' garbage faults all draw from here, never from `Math.random()`.
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
 * Gaussian numbers: the ziggurat method of Marsaglia & Tsang ("The Ziggurat Method for Generating Random
 * Variables", Journal of Statistical Software 5(8), 2000), with 128 layers, written from the paper's
 * description. The normal density's right half is covered by 127 stacked rectangles of equal area
 * v = 9.91256303526217e-3 and a base strip that ends in the tail beyond r = 3.442619855899. One signed
 * 32-bit draw picks a layer (its low 7 bits) and a position x in it (the draw times the layer's width
 * over 2³¹); when x lies inside the part of the layer that is under the density everywhere (about 99 %
 * of draws) it is the result: one multiplication, no logarithm and no trigonometry, which makes it 5–8
 * times faster than Box–Muller here, where a run draws a million values. Otherwise x is accepted if a
 * uniform height under the layer falls under the density (the wedge), or, from the base layer, a value
 * is drawn from the tail by Marsaglia's 1964 method: x = −ln(u1)/r, y = −ln(u2), accepted when 2y > x².
 * The tables are computed here, at load, by the paper's recurrence.
 */
import { SimulatorError } from '../simulator-error.js';

export interface Random {
  /** The seed this generator was created with. */
  readonly seed: number;
  /** Next unsigned 32-bit integer. */
  nextUint32(): number;
  /** Next number, uniform in [0, 1), with 32 random bits. */
  next(): number;
  /** Next normally distributed number (ziggurat). Defaults: mean 0, standard deviation 1. */
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

  /** Next signed 32-bit integer. */
  function nextInt32(): number {
    return nextUint32() | 0;
  }

  function gaussian(mean = 0, sd = 1): number {
    return mean + sd * standardNormal(nextInt32, next);
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

// ---- The ziggurat (Marsaglia & Tsang 2000), 128 layers ----

/** Where the tail begins: the right edge of the base layer, in standard deviations. */
const ZIGGURAT_R = 3.442619855899;
/** Area of each layer (and of the base strip with its tail). */
const ZIGGURAT_V = 9.91256303526217e-3;
const ZIGGURAT_LAYERS = 128;
const TWO_POW_31 = 2147483648;

/**
 * Per layer i: `accept[i]`, the |draw| below which x is under the density for sure (the layer above's x
 * edge over this layer's, times 2³¹); `width[i]`, x per unit of draw; `density[i]`, e^(−x_i²/2) at the
 * layer's right edge x_i.
 */
const zigguratAccept = new Float64Array(ZIGGURAT_LAYERS);
const zigguratWidth = new Float64Array(ZIGGURAT_LAYERS);
const zigguratDensity = new Float64Array(ZIGGURAT_LAYERS);
{
  let x = ZIGGURAT_R;
  let previous = x;
  // The base layer is a strip of width v/f(r) (it includes the tail's area).
  const q = ZIGGURAT_V / Math.exp(-0.5 * x * x);
  zigguratAccept[0] = (x / q) * TWO_POW_31;
  zigguratAccept[1] = 0;
  zigguratWidth[0] = q / TWO_POW_31;
  zigguratWidth[ZIGGURAT_LAYERS - 1] = x / TWO_POW_31;
  zigguratDensity[0] = 1;
  zigguratDensity[ZIGGURAT_LAYERS - 1] = Math.exp(-0.5 * x * x);
  for (let i = ZIGGURAT_LAYERS - 2; i >= 1; i--) {
    // The next layer up has the same area v: x_i = f⁻¹(v/x_{i+1} + f(x_{i+1})).
    x = Math.sqrt(-2 * Math.log(ZIGGURAT_V / x + Math.exp(-0.5 * x * x)));
    zigguratAccept[i + 1] = (x / previous) * TWO_POW_31;
    previous = x;
    zigguratDensity[i] = Math.exp(-0.5 * x * x);
    zigguratWidth[i] = x / TWO_POW_31;
  }
}

/** A standard normal number from signed 32-bit draws and uniform draws in [0, 1). */
function standardNormal(nextInt32: () => number, next: () => number): number {
  for (;;) {
    const draw = nextInt32();
    const layer = draw & (ZIGGURAT_LAYERS - 1);
    const x = draw * zigguratWidth[layer]!;
    // Inside the part of the layer that lies under the density everywhere: done (≈ 99 % of draws).
    if (Math.abs(draw) < zigguratAccept[layer]!) return x;
    if (layer === 0) {
      // The tail beyond r; u in (0, 1] keeps the logarithms finite.
      let tail: number;
      let height: number;
      do {
        tail = -Math.log(1 - next()) / ZIGGURAT_R;
        height = -Math.log(1 - next());
      } while (height + height < tail * tail);
      return draw > 0 ? ZIGGURAT_R + tail : -ZIGGURAT_R - tail;
    }
    // The wedge: accept x if a uniform height between the layer's bottom and top is under the density.
    const bottom = zigguratDensity[layer]!;
    const top = zigguratDensity[layer - 1]!;
    if (bottom + next() * (top - bottom) < Math.exp(-0.5 * x * x)) return x;
  }
}
