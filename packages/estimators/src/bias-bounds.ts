import { ZeroProfileError } from './errors.js';

/** E(K), C(K) and δ̂(K) for K = 1..W; index K − 1 holds the value for truncation K. */
export interface BiasBounds {
  /** E(K): upper bound on the expected absolute bias ‖E ĝ_K − g‖, in units of M = sup ‖∂h/∂θ‖. */
  absoluteBias: Float64Array;
  /**
   * C(K), the proxy for ‖E ĝ_K‖ in units of M: Σ_{k<K} φ̂_k (approximate) or the measured
   * ‖(1/S) Σ_s Σ_{k<K} ∂L_s/∂h_{s−k}‖ (exact).
   */
  cumulativeNorm: Float64Array;
  /** δ̂(K) = E(K) / max_K' (C(K') − E(K')): the relative bias bound of Theorem 1 (+∞ when unbounded). */
  relativeBias: Float64Array;
}

/**
 * Bias bounds of truncated BPTT from a gradient-norm profile (ARCHITECTURE §1; Section 4 and Theorem 1 of
 * Aicher, Foti & Fox 2019). With φ̂ the profile, τ the start of geometric decay and β̂ its rate:
 *
 *     E(K) = Σ_{k=K}^{τ−1} φ̂_k + φ̂_τ / (1 − β̂)     for K < τ
 *     E(K) = φ̂_τ · β̂^(K−τ) / (1 − β̂)              for K ≥ τ
 *     C(K) = Σ_{k<K} φ̂_k                                  approximate (the default)
 *     C(K) = cumulative[K−1] = ‖(1/S) Σ_s Σ_{k<K} ∂L_s/∂h_{s−k}‖   exact, when `cumulative` is given
 *     δ̂(K) = E(K) / max_K' (C(K') − E(K'))
 *
 * The exact C is the norm of the mean truncated gradient's adjoint part, a lower bound's better proxy: by
 * the triangle inequality it is ≤ the approximate C (under norm averaging), so δ̂ is larger and κ̂ too.
 *
 * Edge cases: φ̂_τ = 0 makes the geometric tail 0 whatever β̂; otherwise β̂ ≥ 1 makes E infinite. A
 * denominator that is not positive (or not finite) makes every δ̂(K) = +∞. The sums run on φ̂ divided by
 * max φ̂ (δ̂ is scale-free) and the tail in log space, so tiny or huge norms neither underflow nor overflow.
 *
 * @param phi φ̂_k, k = 0..W−1, finite and ≥ 0 (see validateProfile).
 * @param tau τ ∈ [0, W − 1].
 * @param logBeta log β̂.
 * @param cumulative the exact C: cumulative[k] for k = 0..W−1 (finite, ≥ 0; see GradientNormProfile);
 *   omitted, C is the approximation Σ_{k<K} φ̂_k. It is divided by the same max φ̂ as the sums.
 * @throws ZeroProfileError when every φ̂_k is 0.
 */
export function biasBounds(
  phi: Float64Array,
  tau: number,
  logBeta: number,
  cumulative?: Float64Array | readonly number[],
): BiasBounds {
  const window = phi.length;
  let scale = 0;
  for (let k = 0; k < window; k++) scale = Math.max(scale, phi[k] as number);
  if (scale === 0) {
    throw new ZeroProfileError(
      `biasBounds: the gradient-norm profile is 0 at all ${window} lags, so it carries no gradient signal; ` +
        'keep the current truncation, or probe with a longer burn-in or at another point of training',
    );
  }
  const scaledTau = (phi[tau] as number) / scale;
  // log of the tail constant φ̂_τ/(1 − β̂), scaled; −∞ for a vanished tail, +∞ when it does not decay.
  let logTail: number;
  if (scaledTau === 0) logTail = Number.NEGATIVE_INFINITY;
  else if (logBeta >= 0) logTail = Number.POSITIVE_INFINITY;
  else logTail = Math.log(scaledTau) - Math.log(-Math.expm1(logBeta));

  const absoluteBias = new Float64Array(window);
  const cumulativeNorm = new Float64Array(window);
  const tail = Math.exp(logTail);
  // Suffix sums Σ_{k=K}^{τ−1} φ̂_k, accumulated from the small end for accuracy.
  let suffix = 0;
  for (let K = window; K >= 1; K--) {
    if (K < tau) {
      suffix += (phi[K] as number) / scale;
      absoluteBias[K - 1] = suffix + tail;
    } else if (logTail === Number.NEGATIVE_INFINITY) {
      absoluteBias[K - 1] = 0;
    } else {
      absoluteBias[K - 1] = Math.exp(logTail + (K - tau) * logBeta);
    }
  }
  let prefix = 0;
  let denominator = Number.NEGATIVE_INFINITY;
  for (let K = 1; K <= window; K++) {
    prefix += (phi[K - 1] as number) / scale;
    const c = cumulative === undefined ? prefix : (cumulative[K - 1] as number) / scale;
    cumulativeNorm[K - 1] = c;
    denominator = Math.max(denominator, c - (absoluteBias[K - 1] as number));
  }
  const relativeBias = new Float64Array(window);
  const bounded = denominator > 0 && Number.isFinite(denominator);
  for (let K = 1; K <= window; K++) {
    const e = absoluteBias[K - 1] as number;
    relativeBias[K - 1] = bounded ? e / denominator : Number.POSITIVE_INFINITY;
    absoluteBias[K - 1] = e * scale;
    cumulativeNorm[K - 1] = (cumulativeNorm[K - 1] as number) * scale;
  }
  return { absoluteBias, cumulativeNorm, relativeBias };
}
