import { describe, expect, it } from 'vitest';
import { biasBounds } from './bias-bounds.js';
import { ZeroProfileError } from './errors.js';

const geometric = (beta: number, window: number, scale = 1) =>
  Float64Array.from({ length: window }, (_, k) => scale * beta ** k);

const relClose = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));

describe('biasBounds on an exact geometric profile φ_k = β^k', () => {
  // Closed forms: E(K) = β^K / (1 − β) for every K (the sum up to τ − 1 plus the tail telescopes),
  // C(K) = (1 − β^K) / (1 − β), max_K (C − E) = (1 − 2β^W) / (1 − β), so δ̂(K) = β^K / (1 − 2β^W).
  const beta = 0.9;
  const window = 50;
  const tau = 20;
  const { absoluteBias, cumulativeNorm, relativeBias } = biasBounds(
    geometric(beta, window),
    tau,
    Math.log(beta),
  );

  it('E(K), C(K) and δ̂(K) match the closed forms for K below and above τ', () => {
    for (let K = 1; K <= window; K++) {
      relClose(absoluteBias[K - 1] as number, beta ** K / (1 - beta), 1e-12);
      relClose(cumulativeNorm[K - 1] as number, (1 - beta ** K) / (1 - beta), 1e-12);
      relClose(relativeBias[K - 1] as number, beta ** K / (1 - 2 * beta ** window), 1e-12);
    }
  });

  it('is scale-free and does not underflow on tiny norms', () => {
    const tiny = biasBounds(geometric(beta, window, 1e-300), tau, Math.log(beta));
    for (let K = 1; K <= window; K++) {
      relClose(tiny.relativeBias[K - 1] as number, relativeBias[K - 1] as number, 1e-12);
      relClose(tiny.absoluteBias[K - 1] as number, 1e-300 * (absoluteBias[K - 1] as number), 1e-9);
    }
  });
});

describe('biasBounds edge cases', () => {
  it('a vanished tail (φ_τ = 0) contributes nothing, whatever β', () => {
    const phi = Float64Array.from([4, 2, 1, 0, 0, 0]);
    for (const logBeta of [Math.log(0.5), 0, 1]) {
      const { absoluteBias, relativeBias } = biasBounds(phi, 3, logBeta);
      expect(Array.from(absoluteBias)).toEqual([3, 1, 0, 0, 0, 0]);
      // max_K (C − E) = 7 at K ≥ 3.
      expect(Array.from(relativeBias)).toEqual([3 / 7, 1 / 7, 0, 0, 0, 0]);
    }
  });

  it('β ≥ 1 with a live tail makes the bias unbounded: δ̂ = ∞', () => {
    const phi = Float64Array.from([1, 1, 1, 1]);
    const { absoluteBias, relativeBias } = biasBounds(phi, 2, 0);
    expect(Array.from(absoluteBias)).toEqual([Infinity, Infinity, Infinity, Infinity]);
    expect(Array.from(relativeBias).every((v) => v === Infinity)).toBe(true);
  });

  it('a denominator that is not positive gives δ̂ = ∞ everywhere', () => {
    // β = 0.99 makes the tail 100·φ_τ, larger than any partial sum: C(K) − E(K) < 0 for all K.
    const phi = Float64Array.from([1, 1, 1, 1]);
    const { relativeBias } = biasBounds(phi, 1, Math.log(0.99));
    expect(Array.from(relativeBias).every((v) => v === Infinity)).toBe(true);
  });

  it('an all-zero profile is a ZeroProfileError', () => {
    expect(() => biasBounds(new Float64Array(5), 2, -1)).toThrow(ZeroProfileError);
    expect(() => biasBounds(new Float64Array(5), 2, -1)).toThrow(/0 at all 5 lags/);
  });
});

describe('biasBounds conventions (differences from the reference implementation, see README)', () => {
  it('E(K) = Σ_{k=K}^{τ−1} φ̂_k + φ̂_τ/(1 − β̂) below τ: φ̂_τ is counted once, so E(τ − 1) − E(τ) = φ̂_{τ−1}', () => {
    // The reference sums to τ inclusive and adds the tail from τ, counting φ̂_τ twice below τ.
    const phi = Float64Array.from([5, 3, 2, 1.5, 1, 0.5, 0.25, 0.125]);
    const tau = 4;
    const beta = 0.5;
    const { absoluteBias } = biasBounds(phi, tau, Math.log(beta));
    const tail = 1 / (1 - beta); // φ̂_τ = 1
    for (let K = 1; K < tau; K++) {
      let sum = 0;
      for (let k = K; k < tau; k++) sum += phi[k] as number;
      relClose(absoluteBias[K - 1] as number, sum + tail, 1e-12);
    }
    relClose(
      (absoluteBias[tau - 2] as number) - (absoluteBias[tau - 1] as number),
      phi[tau - 1] as number,
      1e-12,
    );
  });

  it('truncation K keeps lags 0..K−1: with a vanished tail, E(K) = Σ_{k≥K} φ̂_k and C(K) = Σ_{k<K} φ̂_k', () => {
    const phi = Float64Array.from([4, 2, 1, 0, 0, 0]);
    const { absoluteBias, cumulativeNorm } = biasBounds(phi, 4, Math.log(0.5));
    expect(Array.from(absoluteBias)).toEqual([3, 1, 0, 0, 0, 0]);
    expect(Array.from(cumulativeNorm)).toEqual([4, 6, 7, 7, 7, 7]);
  });

  it('the exact C replaces Σ φ̂ in the denominator, scaled by the same max φ̂', () => {
    const phi = Float64Array.from([4, 2, 1, 0, 0, 0]);
    const cumulative = [2, 2.5, 3, 3, 3, 3];
    const { cumulativeNorm, relativeBias } = biasBounds(phi, 4, Math.log(0.5), cumulative);
    expect(Array.from(cumulativeNorm)).toEqual(cumulative);
    // max_K (C − E) = 3 at K ≥ 3, so δ̂ = E / 3.
    expect(Array.from(relativeBias)).toEqual([1, 1 / 3, 0, 0, 0, 0]);
  });
});
