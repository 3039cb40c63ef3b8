import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateLogBeta } from './decay-rate.js';

const logGeometric = (beta: number, window: number, logScale = 0) =>
  Float64Array.from({ length: window }, (_, k) => logScale + k * Math.log(beta));

describe('estimateLogBeta', () => {
  it.each(['ols', 'max', 'quantile'] as const)(
    'recovers β of an exact geometric profile (%s)',
    (estimator) => {
      for (const beta of [0.5, 0.9, 0.99]) {
        // τ where log φ_τ is still above the −50 floor (0.5^360 ≈ 1e−108 is below any float32 adjoint).
        const tau = Math.min(360, Math.floor(40 / -Math.log(beta)));
        const logBeta = estimateLogBeta(logGeometric(beta, 400, 3), { estimator, tau });
        expect(Math.exp(logBeta)).toBeCloseTo(beta, 9);
      }
    },
  );

  it('ols is the least-squares slope over [fitFrom, W), checked against the normal equations', () => {
    // log φ = 2 − 0.1 k for k < 10, then −1 − 0.3 (k − 10): two regimes; fit only the second one.
    const logPhi = Float64Array.from({ length: 30 }, (_, k) => (k < 10 ? 2 - 0.1 * k : -1 - 0.3 * (k - 10)));
    expect(estimateLogBeta(logPhi, { estimator: 'ols', tau: 0, fitFrom: 10 })).toBeCloseTo(-0.3, 12);
    // Whole range: slope = cov(k, y) / var(k), computed here from sums.
    const n = logPhi.length;
    let sk = 0;
    let sy = 0;
    let skk = 0;
    let sky = 0;
    logPhi.forEach((y, k) => {
      sk += k;
      sy += y;
      skk += k * k;
      sky += k * y;
    });
    const expected = (n * sky - sk * sy) / (n * skk - sk * sk);
    expect(estimateLogBeta(logPhi, { estimator: 'ols', tau: 0 })).toBeCloseTo(expected, 12);
  });

  it('ols skips lags with log φ < −50 and answers 0 (β = 1) with fewer than two usable lags', () => {
    const logPhi = Float64Array.from([0, -1, -2, -60, Number.NEGATIVE_INFINITY, -5]);
    // usable: (0,0), (1,-1), (2,-2), (5,-5): all on slope −1.
    expect(estimateLogBeta(logPhi, { estimator: 'ols', tau: 0 })).toBeCloseTo(-1, 12);
    const single = Float64Array.from([0, -70, Number.NEGATIVE_INFINITY]);
    expect(estimateLogBeta(single, { estimator: 'ols', tau: 0 })).toBe(0);
  });

  it('max is the largest average slope from τ', () => {
    // From τ = 2 (log φ = 0): slopes to k = 3, 4, 5 are −2, −0.5, −1 → max −0.5.
    const logPhi = Float64Array.from([5, 3, 0, -2, -1, -3]);
    expect(estimateLogBeta(logPhi, { estimator: 'max', tau: 2 })).toBeCloseTo(-0.5, 12);
  });

  it('quantile 0 and 1 are the smallest and largest pairwise slopes on [τ, W)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 5, noNaN: true }), { minLength: 3, maxLength: 25 }),
        (values) => {
          const logPhi = Float64Array.from(values);
          const tau = 1;
          const slopes: number[] = [];
          for (let i = tau; i < values.length; i++)
            for (let j = i + 1; j < values.length; j++)
              slopes.push(((values[j] as number) - (values[i] as number)) / (j - i));
          const lo = estimateLogBeta(logPhi, { estimator: 'quantile', tau, quantile: 0 });
          const hi = estimateLogBeta(logPhi, { estimator: 'quantile', tau, quantile: 1 });
          expect(lo).toBeCloseTo(Math.min(...slopes), 9);
          expect(hi).toBeCloseTo(Math.max(...slopes), 9);
          const mid = estimateLogBeta(logPhi, { estimator: 'quantile', tau });
          expect(mid).toBeGreaterThanOrEqual(lo - 1e-12);
          expect(mid).toBeLessThanOrEqual(hi + 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses τ outside [0, W − 2], an unknown estimator and a quantile outside [0, 1]', () => {
    const logPhi = logGeometric(0.9, 10);
    expect(() => estimateLogBeta(logPhi, { estimator: 'max', tau: 9 })).toThrow(/tau must be .* got 9/);
    expect(() => estimateLogBeta(logPhi, { estimator: 'ols', tau: 0, fitFrom: 9 })).toThrow(/fitFrom/);
    expect(() => estimateLogBeta(logPhi, { estimator: 'median' as 'max', tau: 2 })).toThrow(/"median"/);
    expect(() => estimateLogBeta(logPhi, { estimator: 'quantile', tau: 2, quantile: 1.5 })).toThrow(
      /quantile must be in \[0, 1\], got 1.5/,
    );
  });
});
