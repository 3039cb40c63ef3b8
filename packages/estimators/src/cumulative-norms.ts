import { EstimatorInputError } from './errors.js';

/**
 * The cumulative-adjoint norms behind the exact C(K) = cumulative[K−1] (issue 10; the reference's
 * `calculate_gradient_norms`, `cum_grad += mean(flat_grad, axis=0)`), from the row-mean adjoints
 * ā_k = (1/S) Σ_s ∂L_s/∂h_{s−k} of C state components of width H, `meanAdjoints` [W, C, H] lag-major:
 *
 *     total[k]         = ‖ Σ_{j≤k} ā_j ‖          (the components concatenated)
 *     components[c][k] = ‖ Σ_{j≤k} ā_j^(c) ‖
 *
 * In float64. The one-pass probe of `@tbptt/core` reduces its adjoints with this; {@link profileFromAdjoints}
 * computes the same from explicit per-sample vectors.
 */
export function cumulativeAdjointNorms(
  meanAdjoints: Float32Array | Float64Array | readonly number[],
  options: { window: number; components: number },
): { total: Float64Array; components: Float64Array[] } {
  const caller = 'cumulativeAdjointNorms';
  const { window, components } = options;
  if (!Number.isInteger(window) || window < 1 || !Number.isInteger(components) || components < 1) {
    throw new EstimatorInputError(
      `${caller}: window and components must be positive integers, got ${String(window)} and ${String(components)}`,
    );
  }
  const hidden = meanAdjoints.length / (window * components);
  if (!Number.isInteger(hidden) || hidden < 1) {
    throw new EstimatorInputError(
      `${caller}: expected W × C × H = ${window} × ${components} × H values, got ${meanAdjoints.length}`,
    );
  }
  const running = new Float64Array(components * hidden);
  const total = new Float64Array(window);
  const perComponent = Array.from({ length: components }, () => new Float64Array(window));
  for (let k = 0; k < window; k++) {
    let all = 0;
    for (let c = 0; c < components; c++) {
      let part = 0;
      for (let h = 0; h < hidden; h++) {
        const i = c * hidden + h;
        const value = meanAdjoints[k * components * hidden + i] as number;
        if (!Number.isFinite(value)) {
          throw new EstimatorInputError(
            `${caller}: entry (${k}, ${c}, ${h}) must be finite, got ${value}; the probe diverged`,
          );
        }
        running[i] = (running[i] as number) + value;
        part += (running[i] as number) ** 2;
      }
      (perComponent[c] as Float64Array)[k] = Math.sqrt(part);
      all += part;
    }
    total[k] = Math.sqrt(all);
  }
  return { total, components: perComponent };
}
