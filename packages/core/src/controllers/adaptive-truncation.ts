import { analyzeProfile, type DecayEstimator, ZeroProfileError } from '@tbptt/estimators';
import {
  checkPositiveInteger,
  type TruncationChange,
  type TruncationContext,
  type TruncationController,
  type TruncationDecision,
} from './truncation-controller';

export interface AdaptiveTruncationOptions {
  /** δ ∈ (0, 1): the tolerated relative bias of the truncated gradient (Theorem 1). */
  delta: number;
  /** Which defaults to take: the paper's language-model or synthetic-task settings. Default 'language-model'. */
  preset?: 'language-model' | 'synthetic';
  /** W: lags in each profile. Default 400 (language model) / 100 (synthetic), the paper's. */
  window?: number;
  /** Warm-up steps before each probe window. Default ⌊W/10⌋, the paper's. */
  burnIn?: number;
  /** S: positions sampled per profile. Default 32: rows are independent, so one probe measures all of them. */
  samples?: number;
  /** Updates between estimates. Default 1000: with 5 repeats this keeps estimating to a few % of the time. */
  refreshEvery?: number;
  /**
   * Estimate before the first update too. Default false: an untrained network's gradients decay fast, so an
   * estimate at initialisation picks a K too short to learn long dependencies, and then the network never
   * develops them; training first with `initialK` avoids that trap.
   */
  refreshAtStart?: boolean;
  /** Profiles per estimate; κ̂ is averaged over them. Default 5, the paper's. */
  repeats?: number;
  /** Bounds on K. Default 10 / 300 (language model) and 2 / 100 (synthetic), the paper's. */
  kmin?: number;
  kmax?: number;
  /** β̂ estimator. Default 'ols' (the reference implementation). */
  estimator?: DecayEstimator;
  /** τ, the lag where geometric decay starts. Default: the estimators' W − ⌊W/10⌋. */
  tau?: number;
  /** Averaging of the per-sample norms. Default 'norm'. */
  averaging?: 'norm' | 'log';
  /** K before the first estimate. Default 10, clamped to [kmin, kmax]. */
  initialK?: number;
}

/** The resolved settings of an adaptive controller (every default filled in). */
export type AdaptiveTruncationSettings = Required<Omit<AdaptiveTruncationOptions, 'tau'>> & { tau?: number };

/** Checks the options and fills the defaults; errors name the field, the value and what is expected. */
export function adaptiveTruncationSettings(options: AdaptiveTruncationOptions): AdaptiveTruncationSettings {
  const fn = 'adaptiveTruncation';
  const preset = options.preset ?? 'language-model';
  if (preset !== 'language-model' && preset !== 'synthetic') {
    throw new Error(`${fn}: preset must be 'language-model' or 'synthetic', got ${JSON.stringify(preset)}`);
  }
  const lm = preset === 'language-model';
  const { delta } = options;
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) {
    throw new Error(
      `${fn}: delta must be in (0, 1), got ${String(delta)}; e.g. delta: 0.1 tolerates 10% bias`,
    );
  }
  const window = options.window ?? (lm ? 400 : 100);
  if (typeof window !== 'number' || !Number.isInteger(window) || window < 2) {
    throw new Error(`${fn}: window must be an integer ≥ 2 (lags in the profile), got ${String(window)}`);
  }
  const burnIn = options.burnIn ?? Math.floor(window / 10);
  if (typeof burnIn !== 'number' || !Number.isInteger(burnIn) || burnIn < 0) {
    throw new Error(`${fn}: burnIn must be an integer ≥ 0, got ${String(burnIn)}`);
  }
  const samples = checkPositiveInteger(fn, 'samples', options.samples ?? 32);
  const refreshEvery = checkPositiveInteger(fn, 'refreshEvery', options.refreshEvery ?? 1000);
  const refreshAtStart = options.refreshAtStart ?? false;
  const repeats = checkPositiveInteger(fn, 'repeats', options.repeats ?? 5);
  const kmin = checkPositiveInteger(fn, 'kmin', options.kmin ?? (lm ? 10 : 2));
  const kmax = checkPositiveInteger(fn, 'kmax', options.kmax ?? (lm ? 300 : 100));
  if (kmin > kmax) {
    throw new Error(`${fn}: kmin (${kmin}) must not exceed kmax (${kmax}); swap them or widen the range`);
  }
  const initialK = checkPositiveInteger(
    fn,
    'initialK (K)',
    options.initialK ?? Math.min(Math.max(10, kmin), kmax),
  );
  const estimator = options.estimator ?? 'ols';
  if (estimator !== 'ols' && estimator !== 'max' && estimator !== 'quantile') {
    throw new Error(`${fn}: estimator must be 'ols', 'max' or 'quantile', got ${JSON.stringify(estimator)}`);
  }
  const averaging = options.averaging ?? 'norm';
  if (averaging !== 'norm' && averaging !== 'log') {
    throw new Error(`${fn}: averaging must be 'norm' or 'log', got ${JSON.stringify(averaging)}`);
  }
  if (
    options.tau !== undefined &&
    (!Number.isInteger(options.tau) || options.tau < 0 || options.tau >= window)
  ) {
    throw new Error(
      `${fn}: tau must be an integer in [0, window − 1] = [0, ${window - 1}], got ${options.tau}`,
    );
  }
  return {
    delta,
    preset,
    window,
    burnIn,
    samples,
    refreshEvery,
    refreshAtStart,
    repeats,
    kmin,
    kmax,
    estimator,
    averaging,
    initialK,
    ...(options.tau === undefined ? {} : { tau: options.tau }),
  };
}

