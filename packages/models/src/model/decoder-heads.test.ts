import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/helpers/cpu-backend';
import { referenceForward } from '../../test/helpers/reference-model';
import type { CellType, DenseModelSpec, ModelSpec, RecurrentModel } from '../types';
import { deserializeWeights, serializeWeights } from '../weights/serialize-weights';
import { createModel } from './create-model';
import { stateComponents } from './state-components';

beforeAll(useCpuBackend);

const models: RecurrentModel[] = [];
afterEach(() => {
  for (const m of models.splice(0)) m.dispose();
});

/** An RMTPP-shaped model: 3 marks one-hot + 2 passthrough features, heads [marks 3, log λ 1, w 1]. */
function rmtpp(overrides: Partial<DenseModelSpec> = {}): RecurrentModel {
  const model = createModel({
    cell: 'lstm',
    input: 'dense',
    featureSize: 5,
    inputEncoder: { features: 3, size: 4 },
    hiddenSize: 6,
    numLayers: 2,
    outputSize: 5,
    heads: [
      { name: 'marks', size: 3 },
      { name: 'log_intensity', size: 1 },
      { name: 'w', size: 1, kind: 'constant' },
    ],
    seed: 5,
    init: 'pytorch',
    ...overrides,
  } as ModelSpec);
  models.push(model);
  return model;
}

function numbers(count: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648) * 2 - 1;
  });
}

function values(model: RecurrentModel, name: string): number[] {
  return Array.from(model.namedVariables.get(name)!.dataSync());
}

