import type { ComponentProfiles } from './analyze-components.js';
import { EstimatorInputError } from './errors.js';
import type { GradientNormProfile } from './profile.js';

/** How per-sample norms are reduced to φ̂. */
export interface SampleNormOptions {
  /** S: samples per lag, the length of each row of the array (the probe's batch rows). */
  samples: number;
  /**
   * 'norm': φ̂_k = (1/n) Σ_s ‖a_{k,s}‖ (the reference's default); 'log': φ̂_k = exp((1/n) Σ_s log ‖a_{k,s}‖),
   * the geometric mean (its `est_after_log`). A zero norm under 'log' makes φ̂_k exactly 0 (log 0 = −∞), a
   * vanished lag, where the reference adds 1e−100 first (see the package README for why).
   */
  averaging: 'norm' | 'log';
  /** [start, end): the samples s averaged (default [0, S)), e.g. one group of rows; n = end − start ≥ 1. */
  rows?: readonly [number, number];
}

/** {@link SampleNormOptions} for a [W, C, S] array, with the names of the C state components. */
export interface ComponentNormOptions extends SampleNormOptions {
  /** Names of the C components in array order ('l0.h', 'l0.c', …); C = names.length. */
  componentNames: readonly string[];
}

type Numbers = Float32Array | Float64Array | readonly number[];

/**
 * φ̂ from per-sample adjoint norms (ARCHITECTURE §1; Section 4.1 of Aicher, Foti & Fox 2019):
 *
 *     φ̂_k = (1/n) Σ_{s ∈ rows} norms[k·S + s]                  'norm'
 *     φ̂_k = exp((1/n) Σ_{s ∈ rows} log norms[k·S + s])         'log'
 *
 * `norms` is [W, S] lag-major: row k holds ‖∂L_s/∂h_{s−k}‖ for the S samples (lag 0 at row 0). Sums run
 * in float64. The result's `samples` is n, the number of rows averaged.
 *
 * @throws EstimatorInputError when the length is not a multiple of S, W < 2, the row range is not inside
 *   [0, S), or a norm is negative or not finite.
 */
export function profileFromSampleNorms(norms: Numbers, options: SampleNormOptions): GradientNormProfile {
  const caller = 'profileFromSampleNorms';
  const { window, start, end } = checkLayout(caller, norms, 1, options);
  checkNorms(caller, norms);
  const phi = new Float64Array(window);
  const { samples, averaging } = options;
  for (let k = 0; k < window; k++) {
    let sum = 0;
    for (let s = start; s < end; s++) sum += reduce(norms[k * samples + s] as number, averaging);
    phi[k] = finish(sum, end - start, averaging);
  }
  return { phi, samples: end - start, averaging, window };
}

/**
 * The whole-state and per-component profiles from per-sample squared norms ‖∂L_s/∂h^{(j)}_{s−k}‖² of C
 * state components, `squaredNorms` [W, C, S] lag-major (entry (k·C + j)·S + s). The whole state's norm of
 * sample s at lag k is √(Σ_j squaredNorms[k, j, s]) (the components are concatenated); each component's is
 * √squaredNorms[k, j, s]. Both are reduced as in {@link profileFromSampleNorms}. This is the reduction the
 * one-pass probe of `@tbptt/core` applies to its adjoints.
 */
export function componentProfilesFromSquaredNorms(
  squaredNorms: Numbers,
  options: ComponentNormOptions,
): ComponentProfiles {
  const caller = 'componentProfilesFromSquaredNorms';
  const names = options.componentNames;
  if (!Array.isArray(names) || names.length < 1) {
    throw new EstimatorInputError(
      `${caller}: componentNames must name at least one state component, got ${JSON.stringify(names)}`,
    );
  }
  const components = names.length;
  const { window, start, end } = checkLayout(caller, squaredNorms, components, options);
  checkNorms(caller, squaredNorms);
  const { samples, averaging } = options;
  const n = end - start;
  const total = new Float64Array(window);
  const perComponent = names.map(() => new Float64Array(window));
  for (let k = 0; k < window; k++) {
    let totalSum = 0;
    const sums = new Float64Array(components);
    for (let s = start; s < end; s++) {
      let squares = 0;
      for (let j = 0; j < components; j++) {
        const square = squaredNorms[(k * components + j) * samples + s] as number;
        squares += square;
        sums[j] = (sums[j] as number) + reduce(Math.sqrt(square), averaging);
      }
      totalSum += reduce(Math.sqrt(squares), averaging);
    }
    total[k] = finish(totalSum, n, averaging);
    for (let j = 0; j < components; j++)
      (perComponent[j] as Float64Array)[k] = finish(sums[j] as number, n, averaging);
  }
  const profile = (phi: Float64Array): GradientNormProfile => ({ phi, samples: n, averaging, window });
  return {
    total: profile(total),
    components: Object.fromEntries(names.map((name, j) => [name, profile(perComponent[j] as Float64Array)])),
  };
}

/** The summand of one sample's norm. */
function reduce(norm: number, averaging: 'norm' | 'log'): number {
  return averaging === 'norm' ? norm : Math.log(norm);
}

/** φ̂_k from the sum of n summands. */
function finish(sum: number, n: number, averaging: 'norm' | 'log'): number {
  return averaging === 'norm' ? sum / n : Math.exp(sum / n);
}

/** Checks S, the averaging, the row range and that the array is [W, C, S] with W ≥ 2; returns W and the range. */
function checkLayout(
  caller: string,
  values: Numbers,
  perLag: number,
  options: SampleNormOptions,
): { window: number; start: number; end: number } {
  const { samples, averaging } = options;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new EstimatorInputError(`${caller}: samples must be an integer ≥ 1, got ${String(samples)}`);
  }
  if (averaging !== 'norm' && averaging !== 'log') {
    throw new EstimatorInputError(
      `${caller}: averaging must be 'norm' or 'log', got ${JSON.stringify(averaging)}`,
    );
  }
  const row = samples * perLag;
  if (values.length % row !== 0 || values.length / row < 2) {
    throw new EstimatorInputError(
      `${caller}: expected W × ${perLag === 1 ? '' : `${perLag} × `}${samples} values with W ≥ 2 lags, ` +
        `got ${values.length}; check samples (and the number of components)`,
    );
  }
  const [start, end] = options.rows ?? [0, samples];
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > samples || end <= start) {
    throw new EstimatorInputError(
      `${caller}: rows must be [start, end) with 0 ≤ start < end ≤ S = ${samples}, got ${JSON.stringify(options.rows)}`,
    );
  }
  return { window: values.length / row, start, end };
}

function checkNorms(caller: string, values: Numbers): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!(value >= 0 && value < Number.POSITIVE_INFINITY)) {
      throw new EstimatorInputError(
        `${caller}: norm ${i} must be a finite number ≥ 0, got ${String(value)}; ` +
          'a NaN or infinite gradient norm means the probe diverged (lower the learning rate or clip gradients)',
      );
    }
  }
}
