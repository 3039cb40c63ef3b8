import type { Prng } from '@tbptt/random';
import * as tf from '@tensorflow/tfjs-core';

/** PRNG stream used by the dropout masks. */
export const DROPOUT_STREAM = 2;

/**
 * Inverted-dropout mask [rows, cols] drawn from `rng`: each entry is 0 with probability `rate` and
 * 1 / (1 − rate) otherwise, so x ⊙ mask keeps the expectation of x. Drawn on the JS side so that the
 * masks, and hence training, are reproducible from the saved RNG state on every backend.
 */
export function dropoutMask(rng: Prng, rows: number, cols: number, rate: number): tf.Tensor2D {
  const keepScale = 1 / (1 - rate);
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = rng.nextFloat() < rate ? 0 : keepScale;
  return tf.tensor2d(values, [rows, cols]);
}
