import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';

/** Independent reference: a plain loop in float64. */
function referenceSegmentSum(x: Float32Array, ids: Int32Array, numSegments: number): Float64Array {
  const inner = x.length / ids.length;
  const out = new Float64Array(numSegments * inner);
  ids.forEach((s, n) => {
    if (s < 0 || s >= numSegments) return;
    for (let j = 0; j < inner; j++) out[s * inner + j]! += x[n * inner + j]!;
  });
  return out;
}

describe.each(['wasm', 'cpu'] as const)('UnsortedSegmentSum on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('sums rows by segment, with repeated, missing and out-of-range ids', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([7, 3, 2], 0, 1, 'float32', 11);
    const ids = tf.tensor1d([4, 0, 4, 2, -1, 9, 4], 'int32');
    const out = tf.unsortedSegmentSum(x, ids, 5);
    expect(out.shape).toEqual([5, 3, 2]);
    const expected = referenceSegmentSum(x.dataSync() as Float32Array, ids.dataSync() as Int32Array, 5);
    const actual = out.dataSync();
    expected.forEach((v, i) => {
      expect(actual[i]).toBeCloseTo(v, 5);
    });
    tf.dispose([x, ids, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is the gradient of an embedding lookup (tf.gather)', () => {
    const table = tf.randomNormal([10, 4], 0, 1, 'float32', 12);
    const ids = tf.tensor2d([3, 3, 7, 0, 9, 3], [3, 2], 'int32');
    const weights = tf.randomNormal([3, 2, 4], 0, 1, 'float32', 13);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), weights)))(table);
    // d/dtable[v] = Σ over positions holding id v of weights at that position.
    const expected = referenceSegmentSum(
      weights.dataSync() as Float32Array,
      ids.dataSync() as Int32Array,
      10,
    );
    const actual = grad.dataSync();
    expected.forEach((v, i) => {
      expect(actual[i]).toBeCloseTo(v, 5);
    });
    tf.dispose([table, ids, weights, grad]);
  });
});
