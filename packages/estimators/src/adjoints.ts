import { EstimatorInputError } from './errors.js';
import type { GradientNormProfile } from './profile.js';
import { profileFromSampleNorms, type SampleNormOptions } from './sample-norms.js';

/** Options of {@link profileFromAdjoints}: the reduction of {@link SampleNormOptions} and the window W. */
export interface AdjointOptions extends SampleNormOptions {
  /** W: lags in the array; D = length / (W·S) is the state size. */
  window: number;
}

/**
 * A profile with both φ̂ and the cumulative-adjoint norms, from explicit adjoint vectors
 * a_{k,s} = ∂L_s/∂h_{s−k} ∈ ℝ^D, `adjoints` [W, S, D] lag-major (entry (k·S + s)·D + d):
 *
 *     φ̂_k           = mean_s ‖a_{k,s}‖  (or the geometric mean, see SampleNormOptions.averaging)
 *     cumulative[k] = ‖ (1/n) Σ_{s ∈ rows} Σ_{j≤k} a_{j,s} ‖
 *
 * In float64, on plain arrays: the independent computation against which a probe's exact C(K) can be
 * checked (per-lag backward passes give the a_{k,s}), and a way to build profiles for the exact C from
 * known adjoints.
 *
 * @throws EstimatorInputError for a bad shape, row range or a non-finite entry.
 */
export function profileFromAdjoints(
  adjoints: Float32Array | Float64Array | readonly number[],
  options: AdjointOptions,
): GradientNormProfile {
  const caller = 'profileFromAdjoints';
  const { window, samples } = options;
  if (!Number.isInteger(window) || window < 2) {
    throw new EstimatorInputError(`${caller}: window must be an integer ≥ 2, got ${String(window)}`);
  }
  if (!Number.isInteger(samples) || samples < 1) {
    throw new EstimatorInputError(`${caller}: samples must be an integer ≥ 1, got ${String(samples)}`);
  }
  const dimension = adjoints.length / (window * samples);
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new EstimatorInputError(
      `${caller}: expected W × S × D = ${window} × ${samples} × D values, got ${adjoints.length}; ` +
        'check window and samples',
    );
  }
  for (let i = 0; i < adjoints.length; i++) {
    if (!Number.isFinite(adjoints[i] as number)) {
      throw new EstimatorInputError(
        `${caller}: adjoint entry ${i} must be a finite number, got ${String(adjoints[i])}; the probe diverged`,
      );
    }
  }
  const norms = new Float64Array(window * samples); // [W, S]
  for (let ks = 0; ks < window * samples; ks++) {
    let square = 0;
    for (let d = 0; d < dimension; d++) square += (adjoints[ks * dimension + d] as number) ** 2;
    norms[ks] = Math.sqrt(square);
  }
  const profile = profileFromSampleNorms(norms, options); // checks averaging and rows
  const [start, end] = options.rows ?? [0, samples];
  const n = end - start;
  const runningMean = new Float64Array(dimension); // (1/n) Σ_s Σ_{j≤k} a_{j,s}
  const cumulative = new Float64Array(window);
  for (let k = 0; k < window; k++) {
    for (let s = start; s < end; s++) {
      const offset = (k * samples + s) * dimension;
      for (let d = 0; d < dimension; d++) {
        runningMean[d] = (runningMean[d] as number) + (adjoints[offset + d] as number) / n;
      }
    }
    let square = 0;
    for (let d = 0; d < dimension; d++) square += (runningMean[d] as number) ** 2;
    cumulative[k] = Math.sqrt(square);
  }
  return { ...profile, cumulative };
}
