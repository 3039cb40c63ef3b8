import type { GradientNormProfile } from '@tbptt/estimators';
import { describe, expect, it } from 'vitest';
import { adaptiveTruncation } from './adaptive-truncation';
import { fixedTruncation } from './fixed-truncation';
import type { ProfileRequest, TruncationContext } from './truncation-controller';
import { variableTruncation } from './variable-truncation';

/** A context whose profiles are exactly geometric, φ_k = β^k. */
function geometric(beta: number, requests: ProfileRequest[] = []): (update: number) => TruncationContext {
  return (update) => ({
    update,
    profiles(request): GradientNormProfile[] {
      requests.push(request);
      const phi = Float64Array.from({ length: request.window }, (_, k) => beta ** k);
      return Array.from({ length: request.repeats }, () => ({
        phi,
        samples: request.samples,
        averaging: request.averaging,
        window: request.window,
      }));
    },
  });
}

/** κ̂(δ) for an exact geometric profile over W lags: δ̂(K) = β^K / (1 − 2β^W) (ARCHITECTURE §1). */
function closedForm(beta: number, delta: number, window: number): number {
  return Math.floor(Math.log(delta * (1 - 2 * beta ** window)) / Math.log(beta)) + 1;
}

describe('fixedTruncation', () => {
  it('always answers K with learning-rate scale 1 and refuses K ≤ 0', () => {
    const c = fixedTruncation(35);
    expect(c.next(geometric(0.9)(0))).toEqual({ truncation: 35, learningRateScale: 1 });
    expect(() => fixedTruncation(0)).toThrow(/fixedTruncation: K must be a positive integer, got 0/);
    expect(() => fixedTruncation(-3)).toThrow(/K must be a positive integer/);
  });
});

