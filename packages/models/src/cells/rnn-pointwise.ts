import * as tf from '@tensorflow/tfjs-core';

/** Nonlinearity of an Elman RNN (PyTorch's `nonlinearity`). */
export type RnnNonlinearity = 'tanh' | 'relu';

/**
 * The pointwise part of one Elman RNN step: h' = act(a) with a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
 * (already summed by the caller) and act = tanh or relu.
 *
 * @param preActivation a [B, H]
 */
export function rnnPointwise(preActivation: tf.Tensor2D, nonlinearity: RnnNonlinearity): { h: tf.Tensor2D } {
  return { h: nonlinearity === 'tanh' ? tf.tanh(preActivation) : tf.relu(preActivation) };
}
