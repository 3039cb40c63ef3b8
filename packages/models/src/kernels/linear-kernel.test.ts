import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend';
import { softmaxCrossEntropy } from '../loss/softmax-cross-entropy';
import { createModel } from '../model/create-model';
import type { ModelSpec } from '../types';
import { linear, linearReference, setLinearKernel, useLinearKernel } from './linear-kernel';

/**
 * The SIMD linear kernels (z = x Wᵀ + b and its gradients) against float64 sums of the same float32
 * inputs, and against the tfjs path they replace (linearReference: transpose, matMul, the hand-written
 * gradient of matMulBias), on shapes that cover every tail of the kernels: N = 1 and N not a multiple of
 * 2 or 4, K not a multiple of 8 or 4, O below, at and across the 32-row blocks of W, N across the blocks
 * of rows of x, with and without b.
 *
 * The bound is float32 rounding: a float32 sum of m products in any order is within (m + 1)·u·Σ|terms|
 * of the exact sum (u = 2⁻²⁴); a wrong index, a lost tail or a missing block moves an entry by a whole
 * term, far beyond it.
 */
const U = 2 ** -24;

/** [N, K, O] */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 3, 5],
  [2, 4, 4],
  [3, 7, 33],
  [4, 8, 32],
  [5, 13, 70],
  [6, 17, 65],
  [9, 128, 37],
  [1, 130, 3],
  // across the kernels' row blocks (256 rows at K = 128, 32 at K = 1000; dW: 32 rows, 128 columns a chunk)
  [263, 128, 9],
  [37, 1000, 5],
  [70, 200, 11],
];

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomArray(rand: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * rand() - 1);
}

interface Exact {
  /** The exact (float64) values, and Σ|terms| of each (the scale of its rounding error). */
  value: Float64Array;
  scale: Float64Array;
  /** Terms per entry. */
  terms: number;
}

/** z, dx, dW, db in float64 from the float32 inputs. */
function exact(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array | null,
  dy: Float32Array,
  [N, K, O]: [number, number, number],
): { z: Exact; dx: Exact; dw: Exact; db: Exact } {
  const z = { value: new Float64Array(N * O), scale: new Float64Array(N * O), terms: K + 1 };
  const dx = { value: new Float64Array(N * K), scale: new Float64Array(N * K), terms: O };
  const dw = { value: new Float64Array(O * K), scale: new Float64Array(O * K), terms: N };
  const db = { value: new Float64Array(O), scale: new Float64Array(O), terms: N };
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let sum = b ? b[o]! : 0;
      let abs = b ? Math.abs(b[o]!) : 0;
      for (let k = 0; k < K; k++) {
        const t = x[n * K + k]! * w[o * K + k]!;
        sum += t;
        abs += Math.abs(t);
      }
      z.value[n * O + o] = sum;
      z.scale[n * O + o] = abs;
      const g = dy[n * O + o]!;
      db.value[o]! += g;
      db.scale[o]! += Math.abs(g);
      for (let k = 0; k < K; k++) {
        dx.value[n * K + k]! += g * w[o * K + k]!;
        dx.scale[n * K + k]! += Math.abs(g * w[o * K + k]!);
        dw.value[o * K + k]! += g * x[n * K + k]!;
        dw.scale[o * K + k]! += Math.abs(g * x[n * K + k]!);
      }
    }
  }
  return { z, dx, dw, db };
}

/** Largest |got − exact| / ((m + 1)·u·Σ|terms|): at most 1 within float32 rounding (times `factor`). */
function roundingRatio(got: ArrayLike<number>, want: Exact | ArrayLike<number>, bound: Exact, factor = 1) {
  const values = 'value' in want ? want.value : want;
  expect(got.length).toBe(values.length);
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const allowed = factor * (bound.terms + 1) * U * bound.scale[i]! + 1e-30;
    worst = Math.max(worst, Math.abs(got[i]! - values[i]!) / allowed);
  }
  return worst;
}

function run(
  f: typeof linear,
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D | null,
  dy: tf.Tensor2D,
): Float32Array[] {
  return tf.tidy(() => {
    const call = (...args: tf.Tensor[]) =>
      f(args[0] as tf.Tensor2D, args[1] as tf.Tensor2D, args[2] as tf.Tensor1D | undefined);
    const inputs = b ? [x, w, b] : [x, w];
    const z = call(...inputs).dataSync() as Float32Array;
    const grads = tf
      .grads(call)(inputs, dy)
      .map((g) => g.dataSync() as Float32Array);
    return [z, ...grads];
  });
}

