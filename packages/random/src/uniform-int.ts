import type { Prng } from './prng.js';

const TWO_POW_32 = 4294967296;

/**
 * A uniform integer in [0, n), exactly unbiased, by rejection sampling on 32-bit draws u:
 *
 *     limit = 2^32 − (2^32 mod n);   draw u until u < limit;   return u mod n
 *
 * Each residue then has exactly limit / n preimages. The rejected share is (2^32 mod n) / 2^32 < 1/2, so
 * the expected number of draws is below 2. (⌊u·n⌋ with u = k / 2^32 is biased when n does not divide
 * 2^32: some values get one more preimage than others; at n = 3·2^30 a third of the values are twice as
 * likely as the rest.)
 *
 * @param n an integer in [1, 2^32].
 */
export function uniformInt(rng: Prng, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
    throw new Error(`uniformInt: n must be an integer in [1, 2^32], got ${n}`);
  }
  const limit = TWO_POW_32 - (TWO_POW_32 % n);
  let u = rng.nextUint32();
  while (u >= limit) u = rng.nextUint32();
  return u % n;
}
