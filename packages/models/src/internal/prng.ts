/**
 * A small seeded pseudo-random generator (sfc32, Chris Doty-Humphrey's "small fast counting" generator:
 * 128 bits of state, period ≥ 2^32, passes PractRand to 2^42 bytes and more). Its whole state is four uint32
 * numbers, so it can be written to a checkpoint as plain data and restored exactly.
 */
export interface Prng {
  /** Next uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Next uniform float in [0, 1) with 32 random bits. */
  nextFloat(): number;
  /** The generator state: four uint32 numbers. */
  getState(): number[];
  /** Restores a state returned by getState(). */
  setState(state: readonly number[]): void;
}

const STATE_LENGTH = 4;
const TWO_POW_32 = 4294967296;

/** splitmix32 step: spreads a seed over 32 bits so that nearby seeds give unrelated streams. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Derives the 4-word initial state from a seed (any finite number; it is hashed in 32-bit pieces) and a
 * stream number, so one model seed can feed independent streams (initialiser, dropout).
 */
export function seedState(seed: number, stream = 0): number[] {
  if (!Number.isFinite(seed)) {
    throw new Error(`seedState: seed must be a finite number, got ${seed}`);
  }
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  let x = splitmix32(low ^ splitmix32(high ^ splitmix32(stream)));
  const state: number[] = [];
  for (let i = 0; i < STATE_LENGTH; i++) {
    x = splitmix32(x + i);
    state.push(x);
  }
  return state;
}

/** Creates an sfc32 generator seeded from `seed` and `stream` (see {@link seedState}). */
export function createPrng(seed: number, stream = 0): Prng {
  let [a, b, c, d] = seedState(seed, stream) as [number, number, number, number];
  const nextUint32 = (): number => {
    // sfc32: t = a + b + d; d++; a = b ^ (b >>> 9); b = c + (c << 3); c = rotl(c, 21) + t.
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up: the first outputs of a counting generator are correlated with the seed words.
  for (let i = 0; i < 12; i++) nextUint32();
  return {
    nextUint32,
    nextFloat: () => nextUint32() / TWO_POW_32,
    getState: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
    setState(state: readonly number[]) {
      if (
        !Array.isArray(state) ||
        state.length !== STATE_LENGTH ||
        !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)
      ) {
        throw new Error(
          `setRngState: state must be ${STATE_LENGTH} integers in [0, 2^32) as returned by getRngState(), ` +
            `got ${JSON.stringify(state)}`,
        );
      }
      [a, b, c, d] = state.map((w) => w | 0) as [number, number, number, number];
    },
  };
}

/** A uniform integer in [0, n) (n ≤ 2^32). */
export function uniformInt(rng: Prng, n: number): number {
  return Math.floor(rng.nextFloat() * n);
}

/** One standard normal draw (Box–Muller; the pair's second value is discarded). */
export function standardNormal(rng: Prng): number {
  // 1 - u is in (0, 1], so the log is finite.
  const radius = Math.sqrt(-2 * Math.log(1 - rng.nextFloat()));
  return radius * Math.cos(2 * Math.PI * rng.nextFloat());
}

/** Fills `out` with uniform floats in [low, high). */
export function fillUniform(rng: Prng, out: Float32Array, low: number, high: number): Float32Array {
  const width = high - low;
  for (let i = 0; i < out.length; i++) out[i] = low + width * rng.nextFloat();
  return out;
}

/** Fills `out` with standard normal draws (Box–Muller on two uniforms per pair). */
export function fillNormal(rng: Prng, out: Float32Array, mean = 0, std = 1): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    // 1 - u is in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - rng.nextFloat()));
    const angle = 2 * Math.PI * rng.nextFloat();
    out[i] = mean + std * radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = mean + std * radius * Math.sin(angle);
  }
  return out;
}