describe('linear: the SIMD decoder kernels on wasm', () => {
  beforeAll(async () => {
    expect(await selectBackend('wasm')).toBe('wasm');
  }, 60_000);
  afterAll(() => setLinearKernel(true));

  it('run on wasm (else these tests would compare the reference with itself)', () => {
    expect(useLinearKernel()).toBe(true);
  });

  for (const withBias of [true, false]) {
    it.each(SHAPES)(
      `N=%i K=%i O=%i ${withBias ? 'with' : 'without'} bias: z, ∂x, ∂W${withBias ? ', ∂b' : ''} within float32 rounding of float64 and of the tfjs path`,
      (N, K, O) => {
        const rand = mulberry(1000 * N + 37 * K + O + (withBias ? 7 : 0));
        const xs = randomArray(rand, N * K);
        const ws = randomArray(rand, O * K);
        const bs = withBias ? randomArray(rand, O) : null;
        const dys = randomArray(rand, N * O);
        const x = tf.tensor2d(xs, [N, K]);
        const w = tf.tensor2d(ws, [O, K]);
        const b = bs ? tf.tensor1d(bs) : null;
        const dy = tf.tensor2d(dys, [N, O]);
        const before = tf.memory().numTensors;
        const kernel = run(linear, x, w, b, dy);
        const reference = run(linearReference, x, w, b, dy);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, w, dy, ...(b ? [b] : [])]);
        const want = exact(xs, ws, bs, dys, [N, K, O]);
        const exacts = [want.z, want.dx, want.dw, ...(withBias ? [want.db] : [])];
        expect(kernel.length).toBe(exacts.length);
        exacts.forEach((e, i) => {
          expect(roundingRatio(kernel[i]!, e, e), `output ${i} against float64`).toBeLessThanOrEqual(1);
          // Both are within rounding of the exact values, so of each other within twice that.
          expect(
            roundingRatio(kernel[i]!, reference[i]!, e, 2),
            `output ${i} against tfjs`,
          ).toBeLessThanOrEqual(1);
        });
      },
    );
  }

  it('at a word-LM decoder size (N=20, K=64, O=1003): within float32 rounding of float64', () => {
    const [N, K, O] = [20, 64, 1003];
    const rand = mulberry(99);
    const xs = randomArray(rand, N * K);
    const ws = randomArray(rand, O * K);
    const bs = randomArray(rand, O);
    const dys = randomArray(rand, N * O);
    const tensors = [
      tf.tensor2d(xs, [N, K]),
      tf.tensor2d(ws, [O, K]),
      tf.tensor1d(bs),
      tf.tensor2d(dys, [N, O]),
    ];
    const [x, w, b, dy] = tensors as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
    const kernel = run(linear, x, w, b, dy);
    tf.dispose(tensors);
    const want = exact(xs, ws, bs, dys, [N, K, O]);
    [want.z, want.dx, want.dw, want.db].forEach((e, i) => {
      expect(roundingRatio(kernel[i]!, e, e), `output ${i}`).toBeLessThanOrEqual(1);
    });
  });

  it('refuses mismatched shapes, naming the argument', () => {
    const x = tf.zeros([2, 3]) as tf.Tensor2D;
    const w = tf.zeros([4, 5]) as tf.Tensor2D;
    const w3 = tf.zeros([4, 3]) as tf.Tensor2D;
    const b = tf.zeros([5]) as tf.Tensor1D;
    expect(() => linear(x, w)).toThrow(/linear: weight must be float32 \[O, K\] with K = 3.*\[4, 5\]/);
    expect(() => linear(x, w3, b)).toThrow(/linear: bias must be float32 \[O\] with O = 4.*\[5\]/);
    tf.dispose([x, w, w3, b]);
  });
});

describe('a model decoding through the kernels', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  }, 60_000);
  afterAll(() => setLinearKernel(true));

  const base = {
    cell: 'lstm',
    input: 'embedding',
    vocabSize: 45,
    embeddingSize: 6,
    hiddenSize: 6,
    numLayers: 2,
    outputSize: 45,
    seed: 3,
  } as const;

  it.each([
    ['tied', { ...base, tieWeights: true }],
    ['untied', base],
    ['untied, H=7 (not a multiple of 4)', { ...base, embeddingSize: 5, hiddenSize: 7 }],
  ] as [string, ModelSpec][])(
    '%s: logits and every gradient equal the tfjs path to float32 rounding',
    (_, spec) => {
      const model = createModel(spec);
      const [steps, batch] = [5, 3];
      const rand = mulberry(5);
      const ids = tf.tensor2d(
        Int32Array.from({ length: steps * batch }, () => Math.floor(rand() * spec.outputSize)),
        [steps, batch],
        'int32',
      );
      const targets = tf.tensor1d(
        Int32Array.from({ length: 2 * batch }, () => Math.floor(rand() * spec.outputSize)),
        'int32',
      );
      const state = model.initialState(batch);
      const before = tf.memory().numTensors;
      const once = () =>
        tf.tidy(() => {
          const logits = model.forward(ids, state, { decodeFrom: 3 }).logits.dataSync().slice();
          const { grads } = tf.variableGrads(() => {
            const out = model.forward(ids, state, { decodeFrom: 3 });
            return softmaxCrossEntropy(
              targets,
              tf.reshape(out.logits, [2 * batch, spec.outputSize]) as tf.Tensor2D,
            );
          }, model.variables);
          return { logits, grads: model.variables.map((v) => grads[v.name]!.dataSync().slice()) };
        });
      setLinearKernel(true);
      const kernel = once();
      setLinearKernel(false);
      const reference = once();
      setLinearKernel(true);
      expect(tf.memory().numTensors).toBe(before);
      const worstRelative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        let worst = 0;
        let scale = 0;
        for (let i = 0; i < b.length; i++) {
          worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
          scale = Math.max(scale, Math.abs(b[i]!));
        }
        return worst / scale;
      };
      expect(worstRelative(kernel.logits, reference.logits)).toBeLessThan(1e-6);
      model.variables.forEach((v, i) => {
        expect(worstRelative(kernel.grads[i]!, reference.grads[i]!), v.name).toBeLessThan(1e-5);
      });
      tf.dispose([ids, targets, ...state]);
      model.dispose();
    },
  );
});
