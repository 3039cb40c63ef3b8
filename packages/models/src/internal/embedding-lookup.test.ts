import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend';
import { embeddingLookup } from './embedding-lookup';

/**
 * embeddingLookup against tf.gather and its gradient (tfjs autodiff) on cpu and wasm: the same values and
 * the same gradient, bit for bit (the same float32 sums in the same order), with repeated ids (rows that
 * accumulate), an id never looked up (a zero row), N = 1; and against a brute-force sum of dy's rows.
 */
afterAll(async () => {
  await selectBackend('cpu');
});

describe.each(['cpu', 'wasm'] as const)('embeddingLookup on %s', (backend) => {
  it.each([
    [[2, 0, 2, 5, 2], 7, 3],
    [[4], 5, 1],
    [[1, 1, 1, 1, 0, 3], 4, 6],
  ])(
    'ids %j, V=%i, D=%i: value and ∂E equal tf.gather and a brute-force sum',
    async (idList, vocab, width) => {
      await selectBackend(backend);
      const weight = tf.tensor2d(
        Float32Array.from({ length: vocab * width }, (_, i) => Math.sin(1.7 * i)),
        [vocab, width],
      );
      const ids = tf.tensor1d(idList, 'int32');
      const dy = tf.tensor2d(
        Float32Array.from({ length: idList.length * width }, (_, i) => Math.cos(0.3 * i) / 3),
        [idList.length, width],
      );
      const before = tf.memory().numTensors;
      const value = tf.tidy(() => embeddingLookup(weight, ids).dataSync());
      const reference = tf.tidy(() => tf.gather(weight, ids).dataSync());
      const grad = tf.tidy(() =>
        tf
          .grad((w) => embeddingLookup(w as tf.Tensor2D, ids))(weight, dy)
          .dataSync(),
      );
      const referenceGrad = tf.tidy(() =>
        tf
          .grad((w) => tf.gather(w, ids))(weight, dy)
          .dataSync(),
      );
      expect(Array.from(value)).toEqual(Array.from(reference));
      expect(Array.from(grad)).toEqual(Array.from(referenceGrad));
      const dys = dy.dataSync();
      const brute = new Float32Array(vocab * width);
      idList.forEach((id, n) => {
        for (let j = 0; j < width; j++)
          brute[id * width + j] = Math.fround(brute[id * width + j]! + dys[n * width + j]!);
      });
      expect(Array.from(grad)).toEqual(Array.from(brute));
      tf.dispose([weight, ids, dy]);
      expect(tf.memory().numTensors).toBe(before - 3);
    },
  );
});
