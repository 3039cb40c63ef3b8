import type { GradientNormProfile } from '@tbptt/estimators';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADAPTIVE_PRESETS } from './adaptive-presets';
import { adaptiveTruncation, adaptiveTruncationSettings } from './adaptive-truncation';
import { fixedTruncation } from './fixed-truncation';
import type {
  ControllerState,
  ProfileRequest,
  TruncationContext,
  TruncationController,
} from './truncation-controller';
import { variableTruncation } from './variable-truncation';

/** A context whose profiles are exactly geometric, φ_k = β^k (one adjoint direction: cumulative = Σ φ). */
function geometric(
  beta: number,
  requests: ProfileRequest[] = [],
): (update: number, steps?: number) => TruncationContext {
  return (update, steps = 0) => ({
    update,
    steps,
    profiles(request): GradientNormProfile[] {
      requests.push(request);
      const phi = Float64Array.from({ length: request.window }, (_, k) => beta ** k);
      let sum = 0;
      const cumulative = phi.map((p) => (sum += p));
      return Array.from({ length: request.repeats }, () => ({
        phi,
        cumulative,
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

/** Runs `n` decisions from the controller's initial state. */
function run<S extends ControllerState>(c: TruncationController<S>, contexts: TruncationContext[]) {
  let state = c.init();
  return contexts.map((ctx) => {
    const [decision, next] = c.next(state, ctx);
    state = next;
    return { decision, state };
  });
}

describe('fixedTruncation', () => {
  it('always answers K with learning-rate scale 1 and refuses K ≤ 0', () => {
    const c = fixedTruncation(35);
    const [decision, state] = c.next(c.init(), geometric(0.9)(0));
    expect(decision).toEqual({ truncation: 35, learningRateScale: 1 });
    expect(c.truncation(state)).toBe(35);
    expect(() => fixedTruncation(0)).toThrow(/fixedTruncation: K must be a positive integer, got 0/);
    expect(() => fixedTruncation(-3)).toThrow(/K must be a positive integer/);
    expect(() => c.restore({ kind: 'fixed', truncation: 20 })).toThrow(/fixed K = 35/);
  });
});

describe('adaptive presets (the reference scripts, issue 10 table)', () => {
  it('synthetic: K 15, W 100, τ 80, burn-in 20, 1 × 64, exact C, K ∈ [2, 100], every 5,000 steps', () => {
    const s = adaptiveTruncationSettings({ delta: 0.1, preset: 'synthetic' });
    expect(s).toMatchObject({ initialK: 15, window: 100, tau: 80, burnIn: 20, repeats: 1, samples: 64 });
    expect(s).toMatchObject({
      cumulative: 'exact',
      kmin: 2,
      kmax: 100,
      refreshEverySteps: 5000,
      refreshAtStart: false,
    });
  });
  it('language-model: K 100, W 400, τ 360, burn-in 40, 5 × 32, approximate C, K ∈ [10, 300]', () => {
    const s = adaptiveTruncationSettings({ delta: 0.1, preset: 'language-model' });
    expect(s).toMatchObject({ initialK: 100, window: 400, tau: 360, burnIn: 40, repeats: 5, samples: 32 });
    expect(s).toMatchObject({ cumulative: 'approximate', kmin: 10, kmax: 300, refreshEverySteps: 5000 });
  });
  it('point-process: K 6, W 200, τ 180, burn-in 2, 1 × 64, exact C, K ∈ [2, 100]', () => {
    const s = adaptiveTruncationSettings({ delta: 0.5, preset: 'point-process' });
    expect(s).toMatchObject({ initialK: 6, window: 200, tau: 180, burnIn: 2, repeats: 1, samples: 64 });
    expect(s).toMatchObject({ cumulative: 'exact', kmin: 2, kmax: 100, refreshEverySteps: 5000 });
    expect(Object.keys(ADAPTIVE_PRESETS).sort()).toEqual(['language-model', 'point-process', 'synthetic']);
  });
});

describe('adaptiveTruncation', () => {
  it('picks the closed-form κ̂(δ) for a geometric profile and reports β̂ and δ̂', () => {
    const requests: ProfileRequest[] = [];
    const c = adaptiveTruncation({
      delta: 0.1,
      preset: 'synthetic',
      cumulative: 'approximate',
      repeats: 3,
      refreshAtStart: true,
    });
    const { decision } = run(c, [geometric(0.9, requests)(0)])[0]!;
    expect(closedForm(0.9, 0.1, 100)).toBe(22);
    expect(decision.truncation).toBe(22);
    expect(requests).toEqual([{ window: 100, burnIn: 20, samples: 64, repeats: 3, averaging: 'norm' }]);
    const e = decision.estimate!;
    expect(e).toMatchObject({ current: 15, chosen: 22, estimates: [22, 22, 22], skipped: 0 });
    expect(e.beta).toBeCloseTo(0.9, 10);
    expect(e.deltaAtCurrent).toBeCloseTo(0.9 ** 15 / (1 - 2 * 0.9 ** 100), 6);
    expect(e.deltaAtChosen).toBeLessThan(0.1);
  });

  it('re-estimates on its schedule: every refreshEvery updates, or every refreshEverySteps stream steps', () => {
    const requests: ProfileRequest[] = [];
    const byUpdates = adaptiveTruncation({ delta: 0.5, preset: 'synthetic', refreshEvery: 10 });
    const ctx = geometric(0.9, requests);
    const out = run(
      byUpdates,
      Array.from({ length: 21 }, (_, u) => ctx(u)),
    );
    expect(out.map((o, u) => (o.decision.estimate ? u : -1)).filter((u) => u >= 0)).toEqual([10, 20]);
    expect(out[9]!.decision.truncation).toBe(15); // initial K until the first estimate
    const bySteps = adaptiveTruncation({ delta: 0.5, preset: 'synthetic' }); // every 5,000 steps
    const steps = run(bySteps, [ctx(1, 4999), ctx(2, 5000), ctx(3, 9999), ctx(4, 10000)]);
    expect(steps.map((o) => o.decision.estimate !== undefined)).toEqual([false, true, false, true]);
  });

  it('combines repeats as the reference: the floor of the mean of the unclamped κ̂, then clamps', () => {
    // Profiles alternate β = 0.5 (κ̂ 4 at δ 0.1) and β = 0.9 (κ̂ 22): mean 13 → 13; with kmax 10 → 10.
    const mixed = (update: number): TruncationContext => ({
      update,
      steps: 0,
      profiles: (r) =>
        Array.from(
          { length: r.repeats },
          (_, i) => geometric(i % 2 ? 0.9 : 0.5)(0).profiles({ ...r, repeats: 1 })[0]!,
        ),
    });
    const c = adaptiveTruncation({
      delta: 0.1,
      window: 100,
      repeats: 2,
      kmin: 2,
      kmax: 100,
      initialK: 10,
      refreshAtStart: true,
      cumulative: 'approximate',
    });
    const { decision } = run(c, [mixed(0)])[0]!;
    expect(decision.estimate!.estimates).toEqual([closedForm(0.5, 0.1, 100), 22]);
    expect(decision.truncation).toBe(Math.floor((closedForm(0.5, 0.1, 100) + 22) / 2));
    const d = adaptiveTruncation({
      delta: 0.1,
      window: 100,
      repeats: 2,
      kmin: 2,
      kmax: 10,
      initialK: 10,
      refreshAtStart: true,
      cumulative: 'approximate',
    });
    expect(run(d, [mixed(0)])[0]!.decision.truncation).toBe(10);
  });

  it('is a pure function of its state and context (same in → same out, nothing mutated)', () => {
    const c = adaptiveTruncation({ delta: 0.2, preset: 'synthetic', refreshEvery: 3 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.double({ min: 0.3, max: 0.95, noNaN: true }),
        (update, beta) => {
          const state = {
            kind: 'adaptive' as const,
            delta: 0.2,
            truncation: 15,
            lastUpdate: 0,
            lastSteps: 0,
            estimates: 1,
          };
          const copy = JSON.parse(JSON.stringify(state));
          const a = c.next(state, geometric(beta)(update));
          const b = c.next(state, geometric(beta)(update));
          expect(state).toEqual(copy);
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 50 },
    );
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
      steps: 0,
      profiles: (r) =>
        Array.from({ length: r.repeats }, () => ({
          phi: new Float64Array(r.window),
          cumulative: new Float64Array(r.window),
          samples: r.samples,
          averaging: 'norm' as const,
        })),
    };
    const { decision } = run(c, [zero])[0]!;
    expect(decision.truncation).toBe(12);
    expect(decision.estimate).toMatchObject({ current: 12, chosen: 12, skipped: 2, estimates: [] });
  });

  it('restores a saved state and refuses another controller’s', () => {
    const a = adaptiveTruncation({ delta: 0.1, preset: 'synthetic', refreshEvery: 5, refreshAtStart: true });
    const { state } = run(a, [geometric(0.8)(0)])[0]!;
    const restored = a.restore(JSON.parse(JSON.stringify(state)));
    expect(restored).toEqual(state);
    expect(a.next(restored, geometric(0.8)(3))[0].estimate).toBeUndefined();
    expect(() => adaptiveTruncation({ delta: 0.2 }).restore(state)).toThrow(/delta 0.2/);
    expect(() => a.restore({ ...state, truncation: 1e9 })).toThrow(/K in \[2, 100\]/);
  });

  it('names the bad field; initialK outside [kmin, kmax] is refused (issue 9 item 5)', () => {
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
      /initialK must be a positive integer, got 0/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, preset: 'synthetic', initialK: 1e9 })).toThrow(
      /initialK \(1000000000\) must lie in \[kmin, kmax\] = \[2, 100\]/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, preset: 'synthetic', initialK: 1, kmin: 2 })).toThrow(
      /must lie in \[kmin, kmax\]/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, kmin: 0 })).toThrow(
      /kmin must be a positive integer, got 0/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, refreshEvery: 5, refreshEverySteps: 5 })).toThrow(
      /not both/,
    );
    expect(() => adaptiveTruncation({ delta: 0.1, preset: 'nope' as 'synthetic' })).toThrow(
      /preset must be one of/,
    );
  });
});

