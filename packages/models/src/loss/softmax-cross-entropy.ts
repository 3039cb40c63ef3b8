import * as tf from '@tensorflow/tfjs-core';
import {
  checkLabelRange,
  softmaxCrossEntropyBackward,
  softmaxCrossEntropyForward,
  useSoftmaxCrossEntropyKernel,
} from './softmax-cross-entropy-kernel';

function checkArguments(fn: string, targets: tf.Tensor, logits: tf.Tensor): void {
  if (targets?.rank === 2 && logits?.rank === 1 && logits.dtype === 'int32') {
    throw new Error(
      `${fn}: the arguments are (labels, logits), labels first as in tf.losses.softmaxCrossEntropy; got ` +
        `logits-like [${targets.shape.join(', ')}] first and int32 [${logits.shape.join(', ')}] second: swap them`,
    );
  }
  if (logits?.rank !== 2) {
    throw new Error(
      `${fn}: logits must be [N, O], got shape [${logits?.shape?.join(', ')}]; reshape [T, B, O] to [T·B, O]`,
    );
  }
  if (targets?.rank !== 1 || targets.shape[0] !== logits.shape[0] || targets.dtype !== 'int32') {
    throw new Error(
      `${fn}: labels must be int32 class ids [${logits.shape[0]}] (one per logits row), got ` +
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
function crossEntropy(
  fn: string,
  targets: tf.Tensor1D,
  logits: tf.Tensor2D,
  reduction: 'mean' | 'none',
): tf.Tensor {
  const [rows, classes] = logits.shape;
  const fused = useSoftmaxCrossEntropyKernel();
  // The fused kernel checks the labels on the backend's memory; elsewhere read them (int32 [N], small).
  if (!fused) checkLabelRange(fn, targets.dataSync(), classes);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    let rowLoss: tf.Tensor1D;
    let probabilities: tf.Tensor2D;
    if (fused) {
      [rowLoss, probabilities] = softmaxCrossEntropyForward(z, targets, fn);
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
    // The labels are saved too: the backward pass must not read a tensor that the caller's tidy (or tf.grad's
    // scope) may dispose before it runs, e.g. labels cast from float targets inside the loss.
    save([probabilities, targets]);
    const value = reduction === 'mean' ? tf.mean(rowLoss) : rowLoss;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [p, labels] = saved as [tf.Tensor2D, tf.Tensor1D];
      if (fused) {
        // mean: every row gets dy / N;  none: row n gets dy[n]
        const rowScale = reduction === 'mean' ? tf.broadcastTo(tf.div(dy, rows), [rows]) : dy;
        return softmaxCrossEntropyBackward(p, labels, rowScale as tf.Tensor1D);
      }
      // mean: dy is a scalar, each row gets dy / N;  none: dy is [N] -> [N, 1]
      const rowScale = reduction === 'mean' ? tf.div(dy, tf.scalar(rows)) : tf.reshape(dy, [rows, 1]);
      return tf.mul(tf.sub(p, tf.oneHot(labels, classes)), rowScale);
    };
    return { value, gradFunc };
  });
  return op(logits);
}

/**
 * Mean softmax cross-entropy of logits [N, O] against int32 class ids `labels` [N]:
 * (1/N) Σ_n (log Σ_o e^{z_no} − z_n,y_n), a scalar, with a hand-written gradient (softmax − one-hot) / N.
 *
 * Labels first, as in `tf.losses.softmaxCrossEntropy(onehotLabels, logits)` (which takes one-hot labels;
 * this takes class ids). Every label must be in [0, O): one outside is an error naming its position and
 * value, on every backend (it would otherwise read another row's logit).
 */
export function softmaxCrossEntropy(labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Scalar {
  checkArguments('softmaxCrossEntropy', labels, logits);
  return crossEntropy('softmaxCrossEntropy', labels, logits, 'mean') as tf.Scalar;
}

/**
 * Per-row softmax cross-entropy [N] of logits [N, O] against int32 class ids `labels` [N], with a
 * hand-written gradient (softmax − one-hot) ⊙ dy. Use it to weight or mask positions (e.g. losses on the
 * last K steps only). Arguments and label checks as {@link softmaxCrossEntropy}: (labels, logits).
 */
export function softmaxCrossEntropyRows(labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Tensor1D {
  checkArguments('softmaxCrossEntropyRows', labels, logits);
  return crossEntropy('softmaxCrossEntropyRows', labels, logits, 'none') as tf.Tensor1D;
}
