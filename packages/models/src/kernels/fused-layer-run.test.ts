import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';
import { setLayerKernel } from '../cells/run-layer.js';
import { softmaxCrossEntropy } from '../loss/softmax-cross-entropy.js';
import { createModel } from '../model/create-model.js';
import type { ModelSpec } from '../types.js';
import { fusedLayerRun } from './fused-layer-run.js';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  }
  expect(worst).toBeLessThan(tol);
}

describe.each(['wasm', 'cpu'] as const)('a model on the whole-layer LSTM kernel (%s)', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const)(
    '%s: gives the logits, final state and gradients of the per-step path',
    (cell) => {
      const spec: ModelSpec = {
        cell,
        input: 'embedding',
        vocabSize: 11,
        embeddingSize: 5,
        hiddenSize: 6,
        numLayers: 2,
        outputSize: 11,
        seed: 3,
      };
      const model = createModel(spec);
      const [T, B] = [4, 3];
      const ids = tf.randomUniform([T, B], 0, 11, 'int32', 9);
      const targets = tf.randomUniform([T * B], 0, 11, 'int32', 10) as tf.Tensor1D;
      const state = model.initialState(B).map((s, k) => tf.add(s, 0.1 * (k + 1)) as tf.Tensor2D);
      const before = tf.memory().numTensors;
      const run = () =>
        tf.tidy(() => {
          let outputs: Float32Array[] = [];
          const { grads } = tf.variableGrads(() => {
            const { logits, finalState } = model.forward(ids, state, { training: true });
            outputs = [logits, ...finalState].map((t) => t.dataSync() as Float32Array);
            return softmaxCrossEntropy(targets, tf.reshape(logits, [T * B, 11]) as tf.Tensor2D);
          }, model.variables);
          // The initial state's gradients too (the layers' dh0, dc0), with a loss on the final state as well.
          const stateGrads = tf.grads((...s: tf.Tensor[]) => {
            const { logits, finalState } = model.forward(ids, s as tf.Tensor2D[], { training: true });
            const last = tf.addN(finalState.map((f, k) => tf.mul(tf.sum(f), k + 1)));
            return tf.add(softmaxCrossEntropy(targets, tf.reshape(logits, [T * B, 11]) as tf.Tensor2D), last);
          })(state);
          return {
            outputs,
            grads: [
              ...model.variables.map((v) => grads[v.name]!.dataSync() as Float32Array),
              ...stateGrads.map((g) => g.dataSync() as Float32Array),
            ],
          };
        });
      setLayerKernel(fusedLayerRun);
      const fused = run();
      setLayerKernel(null);
      const perStep = run();
      setLayerKernel(fusedLayerRun);
      expect(tf.memory().numTensors).toBe(before);
      fused.outputs.forEach((v, k) => {
        expectClose(v, perStep.outputs[k]!);
      });
      fused.grads.forEach((g, k) => {
        expectClose(g, perStep.grads[k]!);
      });
      tf.dispose([ids, targets, ...state]);
      model.dispose();
    },
  );
});

