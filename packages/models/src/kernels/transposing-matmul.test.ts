import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';
import { registerKernelFixes, unregisterKernelFixes } from './register-kernel-fixes.js';

/** Plain float64 reference: op(A) x op(B) for rank-2 or batched rank-3 arrays. */
function referenceMatMul(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
): Float64Array {
  const batch = aShape.length === 3 ? aShape[0]! : 1;
  const [ar, ac] = aShape.slice(-2) as [number, number];
  const [br, bc] = bShape.slice(-2) as [number, number];
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  const out = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = transposeA ? a[z * ar * ac + p * ac + i]! : a[z * ar * ac + i * ac + p]!;
          const bv = transposeB ? b[z * br * bc + j * bc + p]! : b[z * br * bc + p * bc + j]!;
          s += av * bv;
        }
        out[z * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  }
  expect(worst).toBeLessThan(tol);
}

const CASES: { a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [
  { a: [7, 5], b: [5, 9], tA: false, tB: false },
  { a: [5, 7], b: [5, 9], tA: true, tB: false },
  { a: [7, 5], b: [9, 5], tA: false, tB: true },
  { a: [5, 7], b: [9, 5], tA: true, tB: true },
  { a: [3, 5, 7], b: [3, 5, 4], tA: true, tB: false },
  { a: [3, 7, 5], b: [3, 4, 5], tA: false, tB: true },
  { a: [1, 6], b: [4, 6], tA: false, tB: true },
];

describe('transposing matMul (wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(() => {
    registerKernelFixes('wasm');
  });

  it.each(CASES)('matMul $a x $b (tA=$tA, tB=$tB) equals a float64 reference', ({ a, b, tA, tB }) => {
    const before = tf.memory().numTensors;
    const x = tf.randomNormal(a, 0, 1, 'float32', 1);
    const y = tf.randomNormal(b, 0, 1, 'float32', 2);
    const expected = referenceMatMul(
      x.dataSync() as Float32Array,
      a,
      y.dataSync() as Float32Array,
      b,
      tA,
      tB,
    );
    // Twice: the second call hits the transpose cache.
    for (let round = 0; round < 2; round++) {
      const z = tf.matMul(x, y, tA, tB);
      expectClose(z.dataSync(), expected);
      z.dispose();
    }
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [false, true],
    [true, false],
  ])('fused matMul (tA=%s, tB=%s) with bias and relu equals a float64 reference', (tA, tB) => {
    const x = tf.randomNormal(tA ? [8, 6] : [6, 8], 0, 1, 'float32', 3);
    const w = tf.randomNormal(tB ? [5, 8] : [8, 5], 0, 1, 'float32', 4);
    const bias = tf.randomNormal([5], 0, 1, 'float32', 5);
    const product = referenceMatMul(
      x.dataSync() as Float32Array,
      x.shape,
      w.dataSync() as Float32Array,
      w.shape,
      tA,
      tB,
    );
    const b = bias.dataSync();
    const expected = product.map((v, i) => Math.max(0, v + b[i % 5]!));
    const fused = tf.fused.matMul({ a: x, b: w, transposeA: tA, transposeB: tB, bias, activation: 'relu' });
    expectClose(fused.dataSync(), expected);
    tf.dispose([x, w, bias, fused]);
  });

  it('does not confuse two reshapes of one tensor (they share data)', () => {
    const base = tf.randomNormal([24], 0, 1, 'float32', 6);
    const a1 = tf.reshape(base, [4, 6]);
    const a2 = tf.reshape(base, [6, 4]);
    const y = tf.randomNormal([4, 3], 0, 1, 'float32', 7);
    const y2 = tf.randomNormal([6, 3], 0, 1, 'float32', 8);
    const z1 = tf.matMul(a1, y, true, false); // [6, 4] x [4, 3]
    const z2 = tf.matMul(a2, y2, true, false); // [4, 6] x [6, 3]
    expectClose(
      z1.dataSync(),
      referenceMatMul(
        base.dataSync() as Float32Array,
        [4, 6],
        y.dataSync() as Float32Array,
        [4, 3],
        true,
        false,
      ),
    );
    expectClose(
      z2.dataSync(),
      referenceMatMul(
        base.dataSync() as Float32Array,
        [6, 4],
        y2.dataSync() as Float32Array,
        [6, 3],
        true,
        false,
      ),
    );
    tf.dispose([base, a1, a2, y, y2, z1, z2]);
  });

  it('caches the transpose of a recurring operand, but frees one larger than half its budget', () => {
    unregisterKernelFixes('wasm'); // empties the cache
    registerKernelFixes('wasm');
    const backend = tf.backend();
    const small = tf.randomNormal([30, 20], 0, 1, 'float32', 21);
    const big = tf.randomNormal([2100, 2000], 0, 1, 'float32', 22); // 16.8 MB > 16 MiB
    const v = tf.randomNormal([30, 1], 0, 1, 'float32', 23);
    const w = tf.randomNormal([2100, 1], 0, 1, 'float32', 24);
    const ids = backend.numDataIds();
    const z1 = tf.matMul(small, v, true, false); // [20, 30] x [30, 1]: transpose cached
    z1.dispose();
    expect(backend.numDataIds()).toBe(ids + 1);
    const z2 = tf.matMul(big, w, true, false); // [2000, 2100] x [2100, 1]: transpose freed
    expect(backend.numDataIds()).toBe(ids + 2);
    expectClose(
      z2.dataSync(),
      referenceMatMul(
        big.dataSync() as Float32Array,
        [2100, 2000],
        w.dataSync() as Float32Array,
        [2100, 1],
        true,
        false,
      ),
    );
    tf.dispose([small, big, v, w, z2]);
  });

  it('gradients of a matMul equal the stock kernels', () => {
    const x = tf.randomNormal([5, 7], 0, 1, 'float32', 9);
    const w = tf.randomNormal([7, 3], 0, 1, 'float32', 10);
    const grads = () =>
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))));
        return g([x, w]).map((t) => t.dataSync().slice());
      });
    const fixed = grads();
    unregisterKernelFixes('wasm');
    const stock = grads();
    registerKernelFixes('wasm');
    expectClose(fixed[0]!, stock[0]!, 1e-5);
    expectClose(fixed[1]!, stock[1]!, 1e-5);
    tf.dispose([x, w]);
  });
});
