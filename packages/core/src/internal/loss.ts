import { softmaxCrossEntropy } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { pointProcessLoss } from '../point-process/point-process-loss';

export type TargetKind = 'classes' | 'real' | 'point-process';

/**
 * Mean loss over every position and batch row of a window:
 * 'classes': softmax cross-entropy −log softmax(logits)[y], logits [T, B, O], int32 targets [T, B];
 * 'real': squared error ½‖logits − y‖², targets [T, B, O];
 * 'point-process': next-mark cross-entropy + next-gap negative log density (RMTPP), logits [T, B, M + 2]
 * (mark logits, log λ, w), targets [T, B, 2] (mark, gap) — see `pointProcessLoss`.
 */
export function meanLoss(logits: tf.Tensor, targets: tf.Tensor, kind: TargetKind): tf.Scalar {
  return tf.tidy(() => {
    const outputs = logits.shape[logits.rank - 1]!;
    const flat = tf.reshape(logits, [-1, outputs]); // [T, B, O] -> [T·B, O]
    if (kind === 'classes') {
      // The models' fused cross-entropy (one-expression backward).
      return softmaxCrossEntropy(tf.reshape(targets, [-1]) as tf.Tensor1D, flat as tf.Tensor2D); // [T, B] -> [T·B]
    }
    if (kind === 'point-process') {
      return pointProcessLoss(flat as tf.Tensor2D, tf.reshape(targets, [-1, 2]) as tf.Tensor2D); // [T, B, 2] -> [T·B, 2]
    }
    const diff = tf.sub(flat, tf.reshape(targets, [-1, outputs])); // [T·B, O]
    return tf.mul(tf.mean(tf.sum(tf.square(diff), 1)), 0.5);
  });
}
