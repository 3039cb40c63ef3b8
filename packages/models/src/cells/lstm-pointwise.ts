import * as tf from '@tensorflow/tfjs-core';

/** New LSTM state of one step. */
export interface LstmStepState {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/**
 * The pointwise part of one LSTM step (PyTorch's equations, gate order i, f, g, o):
 *
 *     i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
 *     c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
 *
 * where a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh are the pre-activations, already summed by the caller.
 * Plain tfjs ops (differentiable on every backend); fused kernels with this same signature may replace it.
 *
 * @param gates pre-activations [B, 4H], blocks i | f | g | o
 * @param cPrev previous cell state [B, H]
 */
export function lstmPointwise(gates: tf.Tensor2D, cPrev: tf.Tensor2D): LstmStepState {
  return tf.tidy(() => {
    // [B, 4H] -> 4 x [B, H]
    const [ai, af, ag, ao] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const c = tf.add(tf.mul(tf.sigmoid(af), cPrev), tf.mul(tf.sigmoid(ai), tf.tanh(ag))) as tf.Tensor2D;
    const h = tf.mul(tf.sigmoid(ao), tf.tanh(c)) as tf.Tensor2D;
    return { h, c };
  });
}
