import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exp, sigmoid, tanh } from './activations.js';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('kernel activations', () => {
  it('exp equals Math.exp to 1e-8 relative over its normal range, with exact edges', () => {
    fc.assert(
      fc.property(fc.double({ min: -708.3, max: 709.4, noNaN: true }), (x) => {
        return relative(exp(x), Math.exp(x)) < 1e-8;
      }),
      { numRuns: 20000 },
    );
    expect(exp(0)).toBe(1);
    expect(exp(710)).toBe(Number.POSITIVE_INFINITY);
    expect(exp(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    for (const x of [709.5, 709.78, -708.5, -745]) expect(exp(x)).toBe(Math.exp(x));
    expect(exp(-746)).toBe(0);
    expect(exp(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(exp(Number.NaN)).toBeNaN();
  });

  it('tanh equals Math.tanh to 1e-8 relative, through the polynomial/exponential switch and saturation', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 30, noNaN: true }),
        (x) => relative(tanh(x), Math.tanh(x)) < 1e-8,
      ),
      { numRuns: 20000 },
    );
    for (const x of [0, 1e-12, -1e-7, 0.2499999, 0.25, -0.25, 0.5, 19.9, 800, -800]) {
      expect(relative(tanh(x), Math.tanh(x))).toBeLessThan(1e-8);
    }
    expect(tanh(Number.POSITIVE_INFINITY)).toBe(1);
    expect(tanh(Number.NEGATIVE_INFINITY)).toBe(-1);
  });

  it('sigmoid equals the logistic function to 1e-8 relative and saturates without NaN', () => {
    fc.assert(
      fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (x) => {
        const expected = x < 0 ? Math.exp(x) / (1 + Math.exp(x)) : 1 / (1 + Math.exp(-x));
        return relative(sigmoid(x), expected) < 1e-8;
      }),
      { numRuns: 20000 },
    );
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
  });
});
