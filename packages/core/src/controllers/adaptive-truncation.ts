import { analyzeProfile, type DecayEstimator, ZeroProfileError } from '@tbptt/estimators';
import { ADAPTIVE_PRESETS, type AdaptivePresetName } from './adaptive-presets';
import {
  type AdaptiveTruncationState,
  checkPositiveInteger,
  isRecord,
  restoreError,
  type TruncationContext,
  type TruncationController,
  type TruncationDecision,
  type TruncationEstimate,
} from './truncation-controller';

export interface AdaptiveTruncationOptions {
  /** δ ∈ (0, 1): the tolerated relative bias of the truncated gradient (Theorem 1). */
  delta: number;
  /** Which settings to start from (see ADAPTIVE_PRESETS). Default 'language-model'. */
  preset?: AdaptivePresetName;
  /** W: lags in each profile. */
  window?: number;
  /** Warm-up steps before each probe window. */
  burnIn?: number;
  /** S: positions sampled per profile. */
  samples?: number;
  /** Profiles per estimate; κ̂ is combined over them. */
  repeats?: number;
  /** Updates between estimates (instead of the preset's stream-step interval). */
  refreshEvery?: number;
  /** Training stream steps (loss positions per column) between estimates. */
  refreshEverySteps?: number;
  /**
   * Estimate before the first update too. Default false, as the reference: an untrained network's gradients
   * decay fast, so an estimate at initialisation picks a K too short to learn long dependencies.
   */
  refreshAtStart?: boolean;
  kmin?: number;
  kmax?: number;
  /** β̂ estimator. Default 'ols' (the reference implementation). */
  estimator?: DecayEstimator;
  /** τ, the lag where geometric decay starts. */
  tau?: number;
  /** Averaging of the per-sample norms. Default 'norm'. */
  averaging?: 'norm' | 'log';
  /** C(K) in δ̂'s denominator: 'exact' (norm of the summed mean adjoints) or 'approximate' (Σ φ̂). */
  cumulative?: 'exact' | 'approximate';
  /** K before the first estimate; must lie in [kmin, kmax]. */
  initialK?: number;
}

/** The resolved settings of an adaptive controller (every default filled in). */
export interface AdaptiveTruncationSettings {
  delta: number;
  preset: AdaptivePresetName;
  window: number;
  burnIn: number;
  samples: number;
  repeats: number;
  /** Exactly one of the two schedules is set. */
  refreshEvery?: number;
  refreshEverySteps?: number;
  refreshAtStart: boolean;
  kmin: number;
  kmax: number;
  estimator: DecayEstimator;
  tau: number;
  averaging: 'norm' | 'log';
  cumulative: 'exact' | 'approximate';
  initialK: number;
}

