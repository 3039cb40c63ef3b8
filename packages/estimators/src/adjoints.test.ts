import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileFromAdjoints } from './adjoints.js';
import { profileFromSampleNorms } from './sample-norms.js';

const relClose = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected) + 1e-14);

/**
 * Adjoints of the diagonal linear RNN h_t = A h_{t−1} + x_t, A = diag(a): ∂h_s/∂h_{s−k} = A^k, so with
 * g_s = ∂L_s/∂h_s the adjoint at lag k is a_{k,s} = A^k g_s (the backward recursion λ_{k+1} = Aᵀ λ_k).
 * Returns [W, S, D] lag-major.
 */
function linearRnnAdjoints(
  a: readonly number[],
  g: readonly (readonly number[])[],
  window: number,
): Float64Array {
  const dimension = a.length;
  const samples = g.length;
  const out = new Float64Array(window * samples * dimension);
  g.forEach((gs, s) => {
    const lambda = [...gs];
    for (let k = 0; k < window; k++) {
      for (let d = 0; d < dimension; d++) out[(k * samples + s) * dimension + d] = lambda[d]!;
      for (let d = 0; d < dimension; d++) lambda[d] = a[d]! * lambda[d]!; // λ ← Aᵀ λ
    }
  });
  return out;
}

describe('profileFromAdjoints', () => {
  it('linear RNN, diagonal A: cumulative[k] = ‖ḡ ⊙ (1 − a^{k+1}) / (1 − a)‖ and φ̂_k = mean_s ‖a^k ⊙ g_s‖', () => {
    const a = [0.9, -0.5, 0.3];
    const g = [
      [1, -2, 0.5],
      [-0.5, 1, 2],
      [0.25, 0.75, -1],
      [-1.5, 0.5, 0],
    ];
    const window = 30;
    const profile = profileFromAdjoints(linearRnnAdjoints(a, g, window), {
      window,
      samples: 4,
      averaging: 'norm',
    });
    const mean = a.map((_, d) => g.reduce((sum, gs) => sum + gs[d]!, 0) / g.length);
    for (let k = 0; k < window; k++) {
      const closed = Math.hypot(...a.map((ad, d) => (mean[d]! * (1 - ad ** (k + 1))) / (1 - ad)));
      relClose(profile.cumulative![k] as number, closed, 1e-12);
      const phi = g.reduce((sum, gs) => sum + Math.hypot(...gs.map((x, d) => a[d]! ** k * x)), 0) / g.length;
      relClose(profile.phi[k] as number, phi, 1e-12);
    }
  });

  it('linear RNN, scalar a: cumulative[k] = |ḡ| (1 − a^{k+1}) / (1 − a), φ̂_k = mean_s |g_s| · |a|^k', () => {
    const a = 0.8;
    const g = [[2], [-1], [0.5], [-3], [1]];
    const window = 40;
    const profile = profileFromAdjoints(linearRnnAdjoints([a], g, window), {
      window,
      samples: 5,
      averaging: 'norm',
    });
    for (let k = 0; k < window; k++) {
      // ḡ = (2 − 1 + 0.5 − 3 + 1) / 5 = −0.1, mean |g_s| = 7.5 / 5 = 1.5.
      relClose(profile.cumulative![k] as number, (0.1 * (1 - a ** (k + 1))) / (1 - a), 1e-12);
      relClose(profile.phi[k] as number, 1.5 * a ** k, 1e-12);
    }
  });

  it('φ̂ equals profileFromSampleNorms of the adjoint norms; cumulative ≤ Σ_{j≤k} φ̂_j (triangle inequality)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom('norm' as const, 'log' as const),
        (window, samples, dimension, seed, averaging) => {
          let x = seed;
          const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
          const adjoints = Float64Array.from({ length: window * samples * dimension }, next);
          const rows: [number, number] = [0, samples];
          const profile = profileFromAdjoints(adjoints, { window, samples, averaging, rows });
          const norms = Array.from({ length: window * samples }, (_, ks) =>
            Math.hypot(...adjoints.subarray(ks * dimension, (ks + 1) * dimension)),
          );
          const byNorms = profileFromSampleNorms(norms, { samples, averaging, rows });
          for (let k = 0; k < window; k++)
            relClose(profile.phi[k] as number, byNorms.phi[k] as number, 1e-12);
          // Direct: the vector (1/S) Σ_s Σ_{j≤k} a_{j,s}, built afresh for each k.
          const normPhi = profileFromSampleNorms(norms, { samples, averaging: 'norm' }).phi;
          let prefix = 0;
          for (let k = 0; k < window; k++) {
            const v = new Float64Array(dimension);
            for (let j = 0; j <= k; j++) {
              for (let s = 0; s < samples; s++) {
                for (let d = 0; d < dimension; d++)
                  v[d]! += adjoints[(j * samples + s) * dimension + d]! / samples;
              }
            }
            relClose(profile.cumulative![k] as number, Math.hypot(...v), 1e-12);
            prefix += normPhi[k] as number;
            expect(profile.cumulative![k] as number).toBeLessThanOrEqual(prefix * (1 + 1e-12));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a row range averages only those samples', () => {
    // W = 2, S = 2, D = 1: sample 0 → 1, 2; sample 1 → −3, 4.
    const adjoints = [1, -3, 2, 4];
    const second = profileFromAdjoints(adjoints, { window: 2, samples: 2, averaging: 'norm', rows: [1, 2] });
    expect(Array.from(second.phi)).toEqual([3, 4]);
    expect(Array.from(second.cumulative!)).toEqual([3, 1]);
    expect(second.samples).toBe(1);
    const both = profileFromAdjoints(adjoints, { window: 2, samples: 2, averaging: 'norm' });
    expect(Array.from(both.cumulative!)).toEqual([1, 2]);
  });

  it('refuses a bad shape or a non-finite entry', () => {
    expect(() => profileFromAdjoints([1, 2, 3], { window: 2, samples: 1, averaging: 'norm' })).toThrow(
      /profileFromAdjoints: expected W × S × D = 2 × 1 × D values, got 3/,
    );
    expect(() => profileFromAdjoints([1, 2], { window: 1, samples: 1, averaging: 'norm' })).toThrow(
      /window must be an integer ≥ 2, got 1/,
    );
    expect(() => profileFromAdjoints([1, Number.NaN], { window: 2, samples: 1, averaging: 'norm' })).toThrow(
      /adjoint entry 1 must be a finite number, got NaN/,
    );
  });
});
