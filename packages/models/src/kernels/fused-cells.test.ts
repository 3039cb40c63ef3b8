import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';
import { gruPointwise } from '../cells/gru-pointwise.js';
import { lstmPointwise } from '../cells/lstm-pointwise.js';
import { fusedGruPointwise, GRU_CELL } from './gru-cell-kernel.js';
import { fusedLstmPointwise, LSTM_CELL } from './lstm-cell-kernel.js';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-6): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  }
  expect(worst).toBeLessThan(tol);
}

/** Values and gradients of a scalar loss built on a cell, as plain arrays. */
function valuesAndGrads(
  f: (...xs: tf.Tensor2D[]) => tf.Tensor2D[],
  xs: tf.Tensor2D[],
  weights: tf.Tensor2D[],
): { values: Float32Array[]; grads: Float32Array[] } {
  return tf.tidy(() => {
    const values = f(...xs).map((t) => t.dataSync() as Float32Array);
    // A loss that weighs every output differently, so every adjoint is exercised.
    const loss = (...args: tf.Tensor[]) =>
      f(...(args as tf.Tensor2D[])).reduce(
        (acc, out, k) => tf.add(acc, tf.sum(tf.mul(out, weights[k]!))),
        tf.scalar(0),
      );
    const grads = tf
      .grads(loss)(xs)
      .map((t) => t.dataSync() as Float32Array);
    return { values, grads };
  });
}

describe.each(['wasm', 'cpu'] as const)('fused cell kernels on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('are registered for the backend', () => {
    expect(tf.getKernel(LSTM_CELL, backend)).toBeDefined();
    expect(tf.getKernel(GRU_CELL, backend)).toBeDefined();
  });

  it('LSTM: values and gradients equal the plain-op version', () => {
    const before = tf.memory().numTensors;
    const [B, H] = [3, 5];
    const gates = tf.randomNormal([B, 4 * H], 0, 2, 'float32', 21) as tf.Tensor2D;
    const cPrev = tf.randomNormal([B, H], 0, 1, 'float32', 22) as tf.Tensor2D;
    const weights = [
      tf.randomNormal([B, H], 0, 1, 'float32', 23),
      tf.randomNormal([B, H], 0, 1, 'float32', 24),
    ] as tf.Tensor2D[];
    const asList = (f: typeof lstmPointwise) => (g: tf.Tensor2D, c: tf.Tensor2D) => {
      const s = f(g, c);
      return [s.h, s.c];
    };
    const fused = valuesAndGrads(asList(fusedLstmPointwise), [gates, cPrev], weights);
    const plain = valuesAndGrads(asList(lstmPointwise), [gates, cPrev], weights);
    fused.values.forEach((v, k) => {
      expectClose(v, plain.values[k]!);
    });
    fused.grads.forEach((g, k) => {
      expectClose(g, plain.grads[k]!);
    });
    tf.dispose([gates, cPrev, ...weights]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('LSTM: saturated gates stay finite and exact', () => {
    const gates = tf.tensor2d([[-80, 80, 30, -30, 0, 1, -1, 90]]) as tf.Tensor2D;
    const cPrev = tf.tensor2d([[2, -3]]) as tf.Tensor2D;
    const f = fusedLstmPointwise(gates, cPrev);
    const p = lstmPointwise(gates, cPrev);
    expectClose(f.h.dataSync(), p.h.dataSync());
    expectClose(f.c.dataSync(), p.c.dataSync());
    tf.dispose([gates, cPrev, f.h, f.c, p.h, p.c]);
  });

  it('GRU: values and gradients equal the plain-op version', () => {
    const before = tf.memory().numTensors;
    const [B, H] = [4, 3];
    const gx = tf.randomNormal([B, 3 * H], 0, 2, 'float32', 31) as tf.Tensor2D;
    const gh = tf.randomNormal([B, 3 * H], 0, 2, 'float32', 32) as tf.Tensor2D;
    const hPrev = tf.randomNormal([B, H], 0, 1, 'float32', 33) as tf.Tensor2D;
    const weights = [tf.randomNormal([B, H], 0, 1, 'float32', 34)] as tf.Tensor2D[];
    const fused = valuesAndGrads((a, b, c) => [fusedGruPointwise(a!, b!, c!).h], [gx, gh, hPrev], weights);
    const plain = valuesAndGrads((a, b, c) => [gruPointwise(a!, b!, c!).h], [gx, gh, hPrev], weights);
    fused.values.forEach((v, k) => {
      expectClose(v, plain.values[k]!);
    });
    fused.grads.forEach((g, k) => {
      expectClose(g, plain.grads[k]!);
    });
    tf.dispose([gx, gh, hPrev, ...weights]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a chain of LSTM steps back-propagates through the cell state like the plain ops', () => {
    const [B, H, T] = [2, 4, 5];
    const gates = Array.from(
      { length: T },
      (_, t) => tf.randomNormal([B, 4 * H], 0, 1.5, 'float32', 40 + t) as tf.Tensor2D,
    );
    const c0 = tf.randomNormal([B, H], 0, 1, 'float32', 50) as tf.Tensor2D;
    const run = (cell: typeof lstmPointwise) =>
      tf.tidy(() => {
        const loss = (c: tf.Tensor, ...gs: tf.Tensor[]) => {
          let state = { h: tf.zerosLike(c) as tf.Tensor2D, c: c as tf.Tensor2D };
          let total = tf.scalar(0);
          gs.forEach((g, t) => {
            // The hidden state feeds back into the next pre-activation, as in a real recurrence.
            const pre = tf.add(g, tf.tile(state.h, [1, 4])) as tf.Tensor2D;
            state = cell(pre, state.c);
            total = tf.add(total, tf.sum(tf.mul(state.h, t + 1)));
          });
          return tf.add(total, tf.sum(state.c));
        };
        return tf
          .grads(loss)([c0, ...gates])
          .map((g) => g.dataSync() as Float32Array);
      });
    const fused = run(fusedLstmPointwise);
    const plain = run(lstmPointwise);
    fused.forEach((g, k) => {
      expectClose(g, plain[k]!, 1e-5);
    });
    tf.dispose([c0, ...gates]);
  });

  it('rejects mismatched shapes, naming the argument', () => {
    const gates = tf.zeros([2, 7]) as tf.Tensor2D;
    const cPrev = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => fusedLstmPointwise(gates, cPrev)).toThrow(
      /fusedLstmPointwise: gates must be \[B, 4H\] = \[2, 8\]/,
    );
    tf.dispose([gates, cPrev]);
  });
});