/** Checks the options and fills the defaults from the preset; errors name the field, the value and the fix. */
export function adaptiveTruncationSettings(options: AdaptiveTruncationOptions): AdaptiveTruncationSettings {
  const fn = 'adaptiveTruncation';
  if (!isRecord(options))
    throw new Error(`${fn}: options must be an object with delta, got ${String(options)}`);
  const preset = options.preset ?? 'language-model';
  const base = ADAPTIVE_PRESETS[preset];
  if (base === undefined || !Object.hasOwn(ADAPTIVE_PRESETS, preset)) {
    throw new Error(
      `${fn}: preset must be one of ${Object.keys(ADAPTIVE_PRESETS)
        .map((p) => `'${p}'`)
        .join(', ')}, got ${JSON.stringify(preset)}`,
    );
  }
  const { delta } = options;
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) {
    throw new Error(
      `${fn}: delta must be in (0, 1), got ${String(delta)}; e.g. delta: 0.1 tolerates 10% bias`,
    );
  }
  const window = options.window ?? base.window;
  if (typeof window !== 'number' || !Number.isInteger(window) || window < 2) {
    throw new Error(`${fn}: window must be an integer ≥ 2 (lags in the profile), got ${String(window)}`);
  }
  // The preset's burn-in and τ are tied to its window; a custom window scales them as the scripts do.
  const custom = options.window !== undefined && options.window !== base.window;
  const burnIn = options.burnIn ?? (custom ? Math.floor(window / 10) : base.burnIn);
  if (typeof burnIn !== 'number' || !Number.isInteger(burnIn) || burnIn < 0) {
    throw new Error(`${fn}: burnIn must be an integer ≥ 0, got ${String(burnIn)}`);
  }
  const tau = options.tau ?? (custom ? window - Math.max(1, Math.floor(window / 10)) : base.tau);
  if (typeof tau !== 'number' || !Number.isInteger(tau) || tau < 0 || tau >= window) {
    throw new Error(
      `${fn}: tau must be an integer in [0, window − 1] = [0, ${window - 1}], got ${String(tau)}`,
    );
  }
  const samples = checkPositiveInteger(fn, 'samples', options.samples ?? base.samples);
  const repeats = checkPositiveInteger(fn, 'repeats', options.repeats ?? base.repeats);
  if (options.refreshEvery !== undefined && options.refreshEverySteps !== undefined) {
    throw new Error(`${fn}: give refreshEvery (updates) or refreshEverySteps (stream steps), not both`);
  }
  const schedule =
    options.refreshEvery !== undefined
      ? { refreshEvery: checkPositiveInteger(fn, 'refreshEvery', options.refreshEvery) }
      : {
          refreshEverySteps: checkPositiveInteger(
            fn,
            'refreshEverySteps',
            options.refreshEverySteps ?? base.refreshEverySteps,
          ),
        };
  const refreshAtStart = options.refreshAtStart ?? false;
  if (typeof refreshAtStart !== 'boolean') {
    throw new Error(`${fn}: refreshAtStart must be true or false, got ${String(refreshAtStart)}`);
  }
  const kmin = checkPositiveInteger(fn, 'kmin', options.kmin ?? base.kmin);
  const kmax = checkPositiveInteger(fn, 'kmax', options.kmax ?? base.kmax);
  if (kmin > kmax) {
    throw new Error(`${fn}: kmin (${kmin}) must not exceed kmax (${kmax}); swap them or widen the range`);
  }
  const initialK = checkPositiveInteger(
    fn,
    'initialK',
    options.initialK ?? Math.min(Math.max(base.initialK, kmin), kmax),
  );
  if (initialK < kmin || initialK > kmax) {
    throw new Error(
      `${fn}: initialK (${initialK}) must lie in [kmin, kmax] = [${kmin}, ${kmax}]; pick a K in that range or widen it`,
    );
  }
  const estimator = options.estimator ?? 'ols';
  if (estimator !== 'ols' && estimator !== 'max' && estimator !== 'quantile') {
    throw new Error(`${fn}: estimator must be 'ols', 'max' or 'quantile', got ${JSON.stringify(estimator)}`);
  }
  const averaging = options.averaging ?? 'norm';
  if (averaging !== 'norm' && averaging !== 'log') {
    throw new Error(`${fn}: averaging must be 'norm' or 'log', got ${JSON.stringify(averaging)}`);
  }
  const cumulative = options.cumulative ?? base.cumulative;
  if (cumulative !== 'exact' && cumulative !== 'approximate') {
    throw new Error(`${fn}: cumulative must be 'exact' or 'approximate', got ${JSON.stringify(cumulative)}`);
  }
  return {
    delta,
    preset,
    window,
    burnIn,
    samples,
    repeats,
    ...schedule,
    refreshAtStart,
    kmin,
    kmax,
    estimator,
    tau,
    averaging,
    cumulative,
    initialK,
  };
}

/** The adaptive controller, with its resolved settings. */
export type AdaptiveTruncation = TruncationController<AdaptiveTruncationState> & {
  readonly settings: AdaptiveTruncationSettings;
};

/**
 * The paper's adaptive truncation (Aicher, Foti & Fox 2019, Section 4.3): on its schedule, measure `repeats`
 * gradient-norm profiles φ̂ (S sampled positions, burn-in, W lags), estimate β̂ and δ̂(K) from each, take the
 * unclamped κ̂(δ) = min{K ∈ [1, W] : δ̂(K) < δ} (W when none is), and set K to the floor of their mean
 * clamped to [kmin, kmax] — the reference's rule. A profile that is zero everywhere carries no signal and is
 * skipped; if all are, K is kept.
 */
