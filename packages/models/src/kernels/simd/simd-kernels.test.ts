import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomCase, stateNamesOf, worstError } from '../../../test/helpers/layer-reference';
import { selectBackend } from '../../backends/select-backend';
import { softmaxCrossEntropy, softmaxCrossEntropyRows } from '../../loss/softmax-cross-entropy';
import { gruLayer } from '../gru-layer-kernel';
import { lstmLayer } from '../lstm-layer-kernel';
import { rnnLayer } from '../rnn-layer-kernel';
import { setSimdKernels, simdKernelsFor } from './simd-kernels';
import { setLayerLoops } from './simd-layer-loop';

/**
 * The SIMD kernels against the JavaScript kernels they replace (the reference, `*-layer-impl.ts` and
 * softmax-cross-entropy-kernel.ts), run on the same wasm backend with the SIMD kernels switched on and off:
 * values, every gradient (tf.grads, probes included), on shapes with B = 1, H not a multiple of 4, T = 1.
 * The layers run both ways the SIMD kernels do: the whole-layer loops (one call per direction, their own
 * products) and the scaffold's steps (XNNPACK's products, the SIMD pointwise steps).
 * Tolerances are float32 rounding: the SIMD exp is ≈ 1 ulp where the JavaScript one is float64, so single
 * steps agree to a few ulp and a window of steps to the rounding amplified by its recurrence.
 */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 3, 5],
  [4, 1, 7],
  [6, 5, 8],
  [3, 2, 13],
  // the loops' wider tiles (RNN: 16 columns) and their tails; the copy task's B and H
  [2, 3, 21],
  [3, 64, 50],
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

/** max |a − e| / (1 + max |e|): the error relative to the tensor's scale. */
function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst / (1 + scale);
}

/** Runs `f` with the SIMD kernels on and off; returns both results. */
function onAndOff<T>(f: () => T): { simd: T; js: T } {
  setSimdKernels(true);
  const simd = f();
  setSimdKernels(false);
  const js = f();
  setSimdKernels(true);
  return { simd, js };
}

/** Runs `f` with the whole-layer loops, with the SIMD steps in the scaffold, and in JavaScript. */
function threeWays<T>(f: () => T): { loops: T; steps: T; js: T } {
  setLayerLoops(false);
  const { simd: steps } = onAndOff(f);
  setLayerLoops(true);
  const { simd: loops, js } = onAndOff(f);
  return { loops, steps, js };
}

type Kind = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

function runLayer(kind: Kind, x: Map<string, tf.Tensor>): tf.Tensor[] {
  const get = (name: string) => x.get(name) as tf.Tensor2D;
  const probes = x.has('probes.h')
    ? { h: get('probes.h'), ...(x.has('probes.c') ? { c: get('probes.c') } : {}) }
    : undefined;
  if (kind === 'lstm') {
    const r = lstmLayer({
      inputGates: get('inputGates'),
      weightHhT: get('weightHhT'),
      h0: get('initial.h'),
      c0: get('initial.c'),
      ...(probes ? { probes: probes as { h: tf.Tensor2D; c: tf.Tensor2D } } : {}),
    });
    return [r.outputs, r.h, r.c];
  }
  if (kind === 'gru') {
    const r = gruLayer({
      inputGates: get('inputGates'),
      weightHhT: get('weightHhT'),
      biasHh: x.get('biasHh') as tf.Tensor1D,
      h0: get('initial.h'),
      ...(probes ? { probes } : {}),
    });
    return [r.outputs, r.h];
  }
  const r = rnnLayer({
    nonlinearity: kind === 'rnn_tanh' ? 'tanh' : 'relu',
    inputGates: get('inputGates'),
    weightHhT: get('weightHhT'),
    h0: get('initial.h'),
    ...(probes ? { probes } : {}),
  });
  return [r.outputs, r.h];
}

