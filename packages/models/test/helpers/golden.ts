import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { createModel, loadWeights, type ModelSpec, softmaxCrossEntropy } from '../../src/index';

/**
 * Golden fixtures made by scripts/make-fixtures.py (torch.nn.LSTM / GRU / RNN, float64 from float32 weights),
 * and the check every backend must pass: weights read with loadWeights from the hand-written safetensors;
 * logits, final state, loss and the gradients of every parameter and initial-state component agree to 1e-4
 * relative to the tensor's largest magnitude.
 */
const FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pytorch');
const RELATIVE = 1e-4;

export interface Fixture {
  name: string;
  spec: ModelSpec;
  steps: number;
  batch: number;
  inputs: number[];
  targets: number[];
  initialState: number[][];
  expected: {
    logits: number[];
    finalState: number[][];
    loss: number;
    grads: Record<string, number[]>;
    stateGrads: number[][];
  };
}

export const fixtures = readdirSync(FOLDER)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(FOLDER, f), 'utf8')) as Fixture);

function expectAgreement(actual: ArrayLike<number>, expected: readonly number[], label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst / scale, `${label}: max error ${worst} against max magnitude ${scale}`).toBeLessThan(RELATIVE);
}

/** Runs one fixture on the active backend and checks every expected value. */
export async function checkGoldenFixture(fixture: Fixture): Promise<void> {
  const { spec, steps, batch, expected } = fixture;
  const model = createModel({ ...spec, seed: 12345 });
  await loadWeights(model, join(FOLDER, `${fixture.name}.safetensors`));
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const inputs =
      spec.input === 'embedding'
        ? tf.tensor2d(fixture.inputs, [steps, batch], 'int32')
        : tf.tensor3d(fixture.inputs, [steps, batch, spec.featureSize]);
    const targets = tf.tensor1d(fixture.targets, 'int32');
    const state = fixture.initialState.map((s) => tf.tensor2d(s, [batch, spec.hiddenSize]));
    const lossOf = (s: tf.Tensor2D[]) => {
      const { logits } = model.forward(inputs, s);
      return softmaxCrossEntropy(
        targets,
        tf.reshape(logits, [steps * batch, spec.outputSize]) as tf.Tensor2D,
      );
    };

    const { logits, finalState } = model.forward(inputs, state);
    expectAgreement(logits.dataSync(), expected.logits, 'logits');
    finalState.forEach((s, j) => {
      expectAgreement(s.dataSync(), expected.finalState[j]!, `final state ${j}`);
    });

    const { value, grads } = tf.variableGrads(() => lossOf(state));
    expect(Math.abs(value.dataSync()[0]! - expected.loss) / expected.loss).toBeLessThan(RELATIVE);
    expect(Object.keys(expected.grads).sort()).toEqual([...model.namedVariables.keys()].sort());
    for (const [name, variable] of model.namedVariables) {
      expectAgreement(grads[variable.name]!.dataSync(), expected.grads[name]!, `∂L/∂${name}`);
    }
    const stateGrads = tf.grads((...s: tf.Tensor[]) => lossOf(s as tf.Tensor2D[]))(state);
    stateGrads.forEach((g, j) => {
      expectAgreement(g.dataSync(), expected.stateGrads[j]!, `∂L/∂state ${j}`);
    });
  });
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
}
