import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/helpers/cpu-backend';
import { expectAllClose } from '../../test/helpers/expect-close';
import { describeLabelRangeChecks } from '../../test/helpers/label-range-checks';
import { softmaxCrossEntropy, softmaxCrossEntropyRows } from './softmax-cross-entropy';
import { setSoftmaxCrossEntropyKernel } from './softmax-cross-entropy-kernel';

beforeAll(useCpuBackend);

/** The plain-op version: −mean(logSoftmax(z)[n, y_n]), differentiated by tfjs autodiff. */
function referenceLoss(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const classes = logits.shape[1];
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(targets, classes)), 1))) as tf.Scalar;
}

/** Loss of one row in float64 from plain numbers. */
function rowLoss(row: readonly number[], target: number): number {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0));
  return lse - row[target]!;
}

const logitsData = [
  [0.5, -1.2, 3.0, 0.1, 0.0],
  [10, 9.5, -3, 2, 100],
  [-0.3, -0.3, -0.3, -0.3, -0.3],
  [1e-3, 2e-3, -4, 7, 1],
];
const targetData = [2, 4, 0, 1];

describe('softmaxCrossEntropy', () => {
  it('matches the float64 formula and the plain-op version, value and gradient', () => {
    const logits = tf.tensor2d(logitsData);
    const targets = tf.tensor1d(targetData, 'int32');
    const expected =
      logitsData.reduce((s, row, n) => s + rowLoss(row, targetData[n]!), 0) / logitsData.length;
    const fused = tf.valueAndGrad((z: tf.Tensor) => softmaxCrossEntropy(targets, z as tf.Tensor2D))(logits);
    const plain = tf.valueAndGrad((z: tf.Tensor) => referenceLoss(z as tf.Tensor2D, targets))(logits);
    expect(fused.value.dataSync()[0]).toBeCloseTo(expected, 5);
    expect(fused.value.dataSync()[0]).toBeCloseTo(plain.value.dataSync()[0]!, 5);
    const g1 = fused.grad.dataSync();
    const g2 = plain.grad.dataSync();
    for (let i = 0; i < g1.length; i++) expect(g1[i]).toBeCloseTo(g2[i]!, 6);
    tf.dispose([logits, targets, fused.value, fused.grad, plain.value, plain.grad]);
  });

  it('has the gradient of central finite differences', () => {
    const rows = 3;
    const classes = 4;
    const base = [0.3, -0.2, 0.9, 0.1, -1, 0.5, 0.25, 0, 2, -2, 0.7, 0.4];
    const targets = tf.tensor1d([1, 3, 0], 'int32');
    const logits = tf.tensor2d(base, [rows, classes]);
    const grad = tf
      .grad((z: tf.Tensor) => softmaxCrossEntropy(targets, z as tf.Tensor2D))(logits)
      .dataSync();
    const target = [1, 3, 0];
    const loss64 = (values: number[]): number => {
      let s = 0;
      for (let n = 0; n < rows; n++) s += rowLoss(values.slice(n * classes, (n + 1) * classes), target[n]!);
      return s / rows;
    };
    const eps = 1e-5;
    for (let i = 0; i < base.length; i++) {
      const plus = [...base];
      const minus = [...base];
      plus[i]! += eps;
      minus[i]! -= eps;
      expect(grad[i]).toBeCloseTo((loss64(plus) - loss64(minus)) / (2 * eps), 5);
    }
    tf.dispose([targets, logits]);
  });

  it('per-row variant gives each row’s loss and a gradient weighted by dy', () => {
    const logits = tf.tensor2d(logitsData);
    const targets = tf.tensor1d(targetData, 'int32');
    const rowsLoss = softmaxCrossEntropyRows(targets, logits).dataSync();
    expectAllClose(
      rowsLoss,
      logitsData.map((row, n) => rowLoss(row, targetData[n]!)),
      4,
    );
    const weights = tf.tensor1d([1, 0, 2, -1]);
    const weighted = (z: tf.Tensor) =>
      tf.sum(tf.mul(softmaxCrossEntropyRows(targets, z as tf.Tensor2D), weights));
    const plainWeighted = (z: tf.Tensor) => {
      const perRow = tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(targets, 5)), 1));
      return tf.sum(tf.mul(perRow, weights));
    };
    const g1 = tf.grad(weighted)(logits).dataSync();
    const g2 = tf.grad(plainWeighted)(logits).dataSync();
    for (let i = 0; i < g1.length; i++) expect(g1[i]).toBeCloseTo(g2[i]!, 6);
    tf.dispose([logits, targets, weights]);
  });

  it.each([true, false])(
    'differentiates with labels made and disposed inside the loss (kernel %s)',
    (kernel) => {
      // Labels cast from float targets inside a tidy are gone by the time the backward pass runs, unless the
      // loss saves them: the point-process loss builds its labels this way.
      setSoftmaxCrossEntropyKernel(kernel);
      try {
        const logits = tf.tensor2d(logitsData);
        const floatTargets = tf.tensor1d(targetData);
        const grad = tf.grad((z: tf.Tensor) =>
          tf.tidy(() => softmaxCrossEntropy(tf.cast(floatTargets, 'int32') as tf.Tensor1D, z as tf.Tensor2D)),
        )(logits);
        const targets = tf.tensor1d(targetData, 'int32');
        const want = tf.grad((z: tf.Tensor) => referenceLoss(z as tf.Tensor2D, targets))(logits);
        expectAllClose(grad.dataSync(), want.dataSync(), 6);
        tf.dispose([logits, floatTargets, grad, targets, want]);
      } finally {
        setSoftmaxCrossEntropyKernel(true);
      }
    },
  );

  it('leaks no tensors over forward and backward', () => {
    const logits = tf.randomNormal([6, 7]) as tf.Tensor2D;
    const targets = tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const { value, grad } = tf.valueAndGrad((z: tf.Tensor) =>
        softmaxCrossEntropy(targets, z as tf.Tensor2D),
      )(logits);
      tf.dispose([value, grad]);
      tf.dispose(softmaxCrossEntropy(targets, logits));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets]);
  });

  it('refuses bad shapes and dtypes, naming the argument', () => {
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => softmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), tf.zeros([2, 3, 1]) as never)).toThrow(
      /softmaxCrossEntropy: logits must be \[N, O\], got shape \[2, 3, 1\]/,
    );
    expect(() => softmaxCrossEntropy(tf.tensor1d([0, 1]), logits)).toThrow(
      /labels must be int32.*got float32 \[2\]/,
    );
    expect(() => softmaxCrossEntropy(tf.tensor1d([0, 1, 2], 'int32'), logits)).toThrow(/got int32 \[3\]/);
  });

  it('says to swap the arguments when given (logits, labels), the order before 0.2', () => {
    const logits = tf.zeros([2, 3]) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 1], 'int32');
    expect(() => softmaxCrossEntropy(logits as never, labels as never)).toThrow(
      /softmaxCrossEntropy: the arguments are \(labels, logits\).*swap them/,
    );
    tf.dispose([logits, labels]);
  });
});

