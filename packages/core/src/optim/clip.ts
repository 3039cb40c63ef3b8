import * as tf from '@tensorflow/tfjs-core';

/**
 * Global-norm clipping (Pascanu et al. 2013; PyTorch's clip_grad_norm_): with n = ‖(g₁, …, gₘ)‖₂,
 * every gᵢ is scaled by min(1, maxNorm / n). Returns the new gradients (caller disposes) and n, which
 * is non-finite exactly when some gradient entry is. maxNorm = Infinity (or undefined) only measures.
 */
export function clipByGlobalNorm(
  grads: readonly tf.Tensor[],
  maxNorm?: number,
): { grads: tf.Tensor[]; norm: number } {
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))));
  const norm = normTensor.dataSync()[0]!;
  normTensor.dispose();
  if (maxNorm === undefined || maxNorm === Number.POSITIVE_INFINITY || !(norm > maxNorm)) {
    return { grads: grads.map((g) => tf.clone(g)), norm };
  }
  const scale = maxNorm / (norm + 1e-6);
  return { grads: grads.map((g) => tf.tidy(() => tf.mul(g, scale))), norm };
}
