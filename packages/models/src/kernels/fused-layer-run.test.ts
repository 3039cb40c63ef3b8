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
        inputSize: 11,
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
            return softmaxCrossEntropy(tf.reshape(logits, [T * B, 11]) as tf.Tensor2D, targets);
          }, model.variables);
          // The initial state's gradients too (the layers' dh0, dc0), with a loss on the final state as well.
          const stateGrads = tf.grads((...s: tf.Tensor[]) => {
            const { logits, finalState } = model.forward(ids, s as tf.Tensor2D[], { training: true });
            const last = tf.addN(finalState.map((f, k) => tf.mul(tf.sum(f), k + 1)));
            return tf.add(softmaxCrossEntropy(tf.reshape(logits, [T * B, 11]) as tf.Tensor2D, targets), last);
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
