import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileFromAdjoints } from './adjoints.js';
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

describe("analyzeProfile with the exact C(K) (cumulative: 'exact')", () => {
  // Linear RNN h_t = a h_{t−1} + x_t with scalar a: the adjoint at lag k of sample s is a^k g_s. With
  // m = mean_s |g_s| and r = |mean_s g_s| / m: φ̂_k = m a^k (so β̂ = a exactly), E(K) = m a^K / (1 − a) for
  // every K, C_exact(K) = r m (1 − a^K) / (1 − a), max_K (C − E) at K = W, and
  //     δ̂_exact(K) = a^K / (r − (r + 1) a^W),   δ̂_approx(K) = a^K / (1 − 2 a^W)   (r = 1).
  const a = 0.8;
  const g = [2, -1, 0.5, -3, 1, 1.5, -0.25, 0.75]; // m = 10 / 8 = 1.25, ḡ = 1.5 / 8 = 0.1875
  const window = 100;
  const adjoints = new Float64Array(window * g.length); // [W, S, 1]
  for (let k = 0; k < window; k++) {
    for (let s = 0; s < g.length; s++) adjoints[k * g.length + s] = a ** k * g[s]!;
  }
  const profile = profileFromAdjoints(adjoints, { window, samples: g.length, averaging: 'norm' });
  const r = 0.1875 / 1.25;

  it('matches the closed form of δ̂ and κ̂ for a scalar linear RNN', () => {
    const exact = analyzeProfile(profile, { cumulative: 'exact' });
    const approx = analyzeProfile(profile);
    expect(exact.cumulative).toBe('exact');
    expect(approx.cumulative).toBe('approximate');
    expect(Math.abs(exact.beta - a)).toBeLessThan(1e-9);
    const denominator = r - (r + 1) * a ** window;
    for (let K = 1; K <= window; K++) {
      const expected = a ** K / denominator;
      expect(Math.abs((exact.relativeBias[K - 1] as number) - expected)).toBeLessThan(1e-9 * expected);
      const c = (r * 1.25 * (1 - a ** K)) / (1 - a);
      expect(Math.abs((exact.cumulativeNorm[K - 1] as number) - c)).toBeLessThan(1e-9 * c);
    }
    for (const delta of [0.5, 0.1, 0.01]) {
      expect(exact.truncationFor(delta)).toBe(Math.ceil(Math.log(delta * denominator) / Math.log(a)));
      expect(approx.truncationFor(delta)).toBe(
        Math.ceil(Math.log(delta * (1 - 2 * a ** window)) / Math.log(a)),
      );
    }
    // r = 0.15: the exact C is much smaller, so κ̂ is larger (δ = 0.1: ⌈ln(0.015) / ln 0.8⌉ = ⌈18.8⌉ = 19
    // against ⌈ln 0.1 / ln 0.8⌉ = ⌈10.3⌉ = 11).
    expect(exact.truncationFor(0.1)).toBe(19);
    expect(approx.truncationFor(0.1)).toBe(11);
  });

  it('κ̂ with the exact C ≥ κ̂ with the approximate C, on profiles from random adjoint vectors (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0.3, max: 0.99, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom('ols', 'max', 'quantile'),
        (window, samples, dimension, beta, bias, seed, estimator) => {
          let x = seed;
          const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
          // a_{k,s} = β^k (bias + noise): a shared direction (bias) makes the row-mean non-zero.
          const adjoints = Float64Array.from(
            { length: window * samples * dimension },
            (_, i) => beta ** Math.floor(i / (samples * dimension)) * (bias + next()),
          );
          const p = profileFromAdjoints(adjoints, { window, samples, averaging: 'norm' });
          fc.pre((p.phi as Float64Array).some((v) => v > 0));
          const exact = analyzeProfile(p, { estimator, cumulative: 'exact' });
          const approx = analyzeProfile(p, { estimator });
          expect(exact.beta).toBe(approx.beta);
          expect(Array.from(exact.absoluteBias)).toEqual(Array.from(approx.absoluteBias));
          for (let K = 1; K <= window; K++) {
            expect(exact.cumulativeNorm[K - 1] as number).toBeLessThanOrEqual(
              (approx.cumulativeNorm[K - 1] as number) * (1 + 1e-12),
            );
          }
          for (const delta of [0.9, 0.5, 0.1, 0.01]) {
            expect(exact.truncationFor(delta)).toBeGreaterThanOrEqual(approx.truncationFor(delta));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('cumulative equal to the prefix sums of φ̂ reproduces the approximate analysis', () => {
    const phi = geometric(0.9, 200);
    let sum = 0;
    const cumulative = Array.from(phi, (v) => (sum += v));
    const exact = analyzeProfile({ ...profileOf(phi), cumulative }, { cumulative: 'exact' });
    const approx = analyzeProfile(profileOf(phi));
    for (let K = 1; K <= 200; K++) {
      const e = exact.relativeBias[K - 1] as number;
      expect(Math.abs(e - (approx.relativeBias[K - 1] as number))).toBeLessThan(1e-12 * e);
    }
    expect(exact.truncationsFor([0.5, 0.1, 0.01])).toEqual(approx.truncationsFor([0.5, 0.1, 0.01]));
  });

  it('is scale-free: φ̂ and cumulative × 1e−300 give the same δ̂', () => {
    const tiny = {
      ...profile,
      phi: Float64Array.from(profile.phi, (v) => v * 1e-300),
      cumulative: Float64Array.from(profile.cumulative!, (v) => v * 1e-300),
    };
    const a1 = analyzeProfile(profile, { cumulative: 'exact' });
    const a2 = analyzeProfile(tiny, { cumulative: 'exact' });
    expect(a2.truncationsFor([0.5, 0.1, 0.01])).toEqual(a1.truncationsFor([0.5, 0.1, 0.01]));
    expect(Math.abs(a2.logBeta - a1.logBeta)).toBeLessThan(1e-9);
  });

  it("'exact' without profile.cumulative is a clear error; an unknown method is refused", () => {
    expect(() => analyzeProfile(profileOf(geometric(0.9, 20)), { cumulative: 'exact' })).toThrow(
      /analyzeProfile: cumulative: 'exact' needs the cumulative-adjoint norms, but profile.cumulative is missing/,
    );
    expect(() => analyzeProfile(profileOf(geometric(0.9, 20)), { cumulative: 'exactly' as 'exact' })).toThrow(
      /cumulative must be 'approximate' or 'exact', got "exactly"/,
    );
  });
});

describe('analyzeProfile is scale-free (the vanished-lag floor is relative to max φ̂)', () => {
  it('a profile scaled by 1e−300 gives the same β̂ and κ̂ as unscaled (an absolute floor gave β̂ = 1, κ̂ = kmax)', () => {
    const phi = geometric(0.8, 60); // smallest 0.8^59 ≈ 2e−6: × 1e−300 stays a normal double
    for (const estimator of ['ols', 'max', 'quantile'] as const) {
      const unscaled = analyzeProfile(profileOf(phi), { estimator });
      const scaled = analyzeProfile(profileOf(phi.map((v) => v * 1e-300)), { estimator });
      expect(Math.abs(scaled.logBeta - unscaled.logBeta)).toBeLessThan(1e-9);
      expect(scaled.beta).toBeLessThan(0.81);
      expect(scaled.truncationsFor([0.5, 0.1, 0.01], { kmax: 60 })).toEqual(
        unscaled.truncationsFor([0.5, 0.1, 0.01], { kmax: 60 }),
      );
    }
  });

  it('lags e^−50 below the largest are skipped at any scale (here × 1 and × 1e250)', () => {
    // Geometric for 40 lags, then a floor 1e−30 (e^−69 below the max): vanished, so β̂ = 0.8 from the first 40.
    const phi = Float64Array.from({ length: 60 }, (_, k) => (k < 40 ? 0.8 ** k : 1e-30));
    const unscaled = analyzeProfile(profileOf(phi));
    const scaled = analyzeProfile(profileOf(phi.map((v) => v * 1e250)));
    expect(Math.abs(unscaled.beta - 0.8)).toBeLessThan(1e-9);
    expect(Math.abs(scaled.logBeta - unscaled.logBeta)).toBeLessThan(1e-9);
  });
});
