import { describe, expect, it } from 'vitest';
import { fillNormal, standardNormal } from './normal.js';
import { createPrng } from './prng.js';

/** Sample mean, variance and kurtosis (E z⁴ / σ⁴; 3 for a normal). */
function moments(values: ArrayLike<number>): { mean: number; variance: number; kurtosis: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]! / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    m2 += (d * d) / n;
    m4 += (d * d * d * d) / n;
  }
  return { mean, variance: m2, kurtosis: m4 / (m2 * m2) };
}

describe('standardNormal', () => {
  it('has mean 0, variance 1 and kurtosis 3', () => {
    const rng = createPrng(1, 'variableTruncation');
    const m = moments(Array.from({ length: 100_000 }, () => standardNormal(rng)));
    // Standard errors: mean 0.003, variance 0.0045, kurtosis ≈ 0.015.
    expect(Math.abs(m.mean)).toBeLessThan(0.015);
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.025);
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.1);
  });

  it('gives the pinned values of the former @tbptt/models generator', () => {
    expect(standardNormal(createPrng(7, 12))).toBe(-1.023983579391076);
    expect(Array.from(fillNormal(createPrng(7, 1), new Float32Array(3)))).toEqual([
      -0.6611267328262329, -0.6327187418937683, -1.7511043548583984,
    ]);
  });
});

describe('fillNormal', () => {
  it('fills with normals of the given mean and standard deviation', () => {
    const values = fillNormal(createPrng(3, 'init'), new Float64Array(50_001), 2, 0.5);
    const m = moments(values);
    expect(Math.abs(m.mean - 2)).toBeLessThan(0.01);
    expect(Math.abs(m.variance - 0.25)).toBeLessThan(0.01);
    expect(Math.abs(m.kurtosis - 3)).toBeLessThan(0.15);
  });

  it('uses one Box–Muller pair per two entries: cosine then sine of the same radius', () => {
    const a = fillNormal(createPrng(9, 0), new Float64Array(2));
    const u = createPrng(9, 0);
    const radius = Math.sqrt(-2 * Math.log(1 - u.nextFloat()));
    const angle = 2 * Math.PI * u.nextFloat();
    expect(Array.from(a)).toEqual([radius * Math.cos(angle), radius * Math.sin(angle)]);
  });
});