describe('own WebAssembly SIMD kernels on the wasm backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(() => {
    setSimdKernels(true);
    setLayerLoops(true);
  });

  it('are instantiated against the backend heap', () => {
    expect(simdKernelsFor(tf.backend())).not.toBeNull();
  });

  for (const kind of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
    for (const probed of [false, true]) {
      it.each(SHAPES)(
        `${kind} layer ${probed ? 'with' : 'without'} probes, T=%i B=%i H=%i: values and gradients equal the JavaScript kernels`,
        (steps, batch, hidden) => {
          const c = randomCase(kind, steps, batch, hidden, probed, 11 * steps + 5 * batch + hidden);
          const keys = [...c.inputs.keys()];
          const gates = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
          const shapeOf = (k: string, n: number): number[] =>
            k === 'inputGates'
              ? [steps * batch, gates * hidden]
              : k === 'weightHhT'
                ? [hidden, gates * hidden]
                : k === 'biasHh'
                  ? [gates * hidden]
                  : [n / hidden, hidden];
          const xs = keys.map((k) =>
            tf.tensor(Float32Array.from(c.inputs.get(k)!), shapeOf(k, c.inputs.get(k)!.length)),
          );
          const wOut = tf.tensor2d(Float32Array.from(c.wOutputs), [steps * batch, hidden]);
          const wFinal = c.wFinal.map((w) => tf.tensor2d(Float32Array.from(w), [batch, hidden]));
          const before = tf.memory().numTensors;
          const run = () =>
            tf.tidy(() => {
              const call = (...args: tf.Tensor[]) =>
                runLayer(kind, new Map(keys.map((k, i) => [k, args[i]!])));
              const values = call(...xs).map((t) => t.dataSync().slice());
              const grads = tf
                .grads((...args: tf.Tensor[]) => {
                  const [outputs, ...final] = call(...args);
                  return tf.addN([
                    tf.sum(tf.mul(outputs!, wOut)),
                    ...final.map((f, k) => tf.sum(tf.mul(f, wFinal[k]!))),
                  ]);
                })(xs)
                .map((g) => g.dataSync().slice());
              return { values, grads };
            });
          // Wide products (B·H ≥ 256: ∂W sums T·B terms, ∂h G·H) are float32 sums in another order than
          // XNNPACK's: their rounding scales with the terms, not with a sum that cancels, so the error is taken
          // relative to the tensor's largest value.
          const errorOf = batch * hidden >= 256 ? scaledError : worstError;
          const { loops, steps: stepwise, js } = threeWays(run);
          expect(tf.memory().numTensors).toBe(before);
          tf.dispose([...xs, wOut, ...wFinal]);
          for (const [way, simd] of [
            ['loops', loops],
            ['steps', stepwise],
          ] as const) {
            expect(simd.values.length).toBe(1 + stateNamesOf(kind).length);
            expect(simd.grads.length).toBe(keys.length);
            simd.values.forEach((v, i) => {
              expect(errorOf(v, js.values[i]!), `${way}: value ${i}`).toBeLessThan(2.5e-7 * (steps + 1));
            });
            simd.grads.forEach((g, i) => {
              expect(errorOf(g, js.grads[i]!), `${way}: ${keys[i]}`).toBeLessThan(5e-7 * (steps + 1));
            });
          }
        },
      );
    }
  }

  it.each([
    [1, 1],
    [3, 7],
    [5, 64],
    [7, 1001],
  ])('softmax cross-entropy N=%i O=%i: loss and gradient equal the JavaScript kernels', (rows, classes) => {
    const rand = mulberry(rows * 31 + classes);
    const z = tf.tensor2d(
      Float32Array.from({ length: rows * classes }, () => 20 * rand() - 10),
      [rows, classes],
    );
    const labels = tf.tensor1d(
      Int32Array.from({ length: rows }, () => Math.floor(rand() * classes)),
      'int32',
    );
    const before = tf.memory().numTensors;
    const run = () =>
      tf.tidy(() => {
        const loss = softmaxCrossEntropyRows(labels, z as tf.Tensor2D)
          .dataSync()
          .slice();
        const grad = tf
          .grad((x: tf.Tensor) => tf.sum(softmaxCrossEntropy(labels, x as tf.Tensor2D)))(z)
          .dataSync()
          .slice();
        return { loss, grad };
      });
    const { simd, js } = onAndOff(run);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, labels]);
    expect(worstError(simd.loss, js.loss)).toBeLessThan(3e-7);
    expect(worstError(simd.grad, js.grad)).toBeLessThan(3e-7);
  });
});
