import { describe, expect, it } from 'vitest';
import { exponentialIntensityProcess } from './exponential-intensity-process';

describe('exponentialIntensityProcess', () => {
  const options = { sequences: 20, events: 2000, seed: 3 };

  it('is deterministic in its seed', () => {
    const a = exponentialIntensityProcess(options);
    const b = exponentialIntensityProcess(options);
    const c = exponentialIntensityProcess({ ...options, seed: 4 });
    expect(Array.from(a.data.sequences[5]!.times)).toEqual(Array.from(b.data.sequences[5]!.times));
    expect(Array.from(a.data.sequences[5]!.times)).not.toEqual(Array.from(c.data.sequences[5]!.times));
  });

  it('follows its stated law: s_j from the marks, Λ(Δ) ~ Exp(1), mark 0 with probability σ(γ s_j)', () => {
    const params = { base: 0.3, excitation: 0.5, memory: 0.6, w: 0.8, markCoupling: 1.5 };
    const { data, truth } = exponentialIntensityProcess({ ...options, ...params });
    let sumE = 0;
    let sumE2 = 0;
    let count = 0;
    let p0 = 0;
    let zeros = 0;
    let worst = 0; // largest error of the truth's b_j, logits and nll against the law written out
    for (let i = 0; i < data.sequences.length; i++) {
      const { marks, times } = data.sequences[i]!;
      let s = 0;
      for (let j = 0; j + 1 < marks.length; j++) {
        s = params.memory * s + (marks[j] === 0 ? 1 : -1);
        const b = params.base + params.excitation * s;
        worst = Math.max(worst, Math.abs(truth.logIntensity[i]![j]! - b));
        worst = Math.max(worst, Math.abs(truth.markLogits[i]![2 * j]! - params.markCoupling * s));
        const gap = times[j + 1]! - times[j]!;
        // The integrated intensity over the gap, written out: e^b (e^{wΔ} − 1) / w.
        const e = (Math.exp(b) * (Math.exp(params.w * gap) - 1)) / params.w;
        sumE += e;
        sumE2 += e * e;
        count++;
        p0 += 1 / (1 + Math.exp(-params.markCoupling * s));
        if (marks[j + 1] === 0) zeros++;
        // −log of the density exp(b + wΔ − Λ(Δ)) and of the mark probability.
        const prob =
          marks[j + 1] === 0
            ? 1 / (1 + Math.exp(-params.markCoupling * s))
            : 1 / (1 + Math.exp(params.markCoupling * s));
        worst = Math.max(worst, Math.abs(truth.nll[i]![j]! - (-Math.log(prob) - (b + params.w * gap - e))));
      }
    }
    expect(worst).toBeLessThan(1e-8);
    // Exp(1): mean 1, variance 1; 39,980 draws give a standard error of 0.005 on the mean.
    const mean = sumE / count;
    expect(Math.abs(mean - 1)).toBeLessThan(0.025);
    expect(Math.abs(sumE2 / count - mean * mean - 1)).toBeLessThan(0.06);
    // Observed count of mark 0 against the sum of its probabilities (sd ≤ √(N/4) ≈ 100).
    expect(Math.abs(zeros - p0)).toBeLessThan(500);
  });

  it('w = 0 gives exponential gaps of mean e^{−b}', () => {
    const { data } = exponentialIntensityProcess({
      ...options,
      w: 0,
      excitation: 0,
      markCoupling: 0,
      base: Math.log(4),
    });
    let sum = 0;
    let n = 0;
    for (const { times } of data.sequences) {
      sum += times[times.length - 1]!;
      n += times.length - 1;
    }
    expect(Math.abs(sum / n - 0.25)).toBeLessThan(0.005);
  });

  it('refuses bad parameters', () => {
    expect(() => exponentialIntensityProcess({ ...options, w: -0.1 })).toThrow(
      'exponentialIntensityProcess: w must be a finite number ≥ 0',
    );
    expect(() => exponentialIntensityProcess({ ...options, memory: 1 })).toThrow(
      'memory must be in [0, 1), got 1',
    );
    expect(() => exponentialIntensityProcess({ ...options, events: 1 })).toThrow(
      'events must be an integer ≥ 2',
    );
  });
});
