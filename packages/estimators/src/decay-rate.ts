import { EstimatorInputError } from './errors.js';

/** How β̂ is estimated from log φ̂ (ARCHITECTURE §1; the paper's Section 4.2). */
export type DecayEstimator = 'ols' | 'max' | 'quantile';

/**
 * A lag with log φ̂_k − log max_j φ̂_j below this is treated as 0 (a vanished gradient) and left out of every
 * fit: e^−50 ≈ 2e−22 relative to the largest norm is far below the float32 resolution of the adjoints. The
 * reference implementation's floor is absolute (log φ̂_k < −50), so there a profile measured in other units
 * (all norms × 1e−300) loses every lag and gets β̂ = 1, K = kmax; relative to max φ̂ the fit is scale-free.
 */
export const LOG_PHI_FLOOR = -50;

export interface DecayRateOptions {
  estimator: DecayEstimator;
  /** τ: the lag from which the decay is geometric (`max` and `quantile` use lags [τ, W)). */
  tau: number;
  /** Quantile q of the pairwise slopes for `quantile` (default 0.95). */
  quantile?: number;
  /** First lag of the least-squares fit for `ols` (default 0: the whole profile). */
  fitFrom?: number;
}

/**
 * Estimates log β̂, the log of the geometric decay rate of the gradient-norm profile
 * (`E φ_{k+1} ≤ β E φ_k` for k ≥ τ; Assumption 2 and Section 4.2 of Aicher, Foti & Fox 2019).
 *
 * - `ols`: least-squares slope of log φ̂_k on k over k ∈ [fitFrom, W), skipping vanished lags.
 * - `max`: max over k ∈ (τ, W) of (log φ̂_k − log φ̂_τ) / (k − τ), the largest average slope from τ.
 * - `quantile`: the q-quantile of the pairwise slopes (log φ̂_j − log φ̂_i) / (j − i), τ ≤ i < j < W.
 *
 * Vanished lags, log φ̂_k − log max_j φ̂_j < −50 ({@link LOG_PHI_FLOOR}), are skipped by all three; the
 * max runs over the whole profile, so scaling φ̂ by any positive constant leaves β̂ unchanged. With fewer
 * than two usable lags the decay cannot be seen, and the result is 0 (β̂ = 1: the bias bound is unbounded
 * unless the tail has vanished).
 *
 * @param logPhi log φ̂_k for k = 0..W−1 (−∞ for a zero norm).
 * @returns log β̂ (may be ≥ 0: no decay).
 */
export function estimateLogBeta(logPhi: Float64Array, options: DecayRateOptions): number {
  const window = logPhi.length;
  const { estimator, tau } = options;
  let logMax = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < window; k++) logMax = Math.max(logMax, logPhi[k] as number);
  // Relative floor: lags more than e^50 below the largest are vanished (−∞ when the profile is all zero).
  const floor = logMax + LOG_PHI_FLOOR;
  const usable = (logPhiK: number): boolean => logPhiK >= floor && logPhiK > Number.NEGATIVE_INFINITY;
  if (estimator === 'ols') {
    const fitFrom = options.fitFrom ?? 0;
    if (!Number.isInteger(fitFrom) || fitFrom < 0 || fitFrom >= window - 1) {
      throw new EstimatorInputError(
        `estimateLogBeta: fitFrom must be an integer in [0, W − 2] = [0, ${window - 2}], got ${String(fitFrom)}`,
      );
    }
    return olsSlope(logPhi, fitFrom, usable);
  }
  if (!Number.isInteger(tau) || tau < 0 || tau >= window - 1) {
    throw new EstimatorInputError(
      `estimateLogBeta: tau must be an integer in [0, W − 2] = [0, ${window - 2}] for the '${estimator}' ` +
        `estimator (it needs two lags in [τ, W)), got ${String(tau)}`,
    );
  }
  if (estimator === 'max') return maxSlope(logPhi, tau, usable);
  if (estimator === 'quantile') {
    const q = options.quantile ?? 0.95;
    if (!(q >= 0 && q <= 1)) {
      throw new EstimatorInputError(`estimateLogBeta: quantile must be in [0, 1], got ${String(q)}`);
    }
    return quantileSlope(logPhi, tau, q, usable);
  }
  throw new EstimatorInputError(
    `estimateLogBeta: estimator must be 'ols', 'max' or 'quantile', got ${JSON.stringify(estimator)}`,
  );
}

type Usable = (logPhiK: number) => boolean;

/** Least-squares slope of log φ̂_k on k, k ∈ [from, W), over usable lags; 0 when fewer than two. */
function olsSlope(logPhi: Float64Array, from: number, usable: Usable): number {
  let count = 0;
  let meanK = 0;
  let meanY = 0;
  for (let k = from; k < logPhi.length; k++) {
    const y = logPhi[k] as number;
    if (!usable(y)) continue;
    count++;
    meanK += (k - meanK) / count;
    meanY += (y - meanY) / count;
  }
  if (count < 2) return 0;
  let sxy = 0;
  let sxx = 0;
  for (let k = from; k < logPhi.length; k++) {
    const y = logPhi[k] as number;
    if (!usable(y)) continue;
    const dk = k - meanK;
    sxy += dk * (y - meanY);
    sxx += dk * dk;
  }
  return sxy / sxx;
}

/** max over k ∈ (τ, W) of (log φ̂_k − log φ̂_τ)/(k − τ); 0 when φ̂_τ or every later lag is unusable. */
function maxSlope(logPhi: Float64Array, tau: number, usable: Usable): number {
  const anchor = logPhi[tau] as number;
  if (!usable(anchor)) return 0;
  let best = Number.NEGATIVE_INFINITY;
  for (let k = tau + 1; k < logPhi.length; k++) {
    const y = logPhi[k] as number;
    if (!usable(y)) continue;
    best = Math.max(best, (y - anchor) / (k - tau));
  }
  return best === Number.NEGATIVE_INFINITY ? 0 : best;
}

/** q-quantile (linear interpolation, as numpy's default) of pairwise slopes on [τ, W); 0 when no pair. */
function quantileSlope(logPhi: Float64Array, tau: number, q: number, usable: Usable): number {
  const lags: number[] = [];
  for (let k = tau; k < logPhi.length; k++) if (usable(logPhi[k] as number)) lags.push(k);
  const pairs = (lags.length * (lags.length - 1)) / 2;
  if (pairs < 1) return 0;
  const slopes = new Float64Array(pairs);
  let n = 0;
  for (let a = 0; a < lags.length; a++) {
    const i = lags[a] as number;
    const yi = logPhi[i] as number;
    for (let b = a + 1; b < lags.length; b++) {
      const j = lags[b] as number;
      slopes[n++] = ((logPhi[j] as number) - yi) / (j - i);
    }
  }
  slopes.sort();
  const position = q * (pairs - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, pairs - 1);
  const low = slopes[lower] as number;
  return low + (position - lower) * ((slopes[upper] as number) - low);
}