describe('label range (cpu)', () => {
  describeLabelRangeChecks('cpu');
});

describe('softmax cross-entropy kernels (cpu here; wasm in test/wasm-backend.test.ts)', () => {
  afterEach(() => {
    setSoftmaxCrossEntropyKernel(true);
  });

  it('agree with the op-chain path, value and gradient, mean and per row', () => {
    const rows = 9;
    const classes = 37;
    const values = Array.from(
      { length: rows * classes },
      (_, i) => 6 * Math.sin(i * 1.3) + (i % 5 === 0 ? 40 : 0),
    );
    const logits = tf.tensor2d(values, [rows, classes]);
    const targets = tf.tensor1d(
      Array.from({ length: rows }, (_, n) => (n * 7) % classes),
      'int32',
    );
    const weights = tf.tensor1d(Array.from({ length: rows }, (_, n) => n - 3));
    const run = (on: boolean) => {
      setSoftmaxCrossEntropyKernel(on);
      const mean = tf.valueAndGrad((z: tf.Tensor) => softmaxCrossEntropy(targets, z as tf.Tensor2D))(logits);
      const perRow = tf.valueAndGrad((z: tf.Tensor) =>
        tf.sum(tf.mul(softmaxCrossEntropyRows(targets, z as tf.Tensor2D), weights)),
      )(logits);
      return [mean.value, mean.grad, perRow.value, perRow.grad].map((t) => Array.from(t.dataSync()));
    };
    const kernel = run(true);
    const ops = run(false);
    kernel.forEach((k, i) => {
      expectAllClose(k, ops[i]!, 5);
    });
  });
});