describe('adaptiveTruncation', () => {
  it('picks the closed-form κ̂(δ) for a geometric profile and reports β̂ and δ̂', () => {
    const requests: ProfileRequest[] = [];
    const c = adaptiveTruncation({ delta: 0.1, preset: 'synthetic', repeats: 3, refreshAtStart: true });
    const decision = c.next(geometric(0.9, requests)(0));
    expect(closedForm(0.9, 0.1, 100)).toBe(22);
    expect(decision.truncation).toBe(22);
    expect(requests).toHaveLength(1); // all repeats in one request
    expect(requests[0]).toEqual({ window: 100, burnIn: 10, samples: 32, repeats: 3, averaging: 'norm' });
    const change = decision.refresh!;
    expect(change.from).toBe(10);
    expect(change.to).toBe(22);
    expect(change.beta).toBeCloseTo(0.9, 10);
    expect(change.deltaAtFrom).toBeCloseTo(0.9 ** 10 / (1 - 2 * 0.9 ** 100), 10);
    expect(change.deltaAtTo).toBeLessThan(0.1);
  });

  it('re-estimates every refreshEvery updates only', () => {
    const requests: ProfileRequest[] = [];
    const c = adaptiveTruncation({
      delta: 0.5,
      preset: 'synthetic',
      repeats: 1,
      refreshEvery: 10,
      refreshAtStart: true,
    });
    const ctx = geometric(0.9, requests);
    expect(c.next(ctx(0)).truncation).toBe(7);
    for (let u = 1; u < 10; u++) expect(c.next(ctx(u)).refresh).toBeUndefined();
    expect(c.next(ctx(10)).refresh).toBeDefined();
    expect(requests).toHaveLength(2);
  });

  it('by default trains with initialK until the first estimate at refreshEvery', () => {
    const requests: ProfileRequest[] = [];
    const c = adaptiveTruncation({ delta: 0.1, preset: 'synthetic', refreshEvery: 4 });
    const ctx = geometric(0.9, requests);
    for (let u = 0; u < 4; u++) expect(c.next(ctx(u))).toEqual({ truncation: 10, learningRateScale: 1 });
    expect(c.next(ctx(4)).refresh?.to).toBe(22);
    expect(requests).toHaveLength(1);
  });

  it('clamps to [kmin, kmax]', () => {
    const c = adaptiveTruncation({
      delta: 0.1,
      window: 50,
      kmin: 2,
      kmax: 15,
      repeats: 1,
      refreshAtStart: true,
    });
    expect(c.next(geometric(0.9)(0)).truncation).toBe(15);
    const d = adaptiveTruncation({
      delta: 0.1,
      window: 50,
      kmin: 30,
      kmax: 40,
      repeats: 1,
      refreshAtStart: true,
    });
    expect(d.next(geometric(0.5)(0)).truncation).toBe(30);
  });

  it('keeps K when every profile is zero', () => {
    const c = adaptiveTruncation({
      delta: 0.1,
      preset: 'synthetic',
      initialK: 12,
      repeats: 2,
      refreshAtStart: true,
    });
    const zero: TruncationContext = {
      update: 0,
      profiles: (r) =>
        Array.from({ length: r.repeats }, () => ({
          phi: new Float64Array(r.window),
          samples: r.samples,
          averaging: 'norm' as const,
        })),
    };
    const decision = c.next(zero);
    expect(decision.truncation).toBe(12);
    expect(decision.refresh).toBeUndefined();
  });

  it('saves and restores its state', () => {
    const a = adaptiveTruncation({
      delta: 0.1,
      preset: 'synthetic',
      refreshEvery: 5,
      repeats: 1,
      refreshAtStart: true,
    });
    a.next(geometric(0.8)(0));
    const b = adaptiveTruncation({
      delta: 0.1,
      preset: 'synthetic',
      refreshEvery: 5,
      repeats: 1,
      refreshAtStart: true,
    });
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    expect(b.current()).toBe(a.current());
    expect(b.next(geometric(0.8)(3)).refresh).toBeUndefined();
    expect(() => adaptiveTruncation({ delta: 0.2 }).setState(a.getState())).toThrow(/delta 0.2/);
  });

  it('names the bad field (issue test 7)', () => {
    expect(() => adaptiveTruncation({ delta: 1.5 })).toThrow(
      /adaptiveTruncation: delta must be in \(0, 1\), got 1.5/,
    );
    expect(() => adaptiveTruncation({ delta: 0 })).toThrow(/delta must be in \(0, 1\), got 0/);
    expect(() => adaptiveTruncation({ delta: 0.1, kmin: 20, kmax: 10 })).toThrow(
      /kmin \(20\) must not exceed kmax \(10\)/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, window: 1 })).toThrow(
      /window must be an integer ≥ 2 .* got 1/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, burnIn: -1 })).toThrow(
      /burnIn must be an integer ≥ 0, got -1/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, initialK: 0 })).toThrow(
      /initialK \(K\) must be a positive integer, got 0/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, kmin: 0 })).toThrow(
      /kmin must be a positive integer, got 0/,
    );
  });
});

describe('variableTruncation', () => {
  it("draws AWD-LSTM's window lengths with learning rate scaled by K / mean", () => {
    const c = variableTruncation({ mean: 70, sd: 5, seed: 3 });
    const ctx = geometric(0.9)(0);
    const ks: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const d = c.next(ctx);
      expect(d.learningRateScale).toBeCloseTo(d.truncation / 70, 12);
      ks.push(d.truncation);
    }
    const short = ks.filter((k) => k < 52).length / ks.length; // centre 35 vs 70, 3.5 sd apart
    expect(short).toBeGreaterThan(0.03);
    expect(short).toBeLessThan(0.07);
    const long = ks.filter((k) => k >= 52);
    const mean = long.reduce((a, b) => a + b, 0) / long.length;
    expect(mean).toBeGreaterThan(69.5);
    expect(mean).toBeLessThan(70.5);
    expect(Math.min(...ks)).toBeGreaterThanOrEqual(5);
  });

  it('resumes the same sequence from its state', () => {
    const a = variableTruncation({ mean: 20, seed: 1 });
    const ctx = geometric(0.9)(0);
    for (let i = 0; i < 5; i++) a.next(ctx);
    const b = variableTruncation({ mean: 20, seed: 99 });
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    for (let i = 0; i < 10; i++) expect(b.next(ctx)).toEqual(a.next(ctx));
  });

  it('refuses bad settings', () => {
    expect(() => variableTruncation({ mean: 0 })).toThrow(/mean must be a positive integer, got 0/);
    expect(() => variableTruncation({ mean: 10, pShort: 2 })).toThrow(/pShort must be in \[0, 1\], got 2/);
  });
});
