import * as tf from '@tensorflow/tfjs-core';

/**
 * The pointwise part of one GRU step (PyTorch's equations, gate order r, z, n):
 *
 *     r = σ(gx_r + gh_r),  z = σ(gx_z + gh_z)
 *     n = tanh(gx_n + r ⊙ gh_n)
 *     h' = (1 − z) ⊙ n + z ⊙ h
 *
 * with gx = x W_ihᵀ + b_ih and gh = h W_hhᵀ + b_hh (the reset gate multiplies `W_hn h + b_hn`, as in PyTorch
 * and cuDNN, not `h` before the product). Plain tfjs ops; fused kernels with this signature may replace it.
 *
 * @param inputGates gx [B, 3H], blocks r | z | n
 * @param hiddenGates gh [B, 3H], blocks r | z | n
 * @param hPrev previous hidden state [B, H]
 */
export function gruPointwise(
  inputGates: tf.Tensor2D,
  hiddenGates: tf.Tensor2D,
  hPrev: tf.Tensor2D,
): { h: tf.Tensor2D } {
  return tf.tidy(() => {
    // [B, 3H] -> [B, 2H] | [B, H]
    const hidden = hiddenGates.shape[1] / 3;
    const [xrz, xn] = tf.split(inputGates, [2 * hidden, hidden], 1) as [tf.Tensor2D, tf.Tensor2D];
    const [hrz, hn] = tf.split(hiddenGates, [2 * hidden, hidden], 1) as [tf.Tensor2D, tf.Tensor2D];
    // [B, 2H] -> 2 x [B, H]
    const [r, z] = tf.split(tf.sigmoid(tf.add(xrz, hrz)), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    // (1 − z) n + z h = n + z (h − n)
    const h = tf.add(n, tf.mul(z, tf.sub(hPrev, n))) as tf.Tensor2D;
    return { h };
  });
}
