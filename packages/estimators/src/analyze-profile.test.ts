import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeProfile, defaultTau } from './analyze-profile.js';
import { EstimatorInputError, ZeroProfileError } from './errors.js';

const geometric = (beta: number, window: number) =>
  Float64Array.from({ length: window }, (_, k) => beta ** k);
const profileOf = (phi: Float64Array | number[]) => ({ phi, samples: 8, averaging: 'norm' as const });

/** Non-increasing, non-negative profiles with at least one positive value. */
const decreasingProfileArb = fc
  .array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 2, maxLength: 80 })
  .filter((values) => values.some((v) => v > 0))
  .map((values) => Float64Array.from(values.sort((a, b) => b - a)));

describe('analyzeProfile closed forms (φ_k = 0.9^k, W = 400)', () => {
  const analysis = analyzeProfile(profileOf(geometric(0.9, 400)));

  it('estimates β̂ = 0.9 and uses τ = W − ⌊W/10⌋', () => {
    expect(Math.abs(analysis.beta - 0.9)).toBeLessThan(1e-9);
    expect(analysis.tau).toBe(360);
    expect(analysis.window).toBe(400);
  });

  it('gives κ̂ = ⌈ln δ / ln β⌉: 2, 7, 22, 44 for δ = 0.9, 0.5, 0.1, 0.01', () => {
    expect(analysis.truncationsFor([0.9, 0.5, 0.1, 0.01])).toEqual([2, 7, 22, 44]);
    expect(analysis.truncationFor(0.1)).toBe(22);
  });

  it.each(['max', 'quantile'] as const)('the %s estimator gives the same κ̂', (estimator) => {
    const other = analyzeProfile(profileOf(geometric(0.9, 400)), { estimator });
    expect(Math.abs(other.beta - 0.9)).toBeLessThan(1e-9);
    expect(other.truncationsFor([0.9, 0.5, 0.1, 0.01])).toEqual([2, 7, 22, 44]);
  });
});

describe('analyzeProfile laws', () => {
  it('κ̂ = ⌈ln δ / ln β⌉ for exact geometric profiles with W ≫ 1/(1 − β)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.3, max: 0.97, noNaN: true }),
        fc.double({ min: 0.001, max: 0.9, noNaN: true }),
        (beta, delta) => {
          const ratio = Math.log(delta) / Math.log(beta);
          fc.pre(Math.abs(ratio - Math.round(ratio)) > 1e-6); // ties at an integer are decided by rounding
          const analysis = analyzeProfile(profileOf(geometric(beta, 800)), { tau: 600 });
          expect(analysis.truncationFor(delta)).toBe(Math.max(1, Math.ceil(ratio)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('δ̂(K) is non-increasing in K for every non-increasing profile, estimator and τ', () => {
    fc.assert(
      fc.property(
        decreasingProfileArb,
        fc.constantFrom('ols', 'max', 'quantile'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (phi, estimator, tauFraction) => {
          const tau = Math.min(phi.length - 2, Math.floor(tauFraction * (phi.length - 1)));
          const { relativeBias, absoluteBias } = analyzeProfile(profileOf(phi), { estimator, tau });
          for (let K = 1; K < phi.length; K++) {
            expect(relativeBias[K] as number).toBeLessThanOrEqual(relativeBias[K - 1] as number);
            expect(absoluteBias[K] as number).toBeLessThanOrEqual(absoluteBias[K - 1] as number);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('κ̂(δ) is the smallest K that meets δ, within the bounds', () => {
    fc.assert(
      fc.property(
        decreasingProfileArb,
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.integer({ min: 1, max: 10 }),
        (phi, delta, kmin) => {
          const analysis = analyzeProfile(profileOf(phi));
          const kmax = kmin + 20;
          const K = analysis.truncationFor(delta, { kmin, kmax });
          const meets = (k: number) => (analysis.relativeBias[k - 1] as number) < delta;
          const first = Array.from({ length: phi.length }, (_, i) => i + 1).find(meets);
          if (first === undefined) expect(K).toBe(kmax);
          else expect(K).toBe(Math.min(kmax, Math.max(kmin, first)));
          if (first !== undefined && K === first) for (let k = 1; k < K; k++) expect(meets(k)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a profile exactly 0 beyond lag L gives κ̂ ≤ L + 1 for any δ', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.array(fc.double({ min: 1e-6, max: 10, noNaN: true }), { minLength: 61, maxLength: 61 }),
        fc.double({ min: 1e-6, max: 0.999, noNaN: true }),
        fc.constantFrom('ols', 'max', 'quantile'),
        (L, values, delta, estimator) => {
          const window = 100; // default τ = 90 > L
          const phi = new Float64Array(window);
          for (let k = 0; k <= L; k++) phi[k] = values[k] as number;
          const analysis = analyzeProfile(profileOf(phi), { estimator });
          expect(analysis.truncationFor(delta)).toBeLessThanOrEqual(L + 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('analyzeProfile edge cases and bad input', () => {
  it('a flat profile has β̂ = 1 and gives κ̂ = K_max', () => {
    const analysis = analyzeProfile(profileOf(new Float64Array(50).fill(0.3)));
    expect(analysis.beta).toBe(1);
    expect(analysis.truncationFor(0.1, { kmin: 2, kmax: 100 })).toBe(100);
    expect(analysis.truncationFor(0.1)).toBe(50);
  });

  it('an all-zero profile is a ZeroProfileError', () => {
    expect(() => analyzeProfile(profileOf(new Float64Array(10)))).toThrow(ZeroProfileError);
  });

  it('NaN or negative entries are refused, naming the index', () => {
    expect(() => analyzeProfile(profileOf([1, 0.5, Number.NaN]))).toThrow(
      /analyzeProfile: profile.phi\[2\].*NaN/,
    );
    expect(() => analyzeProfile(profileOf([1, -0.5, 0.2]))).toThrow(/profile.phi\[1\].*-0.5/);
  });

  it('W = 1 is refused', () => {
    expect(() => analyzeProfile(profileOf([1]))).toThrow(EstimatorInputError);
  });

  it('δ outside (0, 1) is refused', () => {
    const analysis = analyzeProfile(profileOf(geometric(0.9, 100)));
    expect(() => analysis.truncationFor(1.5)).toThrow('delta must be in (0, 1), got 1.5');
    expect(() => analysis.truncationsFor([0.1, 0])).toThrow('got 0');
  });

  it('τ outside [0, W − 1] is refused', () => {
    expect(() => analyzeProfile(profileOf(geometric(0.9, 10)), { tau: 10 })).toThrow(/tau .* got 10/);
  });

  it('default τ = W − ⌊W/10⌋, kept at most W − 2', () => {
    expect(defaultTau(400)).toBe(360);
    expect(defaultTau(100)).toBe(90);
    expect(defaultTau(5)).toBe(3);
    expect(defaultTau(2)).toBe(0);
  });
});
