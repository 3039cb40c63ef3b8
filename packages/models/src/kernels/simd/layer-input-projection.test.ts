import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../backends/select-backend';
import { linearReference } from '../linear-kernel';
import { LAYER_INPUT, layerInputProjection } from './layer-input-projection';
import { setLayerLoops } from './simd-layer-loop';

/**
 * The input projection's kernels against the tfjs path (`linearReference`: transpose and XNNPACK), value and
 * the gradients of x, W_ih and b, on shapes with one row, odd rows, K = 1, and G below, at and past the
 * kernels' 16-column tiles (with a tail of single columns). Sums are float32 in another order: tolerance a
 * few ulp of the sums' terms, relative to the tensor's scale (∂W and ∂b sum N terms).
 */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 2, 5],
  [7, 6, 16],
  [64, 6, 200],
  [129, 50, 203],
  [20, 13, 37],
];

/** max |a − e| / (1 + max |e|): the error relative to the tensor's scale. */
function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  return worst / (1 + scale);
}

/** The names of the kernels one run of `f` calls. */
async function kernelNames(f: () => void): Promise<string[]> {
  return (await tf.profile(f)).kernels.map((k) => k.name);
}

describe('the layer input projection on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(() => {
    setLayerLoops(true);
  });

  it.each(SHAPES)('N=%i K=%i G=%i: value and gradients equal the tfjs path', async (rows, inner, width) => {
    const x = tf.randomNormal([rows, inner], 0, 1, 'float32', rows + inner) as tf.Tensor2D;
    const w = tf.randomNormal([width, inner], 0, 0.5, 'float32', width) as tf.Tensor2D;
    const b = tf.randomNormal([width], 0, 0.5, 'float32', 7) as tf.Tensor1D;
    const dy = tf.randomNormal([rows, width], 0, 1, 'float32', 8) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const run = (f: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D) =>
      tf.tidy(() => [
        f(x, w, b).dataSync().slice(),
        ...tf
          .grads((a, c, d) => f(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D))([x, w, b], dy)
          .map((g) => g.dataSync().slice()),
      ]);
    const names = await kernelNames(() => {
      run(layerInputProjection);
    });
    const kernels = run(layerInputProjection);
    const reference = run(linearReference);
    expect(tf.memory().numTensors).toBe(before);
    // the forward kernel in the value's run and the gradient's, the backward kernel once
    expect(names.filter((n) => n === LAYER_INPUT).length).toBe(2);
    expect(names.filter((n) => n === `${LAYER_INPUT}Grad`).length).toBe(1);
    ['value', 'dx', 'dW', 'db'].forEach((name, i) => {
      expect(scaledError(kernels[i]!, reference[i]!), name).toBeLessThan(
        4e-7 * Math.sqrt(rows + inner + width),
      );
    });
    tf.dispose([x, w, b, dy]);
  });

  it('is the linear layer when the loops are off', async () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const w = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1], [4, 3]);
    const b = tf.tensor1d([0.5, 0, 0, -1]);
    setLayerLoops(false);
    let value: number[] = [];
    const names = await kernelNames(() => {
      value = Array.from(tf.tidy(() => layerInputProjection(x, w, b).dataSync()));
    });
    setLayerLoops(true);
    expect(names.some((n) => n.startsWith(LAYER_INPUT))).toBe(false);
    expect(value).toEqual([1.5, 2, 3, 5, 4.5, 5, 6, 14]);
    tf.dispose([x, w, b]);
  });
});