describe('variableTruncation', () => {
  it("draws AWD-LSTM's window lengths with learning rate scaled by K / mean", () => {
    const c = variableTruncation({ mean: 70, sd: 5, seed: 3 });
    const ks = run(
      c,
      Array.from({ length: 4000 }, () => geometric(0.9)(0)),
    ).map(({ decision }) => {
      expect(decision.learningRateScale).toBeCloseTo(decision.truncation / 70, 12);
      return decision.truncation;
    });
    const short = ks.filter((k) => k < 52).length / ks.length; // centre 35 vs 70, 3.5 sd apart
    expect(short).toBeGreaterThan(0.03);
    expect(short).toBeLessThan(0.07);
    const long = ks.filter((k) => k >= 52);
    const mean = long.reduce((a, b) => a + b, 0) / long.length;
    expect(mean).toBeGreaterThan(69.5);
    expect(mean).toBeLessThan(70.5);
    expect(Math.min(...ks)).toBeGreaterThanOrEqual(5);
  });

  it('resumes the same sequence from its state; the same seed gives the same lengths', () => {
    const a = variableTruncation({ mean: 20, seed: 1 });
    const first = run(
      a,
      Array.from({ length: 15 }, () => geometric(0.9)(0)),
    );
    const saved = a.restore(JSON.parse(JSON.stringify(first[4]!.state)));
    let state = saved;
    for (let i = 5; i < 15; i++) {
      const [decision, next] = a.next(state, geometric(0.9)(0));
      expect(decision).toEqual(first[i]!.decision);
      state = next;
    }
    const b = run(
      variableTruncation({ mean: 20, seed: 2 }),
      Array.from({ length: 15 }, () => geometric(0.9)(0)),
    );
    expect(b.map((o) => o.decision.truncation)).not.toEqual(first.map((o) => o.decision.truncation));
  });

  it('refuses bad settings', () => {
    expect(() => variableTruncation({ mean: 0 })).toThrow(/mean must be a positive integer, got 0/);
    expect(() => variableTruncation({ mean: 10, pShort: 2 })).toThrow(/pShort must be in \[0, 1\], got 2/);
    expect(() => variableTruncation({ mean: 10 }).restore({ kind: 'variable', mean: 11 })).toThrow(/mean 10/);
  });
});
