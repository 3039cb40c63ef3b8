import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backends/select-backend';
import { createModel, softmaxCrossEntropy } from '../src/index';
import { checkGoldenFixture, fixtures } from './helpers/golden';
import { describeLabelRangeChecks } from './helpers/label-range-checks';

/**
 * The model on the wasm backend, with this package's kernels registered by selectBackend: the PyTorch
 * golden fixtures, and no tensor leaks over training steps.
 */
beforeAll(async () => {
  expect(await selectBackend('wasm')).toBe('wasm');
}, 60_000);

describe('wasm backend', () => {
  describeLabelRangeChecks('wasm');

  it.each(fixtures.map((f) => [f.name, f] as const))('agrees with PyTorch: %s', async (_, fixture) => {
    await checkGoldenFixture(fixture);
  });

  it('leaks no tensors over 100 forward/backward/update steps', () => {
    const model = createModel({
      cell: 'lstm',
      input: 'embedding',
      vocabSize: 8,
      hiddenSize: 6,
      numLayers: 2,
      outputSize: 8,
      dropout: 0.3,
    });
    const ids = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 0], [4, 2], 'int32');
    const targets = tf.tensor1d([2, 3, 4, 5, 6, 7, 0, 1], 'int32');
    let state = model.initialState(2);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 100; step++) {
      const next = tf.tidy(() => {
        let carried: tf.Tensor2D[] = [];
        const { grads } = tf.variableGrads(() => {
          const out = model.forward(ids, state, { training: true });
          carried = out.finalState.map((s) => tf.keep(s.clone()));
          return softmaxCrossEntropy(targets, tf.reshape(out.logits, [8, 8]) as tf.Tensor2D);
        });
        for (const v of model.variables) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.1)));
        return carried;
      });
      tf.dispose(state);
      state = next;
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...state, ids, targets]);
    model.dispose();
  });
});
