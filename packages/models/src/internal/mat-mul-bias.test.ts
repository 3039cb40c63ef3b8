import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/helpers/cpu-backend';
import { expectAllClose } from '../../test/helpers/expect-close';
import { matMulBias } from './mat-mul-bias';

beforeAll(useCpuBackend);

describe('matMulBias', () => {
  it('matches matMul + add, value and every gradient (tfjs autodiff of the plain ops)', () => {
    const values = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 0.9 + k));
    const a = tf.tensor2d(values(12, 1), [4, 3]);
    const b = tf.tensor2d(values(15, 2), [3, 5]);
    const bias = tf.tensor1d(values(5, 3));
    const r = tf.tensor2d(values(20, 4), [4, 5]);
    const loss = (f: typeof matMulBias) => (x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(x as tf.Tensor2D, w as tf.Tensor2D, c as tf.Tensor1D), r));
    const plain = (x: tf.Tensor2D, w: tf.Tensor2D, c: tf.Tensor1D) =>
      tf.add(tf.matMul(x, w), c) as tf.Tensor2D;
    expectAllClose(matMulBias(a, b, bias).dataSync(), plain(a, b, bias).dataSync(), 6);
    const g1 = tf.grads(loss(matMulBias))([a, b, bias]);
    const g2 = tf.grads(loss(plain))([a, b, bias]);
    g1.forEach((g, i) => {
      expect(g.shape).toEqual(g2[i]!.shape);
      expectAllClose(g.dataSync(), g2[i]!.dataSync(), 5);
    });
  });
});
