import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, type ModelSpec, type RecurrentModel, stateComponents } from '../src/index';
import { useCpuBackend } from './helpers/cpu-backend';

beforeAll(useCpuBackend);

/**
 * Finite-difference gradient checks: the analytic gradient (tf.grads through every cell, 2 layers, dropout off)
 * against central differences (L(θ + ε e_i) − L(θ − ε e_i)) / 2ε of the same float32 loss, for every
 * parameter element, every initial-state element and (dense) every input element.
 * float32 rounding of L (≈ 1e-7 relative) over 2ε = 2e-2 bounds the numeric error near 1e-5; the
 * tolerance below (observed worst error ≈ 0.7 of it) still catches a gradient off by 1 %.
 */
const EPS = 1e-2;
const tolerance = (numeric: number) => 5e-4 + 5e-3 * Math.abs(numeric);

function numbers(count: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648) * 2 - 1;
  });
}

interface Case {
  model: RecurrentModel;
  inputs: tf.Tensor;
  state: tf.Tensor2D[];
  /** L = Σ logits ⊙ R + Σ_j finalState_j ⊙ S_j */
  logitWeights: tf.Tensor;
  stateWeights: tf.Tensor[];
}

function makeCase(spec: ModelSpec): Case {
  const model = createModel(spec);
  const steps = 4;
  const batch = 2;
  const inputs =
    spec.input === 'embedding'
      ? tf.tensor2d([0, 3, 4, 1, 2, 2, 1, 0], [steps, batch], 'int32')
      : tf.tensor3d(numbers(steps * batch * spec.featureSize, 7), [steps, batch, spec.featureSize]);
  const components = stateComponents(spec).length;
  const state = Array.from({ length: components }, (_, j) =>
    tf.tensor2d(
      numbers(batch * spec.hiddenSize, 20 + j).map((v) => 0.8 * v),
      [batch, spec.hiddenSize],
    ),
  );
  return {
    model,
    inputs,
    state,
    logitWeights: tf.tensor3d(numbers(steps * batch * spec.outputSize, 3), [steps, batch, spec.outputSize]),
    stateWeights: state.map((_, j) =>
      tf.tensor2d(numbers(batch * spec.hiddenSize, 40 + j), [batch, spec.hiddenSize]),
    ),
  };
}

function loss(c: Case, inputs: tf.Tensor, state: tf.Tensor2D[]): tf.Scalar {
  const { logits, finalState } = c.model.forward(inputs, state);
  let total = tf.sum(tf.mul(logits, c.logitWeights));
  finalState.forEach((s, j) => {
    total = tf.add(total, tf.sum(tf.mul(s, c.stateWeights[j]!)));
  });
  return total as tf.Scalar;
}

/** Central difference of the loss in element i of `target` (a variable, or a tensor the loss reads). */
function numericDerivative(
  evaluate: (values: Float32Array) => number,
  base: Float32Array,
  i: number,
): number {
  const plus = base.slice();
  const minus = base.slice();
  plus[i]! += EPS;
  minus[i]! -= EPS;
  return (evaluate(plus) - evaluate(minus)) / (2 * EPS);
}

function expectClose(analytic: ArrayLike<number>, numeric: (i: number) => number, label: string): void {
  let worst = 0;
  for (let i = 0; i < analytic.length; i++) {
    const n = numeric(i);
    const error = Math.abs(analytic[i]! - n);
    worst = Math.max(worst, error / tolerance(n));
    if (error > tolerance(n)) {
      throw new Error(`${label}[${i}]: analytic ${analytic[i]} vs numeric ${n}`);
    }
  }
  expect(worst).toBeLessThanOrEqual(1);
}

const SPECS: [string, ModelSpec][] = [];
for (const cell of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
  SPECS.push([
    `${cell}, embedding`,
    {
      cell,
      input: 'embedding',
      vocabSize: 5,
      embeddingSize: 3,
      hiddenSize: 3,
      numLayers: 2,
      outputSize: 4,
      seed: 1,
    },
  ]);
  SPECS.push([
    `${cell}, dense`,
    {
      cell,
      input: 'dense',
      featureSize: 3,
      hiddenSize: 3,
      numLayers: 2,
      outputSize: 4,
      seed: 2,
      init: 'pytorch',
    },
  ]);
}
SPECS.push([
  'lstm, tied embedding',
  {
    cell: 'lstm',
    input: 'embedding',
    vocabSize: 5,
    hiddenSize: 3,
    numLayers: 2,
    outputSize: 5,
    tieWeights: true,
    init: 'pytorch',
    seed: 5,
  },
]);

describe('gradients match central finite differences', () => {
  it.each(SPECS)('%s', (_, spec) => {
    const c = makeCase(spec);
    const evalLoss = () => tf.tidy(() => loss(c, c.inputs, c.state).dataSync()[0]!);
    // Parameters
    const { grads } = tf.variableGrads(() => loss(c, c.inputs, c.state));
    for (const [name, v] of c.model.namedVariables) {
      const base = v.dataSync().slice() as Float32Array;
      const evaluate = (values: Float32Array): number => {
        v.assign(tf.tensor(values, v.shape));
        return evalLoss();
      };
      expectClose(grads[v.name]!.dataSync(), (i) => numericDerivative(evaluate, base, i), name);
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
    }
    // Initial state (and dense inputs)
    const differentiable = spec.input === 'dense' ? [...c.state, c.inputs] : [...c.state];
    const analytic = tf.grads((...xs: tf.Tensor[]) =>
      loss(
        c,
        spec.input === 'dense' ? xs[xs.length - 1]! : c.inputs,
        xs.slice(0, c.state.length) as tf.Tensor2D[],
      ),
    )(differentiable);
    differentiable.forEach((x, k) => {
      const base = x.dataSync().slice() as Float32Array;
      const evaluate = (values: Float32Array): number =>
        tf.tidy(() => {
          const replaced = tf.tensor(values, x.shape);
          const xs = differentiable.map((y, m) => (m === k ? replaced : y));
          const inputs = spec.input === 'dense' ? xs[xs.length - 1]! : c.inputs;
          return loss(c, inputs, xs.slice(0, c.state.length) as tf.Tensor2D[]).dataSync()[0]!;
        });
      const label = k < c.state.length ? `state ${stateComponents(spec)[k]}` : 'inputs';
      expectClose(analytic[k]!.dataSync(), (i) => numericDerivative(evaluate, base, i), label);
    });
    c.model.dispose();
  });
});
