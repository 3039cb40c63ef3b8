import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { softmaxCrossEntropy, softmaxCrossEntropyRows } from '../../src/loss/softmax-cross-entropy';
import { setSoftmaxCrossEntropyKernel } from '../../src/loss/softmax-cross-entropy-kernel';

/**
 * Labels outside [0, O) once gave silently wrong losses: label 3 of 3 classes read the next row's first
 * logit (softmaxCrossEntropyRows([3, 0], [[0, 0, 0], [10, 0, 0]]) returned −8.9 for row 0).
 */
export function describeLabelRangeChecks(backend: string): void {
  it.each([
    ['fused kernel', true],
    ['op chain (the path of webgl, webgpu, tensorflow)', false],
  ])(`${backend}, %s: a label ≥ O or < 0 is an error naming its position, value and O`, (_, kernel) => {
    setSoftmaxCrossEntropyKernel(kernel as boolean);
    try {
      const logits = tf.tensor2d([
        [0, 0, 0],
        [10, 0, 0],
      ]);
      const before = tf.memory().numTensors;
      const high = tf.tensor1d([3, 0], 'int32');
      const low = tf.tensor1d([0, -1], 'int32');
      expect(() => softmaxCrossEntropyRows(high, logits)).toThrow(
        /softmaxCrossEntropyRows: labels\[0\] = 3 is not a class id of logits with 3 classes/,
      );
      expect(() => softmaxCrossEntropy(low, logits)).toThrow(
        /softmaxCrossEntropy: labels\[1\] = -1 is not a class id of logits with 3 classes/,
      );
      expect(() => tf.grad((z: tf.Tensor) => softmaxCrossEntropy(high, z as tf.Tensor2D))(logits)).toThrow(
        /labels\[0\] = 3/,
      );
      tf.dispose([high, low]);
      expect(tf.memory().numTensors).toBe(before);
      // In range, the same logits give the float64 values.
      const ok = tf.tensor1d([2, 0], 'int32');
      const rows = softmaxCrossEntropyRows(ok, logits).dataSync();
      expect(rows[0]).toBeCloseTo(Math.log(3), 5);
      expect(rows[1]).toBeCloseTo(Math.log(1 + 2 * Math.exp(-10)), 5);
      tf.dispose([ok, logits]);
    } finally {
      setSoftmaxCrossEntropyKernel(true);
    }
  });
}
