import { softmaxCrossEntropy } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';

export type TargetKind = 'classes' | 'real';

/**
 * Mean loss over every position and batch row of a window:
 * 'classes': softmax cross-entropy −log softmax(logits)[y], logits [T, B, O], int32 targets [T, B];
 * 'real': squared error ½‖logits − y‖², targets [T, B, O].
 */
export function meanLoss(logits: tf.Tensor, targets: tf.Tensor, kind: TargetKind): tf.Scalar {
  return tf.tidy(() => {
    const outputs = logits.shape[logits.rank - 1]!;
    const flat = tf.reshape(logits, [-1, outputs]); // [T, B, O] -> [T·B, O]
    if (kind === 'classes') {
      // The models' fused cross-entropy (one-expression backward).
      return softmaxCrossEntropy(tf.reshape(targets, [-1]) as tf.Tensor1D, flat as tf.Tensor2D); // [T, B] -> [T·B]
    }
    const diff = tf.sub(flat, tf.reshape(targets, [-1, outputs])); // [T·B, O]
    return tf.mul(tf.mean(tf.sum(tf.square(diff), 1)), 0.5);
  });
}
