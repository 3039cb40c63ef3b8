import * as tf from '@tensorflow/tfjs-core';
import {
  softmaxCrossEntropyBackward,
  softmaxCrossEntropyForward,
  useSoftmaxCrossEntropyKernel,
} from './softmax-cross-entropy-kernel';

function checkArguments(fn: string, logits: tf.Tensor, targets: tf.Tensor): void {
  if (logits?.rank !== 2) {
    throw new Error(
      `${fn}: logits must be [N, O], got shape [${logits?.shape?.join(', ')}]; reshape [T, B, O] to [T·B, O]`,
    );
  }
  if (targets?.rank !== 1 || targets.shape[0] !== logits.shape[0] || targets.dtype !== 'int32') {
    throw new Error(
      `${fn}: targets must be int32 class ids [${logits.shape[0]}] (one per logits row), got ` +
        `${targets?.dtype} [${targets?.shape?.join(', ')}]`,
    );
  }
}

/**
 * Per-row softmax cross-entropy with a hand-written gradient:
 *
 *     ℓ_n = log Σ_o exp(z_no) − z_n,y_n          ∂ℓ_n/∂z_no = softmax(z_n)_o − [o = y_n]
 *
 * computed stably (z − max z). The backward pass is one fused expression of the saved probabilities,
 * where autodiff through logSoftmax would replay the whole forward chain. On wasm and cpu both directions
 * are single kernels on the backend's memory (see softmax-cross-entropy-kernel.ts); elsewhere tfjs ops.
 */
function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, reduction: 'mean' | 'none'): tf.Tensor {
  const [rows, classes] = logits.shape;
  const fused = useSoftmaxCrossEntropyKernel();
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    let rowLoss: tf.Tensor1D;
    let probabilities: tf.Tensor2D;
    if (fused) {
      [rowLoss, probabilities] = softmaxCrossEntropyForward(z, targets);
    } else {
      // [N, O] - [N, 1] -> [N, O]
      const shifted = tf.sub(z, tf.max(z, 1, true));
      const exps = tf.exp(shifted);
      const sums = tf.sum(exps, 1, true); // [N, 1]
      probabilities = tf.div(exps, sums); // [N, O]
      // picked_n = shifted[n, y_n] through the flat index n·O + y_n: [N·O] gathered at [N] -> [N]
      const flatIndex = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(classes, 'int32')), targets);
      const picked = tf.gather(tf.reshape(shifted, [rows * classes]), flatIndex);
      rowLoss = tf.sub(tf.reshape(tf.log(sums), [rows]), picked); // [N]
    }
    save([probabilities]);
    const value = reduction === 'mean' ? tf.mean(rowLoss) : rowLoss;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [p] = saved as [tf.Tensor2D];
      if (fused) {
        // mean: every row gets dy / N;  none: row n gets dy[n]
        const rowScale = reduction === 'mean' ? tf.broadcastTo(tf.div(dy, rows), [rows]) : dy;
        return softmaxCrossEntropyBackward(p, targets, rowScale as tf.Tensor1D);
      }
      // mean: dy is a scalar, each row gets dy / N;  none: dy is [N] -> [N, 1]
      const rowScale = reduction === 'mean' ? tf.div(dy, tf.scalar(rows)) : tf.reshape(dy, [rows, 1]);
      return tf.mul(tf.sub(p, tf.oneHot(targets, classes)), rowScale);
    };
    return { value, gradFunc };
  });
  return op(logits);
}

/**
 * Mean softmax cross-entropy of logits [N, O] against int32 targets [N]: (1/N) Σ_n (log Σ_o e^{z_no} − z_n,y_n),
 * a scalar, with a hand-written gradient (softmax − one-hot) / N.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  checkArguments('softmaxCrossEntropy', logits, targets);
  return crossEntropy(logits, targets, 'mean') as tf.Scalar;
}

/**
 * Per-row softmax cross-entropy [N] of logits [N, O] against int32 targets [N], with a hand-written gradient
 * (softmax − one-hot) ⊙ dy. Use it to weight or mask positions (e.g. losses on the last K steps only).
 */
export function softmaxCrossEntropyRows(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  checkArguments('softmaxCrossEntropyRows', logits, targets);
  return crossEntropy(logits, targets, 'none') as tf.Tensor1D;
}
