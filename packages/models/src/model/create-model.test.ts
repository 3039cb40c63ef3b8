import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/helpers/cpu-backend';
import { expectAllClose } from '../../test/helpers/expect-close';
import { referenceForward } from '../../test/helpers/reference-model';
import { softmaxCrossEntropy } from '../loss/softmax-cross-entropy';
import type { CellType, ModelSpec, RecurrentModel } from '../types';
import { createModel } from './create-model';
import { stateComponents } from './state-components';

beforeAll(useCpuBackend);

const CELLS: CellType[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];
const models: RecurrentModel[] = [];
afterEach(() => {
  for (const m of models.splice(0)) m.dispose();
});

/** An embedding model with small defaults; a dense one sets input, featureSize and vocabSize: undefined. */
function build(spec: Record<string, unknown> & { cell: CellType }): RecurrentModel {
  const model = createModel({
    input: 'embedding',
    vocabSize: 7,
    embeddingSize: 5,
    hiddenSize: 4,
    numLayers: 2,
    outputSize: 6,
    seed: 3,
    ...spec,
  } as ModelSpec);
  models.push(model);
  return model;
}

/** Deterministic pseudo-random numbers in [-1, 1) for test data. */
function numbers(count: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648) * 2 - 1;
  });
}

function nested3(values: ArrayLike<number>, a: number, b: number, c: number): number[][][] {
  return Array.from({ length: a }, (_, i) =>
    Array.from({ length: b }, (_, j) => Array.from({ length: c }, (_, k) => values[(i * b + j) * c + k]!)),
  );
}

function randomState(model: RecurrentModel, batch: number, seed: number): tf.Tensor2D[] {
  return stateComponents(model.spec).map((_, j) =>
    tf.tensor2d(numbers(batch * model.spec.hiddenSize, seed + j), [batch, model.spec.hiddenSize]),
  );
}

