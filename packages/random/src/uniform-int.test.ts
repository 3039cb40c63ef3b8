import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.js';
import { uniformInt } from './uniform-int.js';

/** Pearson's χ² of bin counts against equal expected counts. */
function chiSquare(counts: readonly number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

describe('uniformInt', () => {
  it('covers [0, n) evenly (χ², 7 bins)', () => {
    const rng = createPrng(1, 0);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[uniformInt(rng, 7)]!++;
    // Every draw landed in a bin 0..6 (an out-of-range k would add a key, an undefined++ gives NaN).
    expect(counts).toHaveLength(7);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(70_000);
    // 6 degrees of freedom: P(χ² > 22.5) < 0.001.
    expect(chiSquare(counts)).toBeLessThan(22.5);
  });

  it('is unbiased for n = 3·2^30, where ⌊u·n⌋ makes multiples of 3 twice as likely', () => {
    const n = 3 * 2 ** 30;
    const draws = 30_000;
    const rejection = [0, 0, 0];
    const scaled = [0, 0, 0];
    const rng = createPrng(11, 0);
    const twin = createPrng(11, 0);
    for (let i = 0; i < draws; i++) {
      rejection[uniformInt(rng, n) % 3]!++;
      scaled[Math.floor(twin.nextFloat() * n) % 3]!++;
    }
    // n is a multiple of 3, so an unbiased draw mod 3 is uniform on {0, 1, 2}.
    // 2 degrees of freedom: P(χ² > 13.8) < 0.001.
    expect(chiSquare(rejection)).toBeLessThan(13.8);
    // ⌊u·n⌋ gives residues with probabilities 1/2, 1/4, 1/4: χ² ≈ draws / 4 — the check catches it.
    expect(chiSquare(scaled)).toBeGreaterThan(1000);
  });

  it('n = 1 gives 0; n = 2^32 gives the raw 32-bit draw', () => {
    const rng = createPrng(3, 0);
    const twin = createPrng(3, 0);
    for (let i = 0; i < 20; i++) {
      expect(uniformInt(rng, 1)).toBe(0);
      twin.nextUint32();
    }
    for (let i = 0; i < 20; i++) expect(uniformInt(rng, 2 ** 32)).toBe(twin.nextUint32());
  });

  it('refuses n outside [1, 2^32] or not an integer', () => {
    const rng = createPrng(0, 0);
    expect(() => uniformInt(rng, 0)).toThrow(/uniformInt: n must be an integer in \[1, 2\^32\], got 0/);
    expect(() => uniformInt(rng, 2.5)).toThrow(/got 2.5/);
    expect(() => uniformInt(rng, 2 ** 32 + 1)).toThrow(/got 4294967297/);
  });
});
