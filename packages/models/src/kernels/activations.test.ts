import { describe, expect, it } from 'vitest';
import { sigmoid, tanh } from './activations.js';

describe('kernel activations', () => {
  it('tanh equals Math.tanh to 1e-15 relative, including tiny, large and infinite inputs', () => {
    const xs = [0, 1e-12, -1e-7, 1e-3, 0.25, -0.7, 1, -3, 8, 19.99, 20, 21, -50, 800, -800];
    for (const x of xs) {
      const expected = Math.tanh(x);
      expect(Math.abs(tanh(x) - expected)).toBeLessThanOrEqual(1e-15 * Math.max(Math.abs(expected), 1e-300));
    }
    expect(tanh(Number.POSITIVE_INFINITY)).toBe(1);
    expect(tanh(Number.NEGATIVE_INFINITY)).toBe(-1);
  });

  it('sigmoid matches 1 / (1 + e^−x) and saturates without NaN', () => {
    for (const x of [-800, -30, -1, 0, 0.5, 4, 800]) {
      const expected = x < 0 ? Math.exp(x) / (1 + Math.exp(x)) : 1 / (1 + Math.exp(-x));
      expect(sigmoid(x)).toBeCloseTo(expected, 15);
    }
  });
});