describe('createModel', () => {
  it.each(CELLS)('%s: names and shapes follow PyTorch’s state_dict', (cell) => {
    const model = build({ cell });
    const gates = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 }[cell] * 4;
    const shapes = Object.fromEntries([...model.namedVariables].map(([name, v]) => [name, v.shape]));
    expect(shapes).toEqual({
      'encoder.weight': [7, 5],
      'rnn.weight_ih_l0': [gates, 5],
      'rnn.weight_hh_l0': [gates, 4],
      'rnn.bias_ih_l0': [gates],
      'rnn.bias_hh_l0': [gates],
      'rnn.weight_ih_l1': [gates, 4],
      'rnn.weight_hh_l1': [gates, 4],
      'rnn.bias_ih_l1': [gates],
      'rnn.bias_hh_l1': [gates],
      'decoder.weight': [6, 4],
      'decoder.bias': [6],
    });
    expect(Object.keys(shapes)[0]).toBe('encoder.weight');
    expect(model.variables).toEqual([...model.namedVariables.values()]);
  });

  it.each(CELLS)('%s with embedding input matches an independent float64 forward pass', (cell) => {
    const model = build({ cell, init: 'pytorch' });
    const ids = [
      [1, 6, 0],
      [3, 3, 5],
      [2, 0, 4],
    ];
    const state = randomState(model, 3, 11);
    const result = model.forward(tf.tensor2d(ids, [3, 3], 'int32'), state);
    const expected = referenceForward(
      model,
      ids,
      state.map((s) => s.arraySync()),
    );
    expect(result.logits.shape).toEqual([3, 3, 6]);
    const logits = result.logits.dataSync();
    expectAllClose(logits, expected.logits.flat(2), 5);
    expect(result.finalState).toHaveLength(stateComponents(model.spec).length);
    result.finalState.forEach((s, j) => {
      const values = s.dataSync();
      expectAllClose(values, expected.finalState[j]!.flat(), 5);
    });
  });

  it.each(CELLS)('%s with dense input matches an independent float64 forward pass', (cell) => {
    const model = build({
      cell,
      input: 'dense',
      featureSize: 3,
      vocabSize: undefined,
      embeddingSize: undefined,
      numLayers: 3,
    });
    const features = numbers(4 * 2 * 3, 5);
    const state = randomState(model, 2, 1);
    const result = model.forward(tf.tensor3d(features, [4, 2, 3]), state);
    const expected = referenceForward(
      model,
      nested3(features, 4, 2, 3),
      state.map((s) => s.arraySync()),
    );
    const logits = result.logits.dataSync();
    expectAllClose(logits, expected.logits.flat(2), 5);
  });

  it('tied weights share the encoder matrix with the decoder', () => {
    const model = build({ cell: 'lstm', embeddingSize: 4, vocabSize: 6, tieWeights: true });
    expect([...model.namedVariables.keys()]).not.toContain('decoder.weight');
    const ids = [[1, 2]];
    const state = randomState(model, 2, 3);
    const result = model.forward(tf.tensor2d(ids, [1, 2], 'int32'), state);
    const expected = referenceForward(
      model,
      ids,
      state.map((s) => s.arraySync()),
    );
    const logits = result.logits.dataSync();
    expectAllClose(logits, expected.logits.flat(2), 5);
    const { grads } = tf.variableGrads(() =>
      tf.sum(model.forward(tf.tensor2d(ids, [1, 2], 'int32'), state).logits),
    );
    const encoder = model.namedVariables.get('encoder.weight')!;
    // Rows 1 and 2 get embedding gradients, every row a decoder gradient: all rows are non-zero.
    const rowNorms = tf.sum(tf.abs(grads[encoder.name]!), 1).dataSync();
    expect(Array.from(rowNorms).every((n) => n > 0)).toBe(true);
  });

  it('initialises reproducibly from the seed, with the scheme’s bounds', () => {
    const a = build({ cell: 'lstm', seed: 9 });
    const b = build({ cell: 'lstm', seed: 9 });
    const c = build({ cell: 'lstm', seed: 10 });
    const values = (m: RecurrentModel) => m.variables.map((v) => Array.from(v.dataSync()));
    expect(values(a)).toEqual(values(b));
    expect(values(a)).not.toEqual(values(c));
    // paper: matrices on ±√(3 / max dim), vectors zero
    for (const [name, v] of a.namedVariables) {
      const data = Array.from(v.dataSync());
      if (v.shape.length === 1) {
        expect(data.every((x) => x === 0)).toBe(true);
      } else {
        const bound = Math.sqrt(3 / Math.max(...v.shape));
        expect(Math.max(...data.map(Math.abs)), name).toBeLessThanOrEqual(bound);
        expect(Math.max(...data.map(Math.abs)), name).toBeGreaterThan(bound / 2);
      }
    }
    // pytorch: rnn and decoder on ±1/√H, embedding N(0, 1)
    const big = build({ cell: 'gru', init: 'pytorch', vocabSize: 500, embeddingSize: 40, hiddenSize: 16 });
    for (const [name, v] of big.namedVariables) {
      const data = Array.from(v.dataSync());
      if (name === 'encoder.weight') {
        const mean = data.reduce((s, x) => s + x, 0) / data.length;
        const variance = data.reduce((s, x) => s + (x - mean) ** 2, 0) / data.length;
        expect(Math.abs(mean)).toBeLessThan(0.03);
        expect(Math.abs(variance - 1)).toBeLessThan(0.05);
      } else {
        expect(Math.max(...data.map(Math.abs)), name).toBeLessThanOrEqual(0.25);
        expect(Math.max(...data.map(Math.abs)), name).toBeGreaterThan(0.1);
      }
    }
  });

  it('probes: zero probes change nothing; their gradients are the partials of the recurrent state', () => {
    const model = build({ cell: 'lstm' });
    const steps = 5;
    const split = 2;
    const ids = tf.tensor2d(
      numbers(steps * 2, 4).map((x) => Math.floor((x + 1) * 3.5)),
      [steps, 2],
      'int32',
    );
    const state = randomState(model, 2, 8);
    const weights = tf.tensor3d(numbers(steps * 2 * 6, 2), [steps, 2, 6]);
    const components = stateComponents(model.spec).length;
    const probes = Array.from({ length: steps }, () =>
      Array.from({ length: components }, () => tf.zeros([2, 4]) as tf.Tensor2D),
    );
    const plain = model.forward(ids, state).logits.dataSync();
    const probed = model.forward(ids, state, { probes }).logits.dataSync();
    expect(Array.from(probed)).toEqual(Array.from(plain));

    /** ∂(Σ logits ⊙ lossWeights)/∂probes[split][j] for every j. */
    const probeGradients = (lossWeights: tf.Tensor): tf.Tensor[] => {
      // Steps after `split` stay constant: some of their probes reach no loss, and tf.grads refuses those.
      const differentiated = probes.slice(0, split + 1).flat();
      const grads = tf.grads((...flat: tf.Tensor[]) => {
        const grouped = Array.from({ length: split + 1 }, (_, t) =>
          flat.slice(t * components, (t + 1) * components),
        );
        const all = [...grouped, ...probes.slice(split + 1)] as tf.Tensor2D[][];
        return tf.sum(tf.mul(model.forward(ids, state, { probes: all }).logits, lossWeights));
      })(differentiated);
      return grads.slice(split * components);
    };

    // 1. Loss on the steps after `split`: the probes' gradients are those of a second window started from
    //    the state after step `split` (computed independently by splitting the window), for every component.
    const late = tf.concat([tf.zeros([split + 1, 2, 6]), tf.slice(weights, [split + 1, 0, 0])], 0);
    const lateGrads = probeGradients(late);
    const first = model.forward(tf.slice(ids, [0, 0], [split + 1, 2]), state).finalState;
    const restIds = tf.slice(ids, [split + 1, 0], [steps - split - 1, 2]);
    const stateGrads = tf.grads((...s: tf.Tensor[]) =>
      tf.sum(tf.mul(model.forward(restIds, s as tf.Tensor2D[]).logits, tf.slice(weights, [split + 1, 0, 0]))),
    )(first);
    for (let j = 0; j < components; j++) {
      const expected = stateGrads[j]!.dataSync();
      expect(Math.max(...Array.from(expected).map(Math.abs))).toBeGreaterThan(1e-3);
      expectAllClose(lateGrads[j]!.dataSync(), expected, 5);
    }

    // 2. Loss at step `split` only: just the top layer's h reaches it, through the decoder: R W_dec.
    const now = tf.concat(
      [tf.zeros([split, 2, 6]), tf.slice(weights, [split, 0, 0], [1, 2, 6]), tf.zeros([2, 2, 6])],
      0,
    );
    const nowGrads = probeGradients(now);
    const decoder = model.namedVariables.get('decoder.weight')!;
    // [B, O] x [O, H] -> [B, H]
    const direct = tf
      .matMul(tf.reshape(tf.slice(weights, [split, 0, 0], [1, 2, 6]), [2, 6]), decoder)
      .dataSync();
    const top = components - 2; // l1.h
    expectAllClose(nowGrads[top]!.dataSync(), direct, 5);
    for (let j = 0; j < components; j++) {
      if (j !== top) expect(Array.from(nowGrads[j]!.dataSync()).every((v) => v === 0)).toBe(true);
    }
  });

  it('decodeFrom: logits of the later steps only, equal to a slice of the full logits, with the same gradient', () => {
    const model = build({ cell: 'lstm' });
    const steps = 5;
    const batch = 3;
    const ids = tf.tensor2d(
      numbers(steps * batch, 11).map((v) => Math.floor((v + 1) * 3.5)),
      [steps, batch],
      'int32',
    );
    const targets = tf.tensor1d([1, 4, 2, 0, 5, 3], 'int32');
    const state = randomState(model, batch, 5);
    const lossOf = (decodeFrom: number | undefined) => () => {
      const { logits } = model.forward(ids, state, decodeFrom === undefined ? {} : { decodeFrom });
      // The loss on the last two steps: [2, B, O] -> [2·B, O]
      const last = decodeFrom === undefined ? tf.slice(logits, steps - 2, 2) : logits;
      return softmaxCrossEntropy(targets, tf.reshape(last, [2 * batch, 6]) as tf.Tensor2D);
    };
    const full = tf.variableGrads(lossOf(undefined), model.variables);
    const partial = tf.variableGrads(lossOf(steps - 2), model.variables);
    expect(partial.value.dataSync()[0]).toBeCloseTo(full.value.dataSync()[0]!, 6);
    for (const v of model.variables) {
      expectAllClose(partial.grads[v.name]!.dataSync(), full.grads[v.name]!.dataSync(), 6);
    }
    const all = model.forward(ids, state).logits;
    const tail = model.forward(ids, state, { decodeFrom: 3 }).logits;
    expect(tail.shape).toEqual([2, batch, 6]);
    expectAllClose(tail.dataSync(), tf.slice(all, 3, 2).dataSync(), 6);
    expect(model.forward(ids, state, { decodeFrom: steps }).logits.shape).toEqual([0, batch, 6]);
    expect(() => model.forward(ids, state, { decodeFrom: 6 })).toThrow(
      'model.forward: decodeFrom must be an integer in [0, T] = [0, 5], got 6',
    );
    expect(() => model.forward(ids, state, { stateAt: 6 })).toThrow(
      'model.forward: stateAt must be an integer in [0, T] = [0, 5], got 6',
    );
    expect(() => model.forward(ids, state, { stateAt: 1.5 })).toThrow(/stateAt must be an integer/);
    const probes = Array.from({ length: steps }, () => state.map((s) => tf.zerosLike(s)));
    expect(() => model.forward(ids, state, { stateAt: 2, probes })).toThrow(
      'model.forward: stateAt and probes cannot be combined',
    );
    tf.dispose(probes.flat());
  });

  it('dropout: off in evaluation, seeded in training, replayable from the RNG state', () => {
    const model = build({ cell: 'gru', dropout: 0.5 });
    const noDropout = build({ cell: 'gru' });
    const ids = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    const state = model.initialState(2);
    const logits = (m: RecurrentModel, training: boolean) =>
      Array.from(m.forward(ids, state, { training }).logits.dataSync());
    expect(logits(model, false)).toEqual(logits(noDropout, true));
    const rng = model.getRngState();
    expect(rng).toHaveLength(4);
    const first = logits(model, true);
    const second = logits(model, true);
    expect(first).not.toEqual(second);
    expect(first).not.toEqual(logits(model, false));
    model.setRngState(rng);
    expect(logits(model, true)).toEqual(first);
    expect(logits(model, true)).toEqual(second);
    expect(() => model.setRngState([1, 2])).toThrow(/setRngState: state must be 4 integers/);
  });

  it('leaks no tensors over 100 forward/backward/update steps', () => {
    const model = build({
      cell: 'lstm',
      dropout: 0.2,
      tieWeights: true,
      embeddingSize: 4,
      vocabSize: 6,
      outputSize: 6,
    });
    const ids = tf.tensor2d([1, 2, 3, 4, 5, 0], [3, 2], 'int32');
    const targets = tf.tensor1d([2, 3, 4, 5, 0, 1], 'int32');
    let state = model.initialState(2);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 100; step++) {
      const next = tf.tidy(() => {
        let carried: tf.Tensor2D[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const out = model.forward(ids, state, { training: true });
          carried = out.finalState.map((s) => tf.keep(s.clone()));
          return softmaxCrossEntropy(targets, tf.reshape(out.logits, [6, 6]) as tf.Tensor2D);
        });
        for (const v of model.variables) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.1)));
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        return carried;
      });
      tf.dispose(state);
      state = next;
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...state, ids, targets]);
  });

  it('refuses bad forward arguments, naming them', () => {
    const model = build({ cell: 'lstm' });
    const state = model.initialState(2);
    expect(() => model.forward(tf.tensor2d([1, 2], [1, 2]), state)).toThrow(
      /inputs must be int32 token ids \[T, B\]/,
    );
    const ids = tf.tensor2d([1, 2], [1, 2], 'int32');
    expect(() => model.forward(ids, state.slice(1))).toThrow(
      /state must be a list of 4 tensors.*got 3 tensors/,
    );
    expect(() => model.forward(ids, model.initialState(3))).toThrow(
      /state\[0\] must have shape \[2, 4\].*got \[3, 4\]/,
    );
    expect(() => model.forward(ids, state, { probes: [] })).toThrow(
      /options.probes must have one entry per step \(1\)/,
    );
    expect(() => model.forward(tf.tensor2d([1, 7], [1, 2], 'int32'), state)).toThrow(
      /model.forward: inputs\[0\]\[1\] is 7, not a token id in \[0, 7\)/,
    );
    expect(() => model.forward(tf.tensor2d([-1, 0], [1, 2], 'int32'), state)).toThrow(
      /inputs\[0\]\[0\] is -1/,
    );
    expect(() => model.initialState(0)).toThrow(/initialState: batch must be a positive integer, got 0/);
    model.dispose();
    expect(() => model.forward(ids, state)).toThrow(/model.forward: the model was disposed/);
  });

  it('dispose frees the variables', () => {
    const before = tf.memory().numTensors;
    const model = createModel({
      cell: 'rnn_tanh',
      input: 'dense',
      featureSize: 2,
      hiddenSize: 3,
      numLayers: 2,
      outputSize: 2,
    });
    expect(tf.memory().numTensors).toBe(before + model.variables.length);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('createModel size check (issue 9 item 8)', () => {
  it('refuses a model too large to allocate, naming the tensor and the fix, before allocating anything', () => {
    const before = tf.memory().numTensors;
    expect(() =>
      createModel({
        cell: 'lstm',
        input: 'embedding',
        vocabSize: 10,
        hiddenSize: 1e6,
        numLayers: 1,
        outputSize: 10,
      }),
    ).toThrow(
      /createModel: .* largest tensor rnn.weight_(ih|hh)_l0 \[4000000, 1000000\] .* lower hiddenSize/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