describe('createModel with heads and an input encoder', () => {
  it('names and shapes: encoder.{weight,bias}, rnn.*, heads.<name>.weight/.bias (constant heads: weight only)', () => {
    const model = rmtpp();
    const shapes = Object.fromEntries([...model.namedVariables].map(([name, v]) => [name, v.shape]));
    expect(shapes).toEqual({
      'encoder.weight': [4, 3],
      'encoder.bias': [4],
      'rnn.weight_ih_l0': [24, 6], // 4 encoded + 2 passed through
      'rnn.weight_hh_l0': [24, 6],
      'rnn.bias_ih_l0': [24],
      'rnn.bias_hh_l0': [24],
      'rnn.weight_ih_l1': [24, 6],
      'rnn.weight_hh_l1': [24, 6],
      'rnn.bias_ih_l1': [24],
      'rnn.bias_hh_l1': [24],
      'heads.marks.weight': [3, 6],
      'heads.marks.bias': [3],
      'heads.log_intensity.weight': [1, 6],
      'heads.log_intensity.bias': [1],
      'heads.w.weight': [1, 1],
    });
    expect(model.spec.heads).toEqual([
      { name: 'marks', size: 3, kind: 'linear' },
      { name: 'log_intensity', size: 1, kind: 'linear' },
      { name: 'w', size: 1, kind: 'constant' },
    ]);
    expect(model.spec.outputSize).toBe(5);
  });

  it.each<CellType>(['lstm', 'gru'])(
    '%s: logits are [marks, log λ, w] and match an independent float64 forward pass',
    (cell) => {
      const model = rmtpp({ cell });
      const steps = 3;
      const batch = 2;
      const features = numbers(steps * batch * 5, 11);
      const encW = values(model, 'encoder.weight');
      const encB = values(model, 'encoder.bias');
      // float64: x = [W_enc f[:3] + b_enc, f[3:]]
      const encoded = Array.from({ length: steps }, (_, t) =>
        Array.from({ length: batch }, (_, b) => {
          const f = features.slice((t * batch + b) * 5, (t * batch + b + 1) * 5);
          const e = Array.from(
            { length: 4 },
            (_, k) => encB[k]! + [0, 1, 2].reduce((s, i) => s + encW[k * 3 + i]! * f[i]!, 0),
          );
          return [...e, f[3]!, f[4]!];
        }),
      );
      // A stand-in for referenceForward: the same rnn weights, the linear heads stacked as its decoder.
      const stacked = new Map<string, tf.Tensor>();
      for (const [name, v] of model.namedVariables) if (name.startsWith('rnn.')) stacked.set(name, v);
      const decoderWeight = tf.concat([
        model.namedVariables.get('heads.marks.weight')!,
        model.namedVariables.get('heads.log_intensity.weight')!,
      ]);
      const decoderBias = tf.concat([
        model.namedVariables.get('heads.marks.bias')!,
        model.namedVariables.get('heads.log_intensity.bias')!,
      ]);
      stacked.set('decoder.weight', decoderWeight);
      stacked.set('decoder.bias', decoderBias);
      const twin = {
        spec: { ...model.spec, input: 'dense', featureSize: 6 },
        namedVariables: stacked,
      } as unknown as RecurrentModel;
      const zero = stateComponents(model.spec).map(() =>
        Array.from({ length: batch }, () => new Array(6).fill(0)),
      );
      const expected = referenceForward(twin, encoded, zero).logits;
      const w = values(model, 'heads.w.weight')[0]!;
      const before = tf.memory().numTensors;
      const inputs = tf.tensor3d(features, [steps, batch, 5]);
      const state = model.initialState(batch);
      const out = model.forward(inputs, state);
      expect(out.logits.shape).toEqual([steps, batch, 5]);
      const got = out.logits.arraySync();
      for (let t = 0; t < steps; t++) {
        for (let b = 0; b < batch; b++) {
          for (let o = 0; o < 4; o++) expect(got[t]![b]![o]).toBeCloseTo(expected[t]![b]![o]!, 5);
          expect(got[t]![b]![4]).toBe(w); // the constant head: w at every position
        }
      }
      tf.dispose([inputs, out.logits, ...out.finalState, ...state]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([decoderWeight, decoderBias]);
    },
  );

  it('heads in any order: a constant head between linear ones keeps the spec order', () => {
    const model = createModel({
      cell: 'rnn_tanh',
      input: 'dense',
      featureSize: 2,
      hiddenSize: 3,
      numLayers: 1,
      outputSize: 6,
      heads: [
        { name: 'a', size: 2 },
        { name: 'c', size: 1, kind: 'constant' },
        { name: 'b', size: 3 },
      ],
      seed: 2,
    });
    models.push(model);
    const plain = createModel({
      cell: 'rnn_tanh',
      input: 'dense',
      featureSize: 2,
      hiddenSize: 3,
      numLayers: 1,
      outputSize: 5,
      seed: 9,
    });
    models.push(plain);
    // The plain model with the same rnn weights and heads a, b stacked as its decoder.
    tf.tidy(() => {
      for (const name of ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0']) {
        plain.namedVariables.get(name)!.assign(model.namedVariables.get(name)!);
      }
      const get = (n: string) => model.namedVariables.get(n)!;
      plain.namedVariables
        .get('decoder.weight')!
        .assign(tf.concat([get('heads.a.weight'), get('heads.b.weight')]));
      plain.namedVariables.get('decoder.bias')!.assign(tf.concat([get('heads.a.bias'), get('heads.b.bias')]));
    });
    const [got, want] = tf.tidy(() => {
      const x = tf.tensor3d(numbers(8, 4), [4, 1, 2]);
      return [
        model.forward(x, model.initialState(1)).logits.arraySync(),
        plain.forward(x, plain.initialState(1)).logits.arraySync(),
      ];
    });
    const c = values(model, 'heads.c.weight')[0]!;
    for (let t = 0; t < 4; t++) {
      const row = got[t]![0]!;
      const ref = want[t]![0]!;
      expect(row[2]).toBe(c);
      [0, 1, 3, 4, 5].forEach((col, i) => {
        expect(row[col]).toBeCloseTo(ref[i]!, 6);
      });
    }
  });

  it('gradients of every encoder and head parameter match central differences', () => {
    const model = rmtpp({ numLayers: 1, hiddenSize: 4 });
    const steps = 3;
    const batch = 2;
    const inputs = tf.tensor3d(numbers(steps * batch * 5, 3), [steps, batch, 5]);
    const weights = tf.tensor3d(numbers(steps * batch * 5, 8), [steps, batch, 5]);
    const state = model.initialState(batch);
    const loss = () =>
      tf.tidy(() => tf.sum(tf.mul(model.forward(inputs, state).logits, weights)) as tf.Scalar);
    const names = [
      'encoder.weight',
      'encoder.bias',
      'heads.marks.weight',
      'heads.marks.bias',
      'heads.log_intensity.weight',
      'heads.log_intensity.bias',
      'heads.w.weight',
    ];
    const vars = names.map((n) => model.namedVariables.get(n)!);
    const { grads } = tf.variableGrads(loss, vars);
    const eps = 1e-2;
    for (const v of vars) {
      const analytic = grads[v.name]!.dataSync();
      const base = v.dataSync().slice() as Float32Array;
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number): number => {
          const moved = base.slice();
          moved[i]! += delta;
          v.assign(tf.tensor(moved, v.shape));
          const value = loss();
          const out = value.dataSync()[0]!;
          value.dispose();
          return out;
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        expect(Math.abs(analytic[i]! - numeric)).toBeLessThan(5e-4 + 5e-3 * Math.abs(numeric));
        v.assign(tf.tensor(base, v.shape));
      }
    }
    // The constant head's gradient is the sum of its logits' weights over every position.
    const wColumn = weights
      .arraySync()
      .flat()
      .map((row) => row[4]!);
    expect(grads[vars[6]!.name]!.dataSync()[0]).toBeCloseTo(
      wColumn.reduce((a, b) => a + b, 0),
      5,
    );
    tf.dispose([inputs, weights, ...state, ...Object.values(grads)]);
  });

  it('decodeFrom and probes work with heads', () => {
    const model = rmtpp();
    tf.tidy(() => {
      const x = tf.tensor3d(numbers(4 * 2 * 5, 1), [4, 2, 5]);
      const all = model.forward(x, model.initialState(2)).logits;
      const tail = model.forward(x, model.initialState(2), { decodeFrom: 3 }).logits;
      expect(tail.shape).toEqual([1, 2, 5]);
      expect(Array.from(tail.dataSync())).toEqual(Array.from(tf.slice(all, 3, 1).dataSync()));
      expect(model.forward(x, model.initialState(2), { decodeFrom: 4 }).logits.shape).toEqual([0, 2, 5]);
      const probes = Array.from({ length: 4 }, () => model.initialState(2));
      const g = tf.grads((...z: tf.Tensor[]) => {
        const perStep = Array.from({ length: 4 }, (_, t) => z.slice(t * 4, (t + 1) * 4) as tf.Tensor2D[]);
        const logits = model.forward(x, model.initialState(2), { probes: perStep, decodeFrom: 3 }).logits;
        return tf.add(
          tf.sum(tf.slice(logits, [0, 0, 3], [1, 2, 1])),
          tf.mul(tf.sum(tf.stack(z)), 0),
        ) as tf.Scalar;
      })(probes.flat());
      // log λ at the last step depends on the top layer's h at earlier steps through the recurrence.
      expect(tf.sum(tf.abs(g[2 * 4 + 2]!)).dataSync()[0]).toBeGreaterThan(0);
    });
  });

  it('weights round-trip through safetensors under their heads.* names', () => {
    const a = rmtpp({ seed: 1 });
    const b = rmtpp({ seed: 2 });
    expect(values(a, 'heads.w.weight')).not.toEqual(values(b, 'heads.w.weight'));
    deserializeWeights(b, serializeWeights(a));
    for (const name of a.namedVariables.keys()) expect(values(b, name)).toEqual(values(a, name));
    const plain = createModel({
      cell: 'lstm',
      input: 'dense',
      featureSize: 5,
      hiddenSize: 6,
      numLayers: 2,
      outputSize: 5,
    });
    models.push(plain);
    expect(() => deserializeWeights(plain, serializeWeights(a))).toThrow(
      /missing decoder.weight, decoder.bias; unexpected encoder.weight, encoder.bias, heads.marks.weight/,
    );
  });

  it("initialisers: 'paper' zero vectors and ±√(3/max dim) matrices; 'pytorch' ±1/√fan_in", () => {
    const paper = rmtpp({ init: 'paper' });
    expect(values(paper, 'encoder.bias').every((v) => v === 0)).toBe(true);
    expect(values(paper, 'heads.marks.bias').every((v) => v === 0)).toBe(true);
    expect(Math.abs(values(paper, 'heads.w.weight')[0]!)).toBeLessThanOrEqual(Math.sqrt(3));
    expect(values(paper, 'encoder.weight').every((v) => Math.abs(v) <= Math.sqrt(3 / 4))).toBe(true);
    const torch = rmtpp({ init: 'pytorch', hiddenSize: 64 });
    const encoder = values(torch, 'encoder.weight');
    expect(encoder.every((v) => Math.abs(v) <= 1 / Math.sqrt(3))).toBe(true);
    expect(Math.max(...encoder.map(Math.abs))).toBeGreaterThan(1 / Math.sqrt(64)); // fan_in 3, not H
    expect(values(torch, 'heads.marks.weight').every((v) => Math.abs(v) <= 1 / 8)).toBe(true);
    expect(Math.abs(values(torch, 'heads.w.weight')[0]!)).toBeLessThanOrEqual(1);
  });

  it('refuses bad heads and encoders with the field and the value', () => {
    const base = {
      cell: 'lstm',
      input: 'dense',
      featureSize: 4,
      hiddenSize: 3,
      numLayers: 1,
      outputSize: 3,
    } as const;
    const heads = [
      { name: 'a', size: 2 },
      { name: 'b', size: 1 },
    ];
    expect(() => createModel({ ...base, heads, outputSize: 4 })).toThrow(
      "createModel: spec.outputSize must equal the sum of the heads' sizes (2 + 1 = 3) when heads are given, got 4",
    );
    expect(() =>
      createModel({
        ...base,
        heads: [
          { name: 'a', size: 2 },
          { name: 'a', size: 1 },
        ],
      }),
    ).toThrow('spec.heads[1].name must be unique among the heads, got "a"');
    expect(() => createModel({ ...base, heads: [{ name: 'x.y', size: 3 }] })).toThrow('spec.heads[0].name');
    expect(() => createModel({ ...base, heads: [{ name: 'a', size: 0 }] })).toThrow(
      'spec.heads[0].size must be a positive integer',
    );
    expect(() =>
      createModel({ ...base, heads: [{ name: 'a', size: 3, kind: 'cubic' as 'linear' }] }),
    ).toThrow('spec.heads[0].kind must be "linear" or "constant", got "cubic"');
    expect(() => createModel({ ...base, heads: [] })).toThrow('spec.heads must be a non-empty list');
    expect(() => createModel({ ...base, inputEncoder: { features: 5, size: 2 } })).toThrow(
      'spec.inputEncoder.features must be at most featureSize (4), got 5',
    );
    expect(() => createModel({ ...base, inputEncoder: { features: 2, size: 0 } })).toThrow(
      'spec.inputEncoder.size must be a positive integer',
    );
    expect(() =>
      createModel({
        cell: 'lstm',
        input: 'embedding',
        vocabSize: 3,
        hiddenSize: 3,
        numLayers: 1,
        outputSize: 3,
        inputEncoder: { features: 1, size: 2 },
      } as unknown as ModelSpec),
    ).toThrow("spec.inputEncoder applies to input 'dense' only");
    expect(() =>
      createModel({
        cell: 'lstm',
        input: 'embedding',
        vocabSize: 3,
        hiddenSize: 3,
        numLayers: 1,
        outputSize: 3,
        tieWeights: true,
        heads: [{ name: 'a', size: 3 }],
      }),
    ).toThrow('spec.tieWeights cannot be combined with heads');
  });

  it('a spec without heads or encoder resolves without those keys (specs saved before still compare equal)', () => {
    const model = createModel({
      cell: 'gru',
      input: 'dense',
      featureSize: 2,
      hiddenSize: 3,
      numLayers: 1,
      outputSize: 2,
    });
    models.push(model);
    expect('heads' in model.spec).toBe(false);
    expect('inputEncoder' in model.spec).toBe(false);
  });
});
