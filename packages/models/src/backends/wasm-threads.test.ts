import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from '../loss/softmax-cross-entropy.js';
import { createModel } from '../model/create-model.js';
import type { EmbeddingModelSpec } from '../types.js';
import { selectBackend } from './select-backend.js';
import { wasmThreads } from './wasm-threads.js';

/** Small enough to be quick, large enough that XNNPACK splits its products between the threads. */
const SPEC: EmbeddingModelSpec = {
  cell: 'lstm',
  input: 'embedding',
  vocabSize: 120,
  embeddingSize: 48,
  hiddenSize: 64,
  numLayers: 2,
  outputSize: 120,
  seed: 3,
};
const BATCH = 8;
const WINDOW = 6;

/** Logits and every parameter gradient of one window, read back as plain arrays (no tensor kept). */
function logitsAndGradients(): { logits: Float32Array; grads: Map<string, Float32Array> } {
  const before = tf.memory().numTensors;
  const model = createModel(SPEC);
  const inputs = tf.randomUniform([WINDOW, BATCH], 0, SPEC.vocabSize, 'int32', 11);
  const targets = tf.randomUniform([WINDOW * BATCH], 0, SPEC.outputSize, 'int32', 12) as tf.Tensor1D;
  const state = model.initialState(BATCH);
  let logits: Float32Array = new Float32Array();
  const grads = new Map<string, Float32Array>();
  tf.tidy(() => {
    const { grads: g } = tf.variableGrads(() => {
      const out = model.forward(inputs, state, { training: true }).logits;
      logits = out.dataSync().slice() as Float32Array;
      const [steps, batch, classes] = out.shape;
      // [T, B, O] -> [T·B, O]
      return softmaxCrossEntropy(targets, tf.reshape(out, [steps * batch, classes]) as tf.Tensor2D);
    }, model.variables);
    // Variable names carry a global counter: index by position in model.variables instead.
    model.variables.forEach((v, i) => {
      grads.set(String(i), g[v.name]!.dataSync().slice() as Float32Array);
    });
  });
  tf.dispose([inputs, targets, ...state]);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return { logits, grads };
}

function worstRelativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  }
  return worst;
}

describe('selectBackend("wasm", { threads })', () => {
  afterAll(async () => {
    // Back to the default (stops the pthread workers).
    await selectBackend('wasm', { threads: 1 });
  });

  it('rejects a bad thread count or a backend other than wasm, naming the option and the value', async () => {
    for (const threads of [0, 9, 1.5, Number.NaN]) {
      await expect(selectBackend('wasm', { threads })).rejects.toThrow(
        /selectBackend: options\.threads must be an integer from 1 to 8, got/,
      );
    }
    await expect(selectBackend('cpu', { threads: 2 })).rejects.toThrow(
      /options\.threads applies to "wasm".*got threads 2 with backend "cpu"/,
    );
  });

  it('2 threads give the same logits and gradients as 1 thread on a 2-layer LSTM (to 1e-5)', async (ctx) => {
    await selectBackend('wasm', { threads: 1 });
    expect(wasmThreads()).toBe(1);
    const single = logitsAndGradients();
    try {
      await selectBackend('wasm', { threads: 2 });
    } catch (error) {
      const reason = `the threaded-SIMD wasm build cannot start here: ${(error as Error).message}`;
      console.warn(`skipped: ${reason}`);
      ctx.skip(reason);
      return;
    }
    expect(tf.getBackend()).toBe('wasm');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    expect(wasm.getThreadsCount()).toBe(2);
    expect(wasmThreads()).toBe(2);
    // The heap is shared with the workers.
    const backend = tf.backend() as unknown as { wasm: { wasmMemory: WebAssembly.Memory } };
    expect(backend.wasm.wasmMemory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const threaded = logitsAndGradients();
    expect(worstRelativeError(threaded.logits, single.logits)).toBeLessThan(1e-5);
    expect([...threaded.grads.keys()]).toEqual([...single.grads.keys()]);
    for (const [name, grad] of single.grads) {
      expect(worstRelativeError(threaded.grads.get(name)!, grad), name).toBeLessThan(1e-5);
    }
    // Sanity: the comparison can fail (the gradients are not all zero).
    expect(Math.max(...[...single.grads.values()].map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(
      1e-4,
    );
  }, 120_000);
});
