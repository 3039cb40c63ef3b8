/**
 * A small seeded pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018) with its
 * 128-bit state filled by splitmix32 from a (seed, stream) pair. 32-bit integer math only
 * (`Math.imul`, `>>>`), so the same seed gives the same numbers on every JavaScript engine.
 *
 * `stream` selects an independent sequence for the same seed (the synthetic tasks give
 * each batch column its own stream, so column b's data does not depend on the batch size).
 */
export interface Prng {
  /** Next uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Next uniform float in [0, 1) with 32 bits of resolution. */
  nextFloat(): number;
  /** Next uniform integer in [0, n), unbiased (rejection sampling); n in [1, 2^32]. */
  nextInt(n: number): number;
}

const TWO_POW_32 = 4294967296;

/** splitmix32 step: advances `state[0]` by the golden-ratio increment and returns a mixed 32-bit value. */
function splitMix32(state: Uint32Array): number {
  state[0] = (state[0]! + 0x9e3779b9) >>> 0;
  let z = state[0]!;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * xoshiro128** from an explicit 128-bit state (four 32-bit words, not all zero).
 * Exposed for tests that check the generator against the reference algorithm.
 */
export function xoshiro128ss(s0: number, s1: number, s2: number, s3: number): Prng {
  if ((s0 | s1 | s2 | s3) === 0) {
    throw new Error('xoshiro128ss: the state must not be all zero; seed it through createPrng');
  }
  let a = s0 | 0;
  let b = s1 | 0;
  let c = s2 | 0;
  let d = s3 | 0;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    nextUint32,
    nextFloat: () => nextUint32() / TWO_POW_32,
    nextInt(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
        throw new Error(`Prng.nextInt: n must be an integer in [1, 2^32], got ${n}`);
      }
      // Reject the top partial block so every residue is equally likely.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let u = nextUint32();
      while (u >= limit) u = nextUint32();
      return u % n;
    },
  };
}

/**
 * A generator for `seed` (any safe integer) and `stream` (a non-negative integer selecting
 * an independent sequence). Same (seed, stream) → same sequence.
 */
export function createPrng(seed: number, stream = 0): Prng {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`createPrng: seed must be a safe integer, got ${seed}`);
  }
  if (!Number.isSafeInteger(stream) || stream < 0) {
    throw new Error(`createPrng: stream must be a non-negative safe integer, got ${stream}`);
  }
  // Fold the high bits of the seed and the stream index into the splitmix32 state.
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  const state = new Uint32Array([seed >>> 0]);
  state[0] = (state[0]! ^ Math.imul(high, 0x27d4eb2d)) >>> 0;
  splitMix32(state);
  state[0] = (state[0]! ^ Math.imul(stream >>> 0, 0x165667b1) ^ Math.floor(stream / TWO_POW_32)) >>> 0;
  const words = [splitMix32(state), splitMix32(state), splitMix32(state), splitMix32(state)] as const;
  // splitmix32 is a bijection of its counter, so four consecutive outputs are never all zero
  // in practice; guard anyway.
  if ((words[0] | words[1] | words[2] | words[3]) === 0) return xoshiro128ss(1, 2, 3, 4);
  return xoshiro128ss(words[0], words[1], words[2], words[3]);
}
