import * as tf from '@tensorflow/tfjs-core';
import { EMPTY_STATE, type GradientTransformation } from './gradient-transformation';

/**
 * Learning-rate scaling with the truncation length K (the reference's `scale_lr_K`): 'none' → lr,
 * 'sqrt' → lr·√K (what every paper run used), 'linear' → lr·K (`--linear_scale`; with a loss averaged over K
 * steps it keeps the per-step scale of a summed loss).
 */
export type LearningRateScaling = 'none' | 'sqrt' | 'linear';

export function scaledLearningRate(
  learningRate: number,
  truncation: number,
  scaling: LearningRateScaling,
): number {
  switch (scaling) {
    case 'none':
      return learningRate;
    case 'sqrt':
      return learningRate * Math.sqrt(truncation);
    case 'linear':
      return learningRate * truncation;
    default:
      throw new Error(
        `scaledLearningRate: scaling must be 'none', 'sqrt' or 'linear', got ${JSON.stringify(scaling)}`,
      );
  }
}

/** The last stage of the chain: u ← −lr·u with this update's learning rate (optax's `scale_by_learning_rate`). */
export function scaleByLearningRate(): GradientTransformation {
  return {
    name: 'learning-rate',
    init: () => EMPTY_STATE,
    update(grads, state, context) {
      const lr = context.learningRate;
      return { updates: grads.map((g) => tf.mul(g, -lr)), state };
    },
  };
}
