import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseTruncation, chooseTruncations } from './truncation.js';

/** Non-increasing δ̂ sequences, possibly with ∞ and 0. */
const relativeBiasArb = fc
  .array(fc.oneof(fc.double({ min: 0, max: 3, noNaN: true }), fc.constant(Infinity)), {
    minLength: 1,
    maxLength: 60,
  })
  .map((values) => Float64Array.from(values.sort((a, b) => b - a)));

describe('chooseTruncation', () => {
  it('is the smallest K with δ̂(K) < δ (brute-force scan), else kmax', () => {
    fc.assert(
      fc.property(relativeBiasArb, fc.double({ min: 1e-6, max: 0.999999, noNaN: true }), (bias, delta) => {
        let expected = bias.length;
        let found = false;
        for (let K = 1; K <= bias.length; K++) {
          if ((bias[K - 1] as number) < delta) {
            expected = K;
            found = true;
            break;
          }
        }
        expect(chooseTruncation(bias, delta)).toBe(found ? expected : bias.length);
        expect(chooseTruncation(bias, delta, { kmax: 1000 })).toBe(found ? expected : 1000);
      }),
      { numRuns: 500 },
    );
  });

  it('clamps to [kmin, kmax]', () => {
    const bias = Float64Array.from([0.9, 0.5, 0.2, 0.05, 0.01]);
    expect(chooseTruncation(bias, 0.3)).toBe(3);
    expect(chooseTruncation(bias, 0.3, { kmin: 4 })).toBe(4);
    expect(chooseTruncation(bias, 0.03, { kmax: 3 })).toBe(3);
    expect(chooseTruncation(bias, 0.001, { kmax: 7 })).toBe(7);
    expect(chooseTruncations(bias, [0.95, 0.3, 0.001])).toEqual([1, 3, 5]);
  });

  it('refuses δ outside (0, 1) and bad bounds, naming the value', () => {
    const bias = Float64Array.from([0.5, 0.1]);
    for (const delta of [0, 1, 1.5, -0.1, Number.NaN]) {
      expect(() => chooseTruncation(bias, delta)).toThrow(`delta must be in (0, 1), got ${delta}`);
    }
    expect(() => chooseTruncation(bias, 0.5, { kmin: 0 })).toThrow(/kmin must be an integer ≥ 1, got 0/);
    expect(() => chooseTruncation(bias, 0.5, { kmin: 5, kmax: 3 })).toThrow(/kmax .* got 3/);
  });
});
