import { describe, expect, it } from 'vitest';
import { gapDensityMean, gapNegativeLogDensity } from './gap-density';

/** Brute force in the gap itself: trapezoid of τ f(τ) on a uniform grid of `n` intervals over [0, h]. */
function bruteMean(b: number, w: number, h: number, n = 400_000): number {
  const density = (t: number) => Math.exp(-gapNegativeLogDensity(b, w, t));
  let sum = 0;
  const dt = h / n;
  for (let i = 0; i <= n; i++) {
    const t = i * dt;
    sum += (i === 0 || i === n ? 0.5 : 1) * t * density(t);
  }
  return sum * dt;
}

describe('gapDensityMean', () => {
  it('w → 0: exponential gaps, mean 1/λ (and the truncated closed form with a horizon)', () => {
    for (const b of [-3, 0, 2.5, 6.7]) {
      const lambda = Math.exp(b);
      for (const w of [0, 1e-13, -1e-13]) {
        // (|w|/λ² ≤ 4e-11: the mean moves by about that relative amount, below the tolerance)
        expect(Math.abs(gapDensityMean(b, w) * lambda - 1)).toBeLessThan(1e-8);
        const h = 1.7 / lambda;
        const truncated = (1 - Math.exp(-lambda * h) * (1 + lambda * h)) / lambda;
        expect(Math.abs(gapDensityMean(b, w, { horizon: h }) - truncated)).toBeLessThan(1e-9 / lambda);
      }
    }
  });

  it('w ≠ 0: agrees with brute-force integration of τ f(τ)', () => {
    const cases: [number, number, number][] = [
      [0, 0.8, 30], // intensity grows
      [-1, 2.5, 20],
      [1, -0.5, 12], // intensity fades: the mean over [0, h] only
      [0.5, -3, 5],
      [6.7, 5, 0.02], // Book Order's scale
    ];
    for (const [b, w, h] of cases) {
      const want = bruteMean(b, w, h);
      expect(Math.abs(gapDensityMean(b, w, { horizon: h }) - want)).toBeLessThan(1e-7 * Math.max(want, 1e-3));
    }
  });

  it('without a horizon: finite for w ≥ 0 (equal to a long horizon), infinite for w < 0', () => {
    expect(gapDensityMean(0.2, 0.7)).toBeCloseTo(bruteMean(0.2, 0.7, 40), 7);
    expect(gapDensityMean(0.2, -0.7)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(gapDensityMean(Number.NaN, 1))).toBe(true);
    expect(() => gapDensityMean(0, 1, { horizon: 0 })).toThrow('gapDensityMean: horizon must be > 0, got 0');
  });
});