describe.each(['wasm', 'cpu'] as const)('the whole-layer kernels with probes (%s)', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const)(
    '%s: gives the per-step path’s logits, final state and every probe’s and weight’s gradient',
    (cell) => {
      const spec: ModelSpec = {
        cell,
        input: 'dense',
        featureSize: 3,
        hiddenSize: 4,
        numLayers: 2,
        outputSize: 5,
        seed: 8,
      };
      const model = createModel(spec);
      // State components: LSTM l0.h, l0.c, l1.h, l1.c; GRU and RNN l0.h, l1.h.
      const components = cell === 'lstm' ? 4 : 2;
      const [T, B] = [5, 2];
      const inputs = tf.randomNormal([T, B, 3], 0, 1, 'float32', 30);
      const lossWeights = tf.randomNormal([T, B, 5], 0, 1, 'float32', 31);
      const state = model.initialState(B).map((s, k) => tf.add(s, 0.2 * (k + 1)) as tf.Tensor2D);
      // probes[t][j] [B, H] for every step and state component: the profile passes
      // zeros, but the semantics (added to the carried state) hold for any value, so test non-zero ones.
      const probes = Array.from({ length: T }, (_, t) =>
        state.map((_, j) => tf.randomNormal([B, 4], 0, 0.3, 'float32', 40 + 4 * t + j) as tf.Tensor2D),
      );
      const before = tf.memory().numTensors;
      const run = () =>
        tf.tidy(() => {
          const flat = probes.flat();
          let outputs: Float32Array[] = [];
          const grads = tf.grads((...zs: tf.Tensor[]) => {
            const grouped = Array.from(
              { length: T },
              (_, t) => zs.slice(t * components, (t + 1) * components) as tf.Tensor2D[],
            );
            const { logits, finalState } = model.forward(inputs, state, { probes: grouped });
            outputs = [logits, ...finalState].map((o) => o.dataSync() as Float32Array);
            // The final state in the loss too, so that every probe reaches it.
            const last = tf.addN(finalState.map((f, k) => tf.mul(tf.sum(f), k + 1)));
            return tf.add(tf.sum(tf.mul(logits, lossWeights)), last);
          })(flat);
          // And the weights' gradients, which read the carried (probed) states.
          const weightGrads = tf.variableGrads(() => {
            const { logits } = model.forward(inputs, state, { probes });
            return tf.sum(tf.mul(logits, lossWeights));
          }, model.variables).grads;
          return {
            outputs,
            grads: [...grads, ...model.variables.map((v) => weightGrads[v.name]!)].map(
              (g) => g.dataSync() as Float32Array,
            ),
          };
        });
      setLayerKernel(fusedLayerRun);
      const fused = run();
      setLayerKernel(null);
      const perStep = run();
      setLayerKernel(fusedLayerRun);
      expect(tf.memory().numTensors).toBe(before);
      fused.outputs.forEach((v, k) => {
        expectClose(v, perStep.outputs[k]!);
      });
      expect(fused.grads.length).toBe(T * components + model.variables.length);
      fused.grads.forEach((g, k) => {
        expectClose(g, perStep.grads[k]!);
      });
      // Not trivially zero: the profile reads these norms.
      expect(fused.grads.some((g) => g.some((v) => Math.abs(v) > 1e-3))).toBe(true);
      tf.dispose([inputs, lossWeights, ...state, ...probes.flat()]);
      model.dispose();
    },
  );
});

describe.each(['wasm', 'cpu'] as const)('forward with stateAt (%s)', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const)(
    '%s: the state after s steps equals a forward over the first s steps, on the kernel and the per-step path',
    (cell) => {
      const spec: ModelSpec = {
        cell,
        input: 'embedding',
        vocabSize: 9,
        embeddingSize: 4,
        hiddenSize: 5,
        numLayers: 2,
        outputSize: 9,
        seed: 12,
      };
      const model = createModel(spec);
      const [T, B] = [6, 3];
      const ids = tf.randomUniform([T, B], 0, 9, 'int32', 21);
      const state = model.initialState(B).map((s, k) => tf.add(s, 0.15 * (k + 1)) as tf.Tensor2D);
      const before = tf.memory().numTensors;
      const read = (ts: readonly tf.Tensor[]) => ts.map((t) => t.dataSync() as Float32Array);
      for (const kernel of [fusedLayerRun, null]) {
        setLayerKernel(kernel);
        const whole = tf.tidy(() => {
          const { logits, finalState } = model.forward(ids, state, { decodeFrom: 2 });
          return read([logits, ...finalState]);
        });
        for (const s of [0, 1, 4, T]) {
          const { withState, expected } = tf.tidy(() => {
            const r = model.forward(ids, state, { decodeFrom: 2, stateAt: s });
            // The independent computation: a window of the first s steps only (the state itself for s = 0).
            const prefix = s === 0 ? state : model.forward(tf.slice(ids, 0, s), state).finalState;
            return { withState: read([r.logits, ...r.finalState, ...r.stateAt!]), expected: read(prefix) };
          });
          const components = state.length;
          // The logits and the final state are what the call without stateAt gives.
          withState.slice(0, 1 + components).forEach((v, k) => {
            expectClose(v, whole[k]!);
          });
          const stateAt = withState.slice(1 + components);
          expect(stateAt.length).toBe(components);
          stateAt.forEach((v, k) => {
            expectClose(v, expected[k]!);
          });
        }
      }
      setLayerKernel(fusedLayerRun);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([ids, ...state]);
      model.dispose();
    },
  );
});
