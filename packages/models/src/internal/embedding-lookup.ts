import * as tf from '@tensorflow/tfjs-core';

/**
 * Rows of an embedding, E [V, D] at ids [N] -> [N, D] (tf.gather), with a hand-written gradient:
 *
 *     ∂E [V, D] = Σ_n onehot(ids_n) dy_nᵀ = UnsortedSegmentSum(dy, ids, V)      (dense; ∂ids: none)
 *
 * the same sums, in the same order, as tfjs's gather gradient, without the two identity transposes that
 * wrap it there (for axis 0 tfjs transposes dy [N, D] and the [V, D] result with the identity permutation,
 * and wasm's Transpose copies: ≈ 3 ms per call for a word LM's [33,278, 128]).
 */
export function embeddingLookup(weight: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const vocab = weight.shape[0];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const w = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    // The ids are saved: the caller's tidy may dispose them before the backward pass runs.
    save([ids]);
    // [V, D] at [N] -> [N, D]
    const value = tf.gather(w, ids) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor =>
      tf.unsortedSegmentSum(dy, saved[0] as tf.Tensor1D, vocab); // [N, D] -> [V, D]
    return { value, gradFunc };
  });
  return op(weight) as tf.Tensor2D;
}
