import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';
import { lstmPointwise } from '../cells/lstm-pointwise.js';
import { fusedLstmLayer, hasFusedLstmLayer } from './lstm-layer-kernel.js';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  }
  expect(worst).toBeLessThan(tol);
}

/** The same layer from plain tfjs ops, one step at a time. */
function plainLayer(inputGates: tf.Tensor2D, weightHhT: tf.Tensor2D, h0: tf.Tensor2D, c0: tf.Tensor2D) {
  const batch = h0.shape[0];
  const steps = inputGates.shape[0] / batch;
  let h = h0;
  let c = c0;
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const x = tf.slice(inputGates, [t * batch, 0], [batch, -1]);
    const next = lstmPointwise(tf.add(x, tf.matMul(h, weightHhT)) as tf.Tensor2D, c);
    h = next.h;
    c = next.c;
    hs.push(h);
  }
  return { outputs: tf.concat(hs, 0) as tf.Tensor2D, h, c };
}

describe.each(['wasm', 'cpu'] as const)('fused LSTM layer kernel on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each([
    [3, 2, 4],
    [5, 3, 7],
    [1, 4, 2],
  ])('T=%i, B=%i, H=%i: outputs, final state and all gradients equal the plain-op layer', (T, B, H) => {
    expect(hasFusedLstmLayer()).toBe(true);
    const before = tf.memory().numTensors;
    const xs = [
      tf.randomNormal([T * B, 4 * H], 0, 1, 'float32', 1),
      tf.randomNormal([H, 4 * H], 0, 0.7, 'float32', 2),
      tf.randomNormal([B, H], 0, 1, 'float32', 3),
      tf.randomNormal([B, H], 0, 1, 'float32', 4),
    ] as tf.Tensor2D[];
    const wOut = tf.randomNormal([T * B, H], 0, 1, 'float32', 5);
    const wH = tf.randomNormal([B, H], 0, 1, 'float32', 6);
    const wC = tf.randomNormal([B, H], 0, 1, 'float32', 7);
    const run = (layer: typeof fusedLstmLayer) =>
      tf.tidy(() => {
        const r = layer(xs[0]!, xs[1]!, xs[2]!, xs[3]!);
        const values = [r.outputs, r.h, r.c].map((t) => t.dataSync().slice());
        const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => {
          const out = layer(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor2D);
          return tf.addN([
            tf.sum(tf.mul(out.outputs, wOut)),
            tf.sum(tf.mul(out.h, wH)),
            tf.sum(tf.mul(out.c, wC)),
          ]);
        };
        const grads = tf
          .grads(loss)(xs)
          .map((g) => g.dataSync().slice());
        return { values, grads };
      });
    const fused = run(fusedLstmLayer);
    const plain = run(plainLayer);
    fused.values.forEach((v, k) => {
      expectClose(v, plain.values[k]!);
    });
    fused.grads.forEach((g, k) => {
      expectClose(g, plain.grads[k]!);
    });
    tf.dispose([...xs, wOut, wH, wC]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('only the outputs carry a gradient: the final-state adjoints are zeros', () => {
    const [T, B, H] = [4, 2, 3];
    const xs = [
      tf.randomNormal([T * B, 4 * H], 0, 1, 'float32', 11),
      tf.randomNormal([H, 4 * H], 0, 0.7, 'float32', 12),
      tf.zeros([B, H]),
      tf.zeros([B, H]),
    ] as tf.Tensor2D[];
    const grads = (layer: typeof fusedLstmLayer) =>
      tf.tidy(() =>
        tf
          .grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
            tf.sum(
              tf.square(
                layer(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor2D).outputs,
              ),
            ),
          )(xs)
          .map((g) => g.dataSync().slice()),
      );
    const fused = grads(fusedLstmLayer);
    const plain = grads(plainLayer);
    fused.forEach((g, k) => {
      expectClose(g, plain[k]!);
    });
    tf.dispose(xs);
  });

  it('rejects inputGates of the wrong width, naming the argument', () => {
    const bad = tf.zeros([6, 7]) as tf.Tensor2D;
    const w = tf.zeros([2, 8]) as tf.Tensor2D;
    const s = tf.zeros([3, 2]) as tf.Tensor2D;
    expect(() => fusedLstmLayer(bad, w, s, s)).toThrow(/fusedLstmLayer: inputGates must be \[T·B, 4H\]/);
    tf.dispose([bad, w, s]);
  });
});
