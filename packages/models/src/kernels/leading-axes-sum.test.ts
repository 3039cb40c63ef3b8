import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';

/** Float64 reference: sum of x [d0, d1, d2] over the given axes, as a flat array in row-major order. */
function referenceSum(x: Float32Array, shape: [number, number, number], axes: number[]): number[] {
  const keep = [0, 1, 2].filter((a) => !axes.includes(a));
  const outShape = keep.map((a) => shape[a]!);
  const out = new Array<number>(outShape.reduce((p, d) => p * d, 1)).fill(0);
  for (let i = 0; i < shape[0]; i++) {
    for (let j = 0; j < shape[1]; j++) {
      for (let k = 0; k < shape[2]; k++) {
        const idx = [i, j, k];
        let flat = 0;
        keep.forEach((a, n) => {
          flat = flat * outShape[n]! + idx[a]!;
        });
        out[flat]! += x[(i * shape[1] + j) * shape[2] + k]!;
      }
    }
  }
  return out;
}

describe.each(['wasm', 'cpu'] as const)('Sum on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each([[[0]], [[0, 1]], [[1, 0]], [[-3]], [[1]], [[2]], [[0, 2]], [[0, 1, 2]]])(
    'over axes %j equals a float64 reference (leading axes by the loop, others by the stock kernel)',
    (axes) => {
      const before = tf.memory().numTensors;
      const shape: [number, number, number] = [5, 3, 4];
      const x = tf.randomNormal(shape, 0, 1, 'float32', 17);
      const normalised = axes.map((a) => (a < 0 ? a + 3 : a));
      const expected = referenceSum(x.dataSync() as Float32Array, shape, normalised);
      for (const keepDims of [false, true]) {
        const s = tf.sum(x, axes, keepDims);
        const kept = [0, 1, 2].map((a) => (normalised.includes(a) ? 1 : shape[a]!));
        expect(s.shape).toEqual(keepDims ? kept : kept.filter((_, a) => !normalised.includes(a)));
        const actual = s.dataSync();
        expected.forEach((v, i) => {
          expect(actual[i]).toBeCloseTo(v, 4);
        });
        s.dispose();
      }
      x.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('is the bias gradient of a fused matMul', () => {
    const x = tf.randomNormal([6, 4], 0, 1, 'float32', 18);
    const w = tf.randomNormal([4, 3], 0, 1, 'float32', 19);
    const bias = tf.zeros([3]);
    const dy = tf.randomNormal([6, 3], 0, 1, 'float32', 20);
    const g = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.fused.matMul({ a: x, b: w, bias: b }), dy)))(bias);
    const d = dy.dataSync();
    const expected = [0, 1, 2].map((j) => [0, 1, 2, 3, 4, 5].reduce((s, i) => s + d[i * 3 + j]!, 0));
    const actual = g.dataSync();
    expected.forEach((v, j) => {
      expect(actual[j]).toBeCloseTo(v, 5);
    });
    tf.dispose([x, w, bias, dy, g]);
  });
});
