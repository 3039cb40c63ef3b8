import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';

describe('shared Identity (wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('a clone keeps its values after the original is disposed', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(y.shape).toEqual([2, 3]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saved tensors of a gradient survive the forward tidy (sigmoid saves its output)', () => {
    const x = tf.tensor1d([-2, 0, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.sigmoid(v)))(x);
    const s = [-2, 0, 3].map((v) => 1 / (1 + Math.exp(-v)));
    const actual = g.dataSync();
    s.forEach((v, i) => {
      expect(actual[i]).toBeCloseTo(v * (1 - v), 6);
    });
    tf.dispose([x, g]);
  });
});
