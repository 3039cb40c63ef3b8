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
}

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
  /** C(K) = Σ_{k<K} φ̂_k, in units of M. */
  cumulativeNorm: Float64Array;
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
 * (Section 4, Theorem 1) and κ̂(δ) (Section 4.3) of Aicher, Foti & Fox, UAI 2019. See ARCHITECTURE §1.
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
  const { absoluteBias, cumulativeNorm, relativeBias } = biasBounds(phi, tau, logBeta);
  return {
    logBeta,
    beta: Math.exp(logBeta),
    tau,
    window,
    absoluteBias,
    cumulativeNorm,
    relativeBias,
    truncationFor: (delta, bounds) => chooseTruncation(relativeBias, delta, bounds),
    truncationsFor: (deltas, bounds) => chooseTruncations(relativeBias, deltas, bounds),
  };
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