/**
 * The paper's adaptive truncation (Aicher, Foti & Fox 2019, Section 4.3): every `refreshEvery` updates,
 * measure `repeats` gradient-norm profiles φ̂ (S sampled positions, burn-in, W lags), estimate β̂ and δ̂(K)
 * from each, take κ̂(δ) = min{K : δ̂(K) < δ}, average over the repeats and clamp to [kmin, kmax].
 * A profile that is zero everywhere carries no signal and is skipped; if all are, K is kept.
 */
export function adaptiveTruncation(options: AdaptiveTruncationOptions): TruncationController & {
  readonly settings: AdaptiveTruncationSettings;
} {
  const settings = adaptiveTruncationSettings(options);
  const { delta, window, burnIn, samples, refreshEvery, repeats, kmin, kmax, estimator, averaging } =
    settings;
  let k = settings.initialK;
  // The update of the last estimate; −refreshEvery so that the first comes before update 0.
  let lastRefresh = settings.refreshAtStart ? -refreshEvery : 0;

  function refresh(context: TruncationContext): TruncationChange | undefined {
    const estimates: number[] = [];
    const betas: number[] = [];
    const biasFrom: number[] = [];
    const biasTo: Float64Array[] = [];
    for (const profile of context.profiles({ window, burnIn, samples, repeats, averaging })) {
      try {
        const analysis = analyzeProfile(profile, {
          estimator,
          ...(settings.tau === undefined ? {} : { tau: settings.tau }),
        });
        estimates.push(analysis.truncationFor(delta, { kmin, kmax }));
        betas.push(analysis.beta);
        biasFrom.push(biasAt(analysis.relativeBias, k));
        biasTo.push(analysis.relativeBias);
      } catch (error) {
        if (!(error instanceof ZeroProfileError)) throw error;
      }
    }
    if (estimates.length === 0) return undefined;
    const from = k;
    const averaged = estimates.reduce((a, b) => a + b, 0) / estimates.length;
    k = Math.min(kmax, Math.max(kmin, Math.round(averaged)));
    return {
      update: context.update,
      from,
      to: k,
      beta: mean(betas),
      deltaAtFrom: mean(biasFrom),
      deltaAtTo: mean(biasTo.map((bias) => biasAt(bias, k))),
      estimates,
    };
  }

  return {
    kind: 'adaptive',
    settings,
    current: () => k,
    next(context): TruncationDecision {
      if (context.update - lastRefresh >= refreshEvery) {
        lastRefresh = context.update;
        const change = refresh(context);
        return { truncation: k, learningRateScale: 1, ...(change === undefined ? {} : { refresh: change }) };
      }
      return { truncation: k, learningRateScale: 1 };
    },
    getState: () => ({ kind: 'adaptive', truncation: k, lastRefresh, delta }),
    setState(state) {
      if (state.kind !== 'adaptive' || state.delta !== delta) {
        throw new Error(
          `adaptiveTruncation.setState: the checkpoint holds ${JSON.stringify(state)}, but this controller has delta ${delta}; ` +
            'resume with the controller the run was started with',
        );
      }
      k = state.truncation as number;
      lastRefresh = state.lastRefresh as number;
    },
  };
}

/** δ̂(K) for K ≥ 1; beyond the profile (K > W) the last value, an upper bound since δ̂ is non-increasing. */
function biasAt(relativeBias: Float64Array, k: number): number {
  return relativeBias[Math.min(k, relativeBias.length) - 1]!;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
