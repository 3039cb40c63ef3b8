import * as tf from '@tensorflow/tfjs-core';

/**
 * a [N, K] x b [K, M] + bias [M] -> [N, M] (one fused kernel forward), with a hand-written gradient:
 *
 *     ∂a = dy bᵀ,   ∂b = aᵀ dy,   ∂bias = 1ᵀ dy   ([1, N] x [N, M])
 *
 * tfjs's own gradient for the bias is a sum over rows, which wasm runs by transposing [N, M] first
 * (≈ 200 ms for the LM decoder's [700, 10,000]); as a matrix product it takes the fast path.
 */
export function matMulBias(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, c] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    save([x, w]);
    // [N, K] x [K, M] + [M] -> [N, M]
    const value = tf.fused.matMul({ a: x, b: w, bias: c });
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xSaved, wSaved] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      const [rows, cols] = dy2.shape;
      return [
        tf.matMul(dy2, wSaved, false, true), // [N, M] x [M, K] -> [N, K]
        tf.matMul(xSaved, dy2, true, false), // [K, N] x [N, M] -> [K, M]
        tf.reshape(tf.matMul(tf.ones([1, rows]), dy2), [cols]), // [1, N] x [N, M] -> [1, M] -> [M]
      ];
    };
    return { value, gradFunc };
  });
  return op(a, b, bias) as tf.Tensor2D;
}
