import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';

/** Float64-free reference: the element at a multi-index of a row-major array. */
function at(values: ArrayLike<number>, shape: number[], index: number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + index[d]!;
  return values[flat]!;
}

function referenceSlice(
  values: ArrayLike<number>,
  shape: number[],
  begin: number[],
  size: number[],
): number[] {
  const out: number[] = [];
  const index = new Array<number>(shape.length).fill(0);
  const total = size.reduce((p, d) => p * d, 1);
  for (let n = 0; n < total; n++) {
    out.push(
      at(
        values,
        shape,
        index.map((i, d) => i + begin[d]!),
      ),
    );
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

describe('heap Slice and Unpack (wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    { shape: [6, 5], begin: [2, 0], size: [3, 5] },
    { shape: [6, 5], begin: [1, 2], size: [4, 2] },
    { shape: [4, 3, 5], begin: [1, 0, 0], size: [2, 3, 5] },
    { shape: [4, 3, 5], begin: [0, 1, 2], size: [4, 2, 3] },
    { shape: [2, 3, 4, 5], begin: [1, 1, 0, 3], size: [1, 2, 4, 2] },
    { shape: [7], begin: [2], size: [0] },
  ])(
    'slice $shape from $begin size $size equals a reference (float32 and int32)',
    ({ shape, begin, size }) => {
      const before = tf.memory().numTensors;
      const x = tf.randomNormal(shape, 0, 1, 'float32', 5);
      const ints = tf.tidy(() => tf.cast(tf.mul(x, 100), 'int32'));
      for (const t of [x, ints]) {
        const s = tf.slice(t, begin, size);
        expect(s.shape).toEqual(size);
        expect(Array.from(s.dataSync())).toEqual(referenceSlice(t.dataSync(), shape, begin, size));
        s.dispose();
      }
      tf.dispose([x, ints]);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.each([0, 1, 2, -1])('unstack along axis %i equals a reference, and its gradient is a stack', (axis) => {
    const shape = [3, 4, 2];
    const x = tf.randomNormal(shape, 0, 1, 'float32', 6);
    const parts = tf.unstack(x, axis);
    const a = axis < 0 ? axis + 3 : axis;
    expect(parts.length).toBe(shape[a]);
    parts.forEach((p, i) => {
      const begin = [0, 0, 0];
      const size = shape.slice();
      begin[a] = i;
      size[a] = 1;
      expect(Array.from(p.dataSync())).toEqual(referenceSlice(x.dataSync(), shape, begin, size));
    });
    const weights = parts.map((_, i) => i + 1);
    const g = tf.grad((v: tf.Tensor) =>
      tf.addN(tf.unstack(v, axis).map((p, i) => tf.mul(tf.sum(p), weights[i]!))),
    )(x);
    const gv = g.dataSync();
    for (let n = 0; n < gv.length; n++) {
      const index = [Math.floor(n / 8), Math.floor(n / 2) % 4, n % 2];
      expect(gv[n]).toBe(weights[index[a]!]);
    }
    tf.dispose([x, g, ...parts]);
  });
});
