import { biasBounds } from './bias-bounds.js';
import { type DecayEstimator, estimateLogBeta } from './decay-rate.js';
import { EstimatorInputError } from './errors.js';
import { type GradientNormProfile, validateProfile } from './profile.js';
import { chooseTruncation, chooseTruncations, type TruncationBounds } from './truncation.js';

export interface AnalyzeOptions {
  /** How β̂ is estimated (default 'ols', as the reference implementation). */
  estimator?: DecayEstimator;
  /** τ, the lag where geometric decay starts (default W − ⌊W/10⌋, the paper's experiments; at most W − 2). */
  tau?: number;
  /** q for the 'quantile' estimator (default 0.95). */
  quantile?: number;
  /** First lag of the 'ols' fit (default 0). */
  fitFrom?: number;
  /**
   * Which C(K) the denominator of δ̂ uses (default 'approximate'):
   * - 'approximate': C(K) = Σ_{k<K} φ̂_k (the reference's language-model runs, `cum_grad_norm_approx=True`);
   * - 'exact': C(K) = profile.cumulative[K − 1] = ‖(1/S) Σ_s Σ_{k<K} ∂L_s/∂h_{s−k}‖ (its synthetic and
   *   point-process runs); needs `profile.cumulative`. Smaller (triangle inequality), so κ̂ is larger.
   */
  cumulative?: CumulativeMethod;
}

/** Which C(K) the analysis uses: Σ_{k<K} φ̂_k, or the measured norm of the summed mean adjoints. */
export type CumulativeMethod = 'approximate' | 'exact';

/** Everything the method derives from one profile. Arrays hold the value for truncation K at index K − 1. */
export interface ProfileAnalysis {
  /** log β̂. */
  logBeta: number;
  /** β̂ = exp(log β̂): the estimated geometric decay rate of φ. */
  beta: number;
  /** τ used for the bounds. */
  tau: number;
  /** W, the profile length. */
  window: number;
  /** E(K), in units of M. */
  absoluteBias: Float64Array;
  /** C(K), in units of M: Σ_{k<K} φ̂_k ('approximate') or profile.cumulative[K − 1] ('exact'). */
  cumulativeNorm: Float64Array;
  /** Which C(K) was used. */
  cumulative: CumulativeMethod;
  /** δ̂(K), the relative bias bound (Theorem 1). */
  relativeBias: Float64Array;
  /** κ̂(δ) clamped to [kmin, kmax]. */
  truncationFor(delta: number, bounds?: TruncationBounds): number;
  /** κ̂(δ) for each δ. */
  truncationsFor(deltas: readonly number[], bounds?: TruncationBounds): number[];
}

/** Default τ = W − ⌊W/10⌋ (the paper's experiments), kept ≤ W − 2 so two lags remain in [τ, W). */
export function defaultTau(window: number): number {
  return Math.max(0, Math.min(window - Math.floor(window / 10), window - 2));
}

/**
 * From a gradient-norm profile φ̂ to the truncation length: β̂ (Section 4.2), E(K), C(K), δ̂(K)
 * (Section 4, Theorem 1) and κ̂(δ) (Section 4.3) of Aicher, Foti & Fox, UAI 2019 (arXiv 1905.07473).
 * See ARCHITECTURE §1. C(K) is the approximation Σ_{k<K} φ̂_k unless `cumulative: 'exact'`.
 *
 * Where this differs from the authors' code (aicherc/adaptive_tbptt, `tbptt/adaptive_truncation.py`), on
 * purpose:
 * - Lag index: here φ̂_0 is the adjoint of the state the loss's own step produced, and truncation K keeps
 *   lags 0..K−1, so E(K) = Σ_{k≥K} and C(K) = Σ_{k<K} line up with the truncation. The reference's
 *   `grad_norm[j]` is lag j + 1 (it starts at the state entering the last step) while its E(K) still sums
 *   from index K, so its E(K) is the bias of truncation K + 1 and its κ̂ comes out one smaller.
 * - E(K) below τ: Σ_{k=K}^{τ−1} φ̂_k + φ̂_τ/(1 − β̂) (the paper's bound); the reference's sum runs to τ
 *   inclusive and so counts φ̂_τ twice (E jumps by φ̂_τ between K = τ − 1 and τ).
 * - Vanished lags: the fits skip log φ̂_k − log max φ̂ < −50, relative to the largest norm (the
 *   reference's −50 is absolute, so a profile in other units loses every lag); zero norms under 'log'
 *   averaging give φ̂_k = 0 exactly (see profileFromSampleNorms), not the reference's log(1e−100) floor.
 *
 * @throws EstimatorInputError for a malformed profile or option (the message names the index or field).
 * @throws ZeroProfileError when φ̂ is 0 everywhere (no gradient signal).
 */
export function analyzeProfile(profile: GradientNormProfile, options: AnalyzeOptions = {}): ProfileAnalysis {
  const phi = validateProfile(profile, 'analyzeProfile');
  const window = phi.length;
  const estimator = options.estimator ?? 'ols';
  const tau = options.tau ?? defaultTau(window);
  if (!Number.isInteger(tau) || tau < 0 || tau > window - 1) {
    throw new EstimatorInputError(
      `analyzeProfile: tau must be an integer in [0, W − 1] = [0, ${window - 1}], got ${String(tau)}`,
    );
  }
  const logPhi = new Float64Array(window);
  for (let k = 0; k < window; k++) logPhi[k] = Math.log(phi[k] as number);
  const decayOptions = {
    estimator,
    tau,
    ...optional('quantile', options.quantile),
    ...optional('fitFrom', options.fitFrom),
  };
  const logBeta = estimateLogBeta(logPhi, decayOptions);
  const cumulative = options.cumulative ?? 'approximate';
  if (cumulative !== 'approximate' && cumulative !== 'exact') {
    throw new EstimatorInputError(
      `analyzeProfile: cumulative must be 'approximate' or 'exact', got ${JSON.stringify(cumulative)}`,
    );
  }
  if (cumulative === 'exact' && profile.cumulative === undefined) {
    throw new EstimatorInputError(
      "analyzeProfile: cumulative: 'exact' needs the cumulative-adjoint norms, but profile.cumulative is " +
        "missing; take the profile with a probe that measures them (or profileFromAdjoints), or use cumulative: 'approximate'",
    );
  }
  const { absoluteBias, cumulativeNorm, relativeBias } = biasBounds(
    phi,
    tau,
    logBeta,
    cumulative === 'exact' ? profile.cumulative : undefined,
  );
  return {
    logBeta,
    beta: Math.exp(logBeta),
    tau,
    window,
    absoluteBias,
    cumulativeNorm,
    cumulative,
    relativeBias,
    truncationFor: (delta, bounds) => chooseTruncation(relativeBias, delta, bounds),
    truncationsFor: (deltas, bounds) => chooseTruncations(relativeBias, deltas, bounds),
  };
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