export function adaptiveTruncation(options: AdaptiveTruncationOptions): AdaptiveTruncation {
  const settings = adaptiveTruncationSettings(options);
  const { delta, window, burnIn, samples, repeats, kmin, kmax, estimator, averaging, tau, cumulative } =
    settings;

  const due = (state: AdaptiveTruncationState, context: TruncationContext): boolean => {
    if (state.estimates === 0 && settings.refreshAtStart && context.update === 0) return true;
    if (settings.refreshEvery !== undefined)
      return context.update - state.lastUpdate >= settings.refreshEvery;
    return context.steps - state.lastSteps >= settings.refreshEverySteps!;
  };

  function estimate(k: number, context: TruncationContext): TruncationEstimate {
    const estimates: number[] = [];
    const betas: number[] = [];
    const atCurrent: number[] = [];
    const curves: Float64Array[] = [];
    let skipped = 0;
    for (const profile of context.profiles({ window, burnIn, samples, repeats, averaging })) {
      try {
        const analysis = analyzeProfile(profile, { estimator, tau, cumulative });
        estimates.push(analysis.truncationFor(delta, { kmin: 1, kmax: window }));
        betas.push(analysis.beta);
        atCurrent.push(biasAt(analysis.relativeBias, k));
        curves.push(analysis.relativeBias);
      } catch (error) {
        if (!(error instanceof ZeroProfileError)) throw error;
        skipped++;
      }
    }
    const chosen = estimates.length === 0 ? k : Math.min(kmax, Math.max(kmin, Math.floor(mean(estimates))));
    return {
      update: context.update,
      current: k,
      chosen,
      beta: estimates.length === 0 ? Number.NaN : mean(betas),
      deltaAtCurrent: estimates.length === 0 ? Number.NaN : mean(atCurrent),
      deltaAtChosen: estimates.length === 0 ? Number.NaN : mean(curves.map((c) => biasAt(c, chosen))),
      estimates,
      skipped,
    };
  }

  return {
    kind: 'adaptive',
    settings,
    init: () => ({
      kind: 'adaptive',
      delta,
      truncation: settings.initialK,
      lastUpdate: 0,
      lastSteps: 0,
      estimates: 0,
    }),
    next(state, context): [TruncationDecision, AdaptiveTruncationState] {
      if (!due(state, context)) return [{ truncation: state.truncation, learningRateScale: 1 }, state];
      const result = estimate(state.truncation, context);
      return [
        { truncation: result.chosen, learningRateScale: 1, estimate: result },
        {
          kind: 'adaptive',
          delta,
          truncation: result.chosen,
          lastUpdate: context.update,
          lastSteps: context.steps,
          estimates: state.estimates + 1,
        },
      ];
    },
    truncation: (state) => state.truncation,
    restore(json) {
      const ok =
        isRecord(json) &&
        json.kind === 'adaptive' &&
        json.delta === delta &&
        Number.isInteger(json.truncation) &&
        (json.truncation as number) >= kmin &&
        (json.truncation as number) <= kmax &&
        Number.isInteger(json.lastUpdate) &&
        Number.isInteger(json.lastSteps) &&
        Number.isInteger(json.estimates);
      if (!ok)
        throw restoreError(
          'adaptiveTruncation',
          json,
          `adaptive with delta ${delta}, K in [${kmin}, ${kmax}]`,
        );
      return {
        kind: 'adaptive',
        delta,
        truncation: json.truncation as number,
        lastUpdate: json.lastUpdate as number,
        lastSteps: json.lastSteps as number,
        estimates: json.estimates as number,
      };
    },
  };
}

/** δ̂(K) for K ≥ 1; beyond the profile (K > W) the last value, an upper bound since δ̂ is non-increasing. */
export function biasAt(relativeBias: Float64Array, k: number): number {
  return relativeBias[Math.min(k, relativeBias.length) - 1]!;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
