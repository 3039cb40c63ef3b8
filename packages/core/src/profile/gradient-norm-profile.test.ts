import { createModel, type RecurrentModel, type RecurrentState, stateComponents } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { linearRnn, tinyRnn } from '../../test/fixtures/tiny-models';
import { meanLoss } from '../internal/loss';
import { gradientNormProfile, gradientNormProfileGroups } from './gradient-norm-profile';

/**
 * Brute force: one backward pass per lag. For lag k ≥ 1 the state after step t = W−1−k is computed by a
 * forward over the first t+1 steps and then treated as the input of the remaining steps; for lag 0 a single
 * probe on the last step. Per-row norms and their mean are taken in float64.
 */
function bruteForce(
  model: RecurrentModel,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  window: number,
  burnIn: number,
): { total: number[]; components: number[][]; cumulative: number[]; cumulativeComponents: number[][] } {
  const samples = inputs.shape[1]!;
  const rowLoss = (logits: tf.Tensor) =>
    tf.mul(
      meanLoss(
        tf.slice(logits, logits.shape[0]! - 1, 1),
        tf.slice(targets, burnIn + window - 1, 1),
        'classes',
      ),
      samples,
    );
  const warm = tf.tidy(
    () => model.forward(tf.slice(inputs, 0, burnIn), model.initialState(samples)).finalState,
  );
  const probeInputs = tf.slice(inputs, burnIn, window);
  const total: number[] = [];
  const components: number[][] = warm.map(() => []);
  // The exact C: Σ over lags of the row-mean adjoint vectors, component by component, in float64.
  const running: number[][] = warm.map((s) => new Array<number>(s.shape[1]).fill(0));
  const cumulative: number[] = [];
  const cumulativeComponents: number[][] = warm.map(() => []);
  for (let k = 0; k < window; k++) {
    const t = window - 1 - k;
    const grads = tf.tidy(() => {
      if (k === 0) {
        // Lag 0: the state after the last step reaches the loss through the decoder, which reads the top
        // layer only; the model's probes on the top layer's components expose it (lower layers: 0).
        const atLast = model.forward(tf.slice(probeInputs, 0, window - 1), warm).finalState;
        const top = warm.length / model.spec.numLayers;
        const zeros = warm.map((s) => tf.zerosLike(s) as tf.Tensor2D);
        const topGrads = tf.grads((...z: tf.Tensor[]) => {
          const probes: RecurrentState = zeros.map((zero, j) =>
            j >= warm.length - top ? (z[j - (warm.length - top)] as tf.Tensor2D) : zero,
          );
          const loss = rowLoss(
            model.forward(tf.slice(probeInputs, window - 1, 1), atLast, { probes: [probes] }).logits,
          );
          return tf.add(loss, tf.mul(tf.addN(z.map((x) => tf.sum(x))), 0)) as tf.Scalar; // the cell reaches no loss
        })(zeros.slice(warm.length - top));
        return [...zeros.slice(0, warm.length - top), ...topGrads];
      }
      const atT = model.forward(tf.slice(probeInputs, 0, t + 1), warm).finalState;
      const rest = tf.slice(probeInputs, t + 1, window - t - 1);
      return tf.grads((...h: tf.Tensor[]) => {
        const loss = rowLoss(model.forward(rest, h as tf.Tensor2D[]).logits);
        return tf.add(loss, tf.mul(tf.addN(h.map((x) => tf.sum(x))), 0)) as tf.Scalar;
      })(atT);
    });
    const values = grads.map((g) => g.arraySync() as number[][]);
    tf.dispose(grads);
    let sumTotal = 0;
    const sumComponent = values.map(() => 0);
    for (let s = 0; s < samples; s++) {
      let sq = 0;
      values.forEach((v, j) => {
        const rowSq = v[s]!.reduce((a, x) => a + x * x, 0);
        sq += rowSq;
        sumComponent[j]! += Math.sqrt(rowSq);
      });
      sumTotal += Math.sqrt(sq);
    }
    total.push(sumTotal / samples);
    sumComponent.forEach((v, j) => {
      components[j]!.push(v / samples);
    });
    let all = 0;
    values.forEach((v, j) => {
      let sq = 0;
      running[j]!.forEach((_, h) => {
        for (let s = 0; s < samples; s++) running[j]![h]! += v[s]![h]! / samples;
        sq += running[j]![h]! ** 2;
      });
      cumulativeComponents[j]!.push(Math.sqrt(sq));
      all += sq;
    });
    cumulative.push(Math.sqrt(all));
  }
  tf.dispose([...warm, probeInputs]);
  return { total, components, cumulative, cumulativeComponents };
}

function expectRelative(got: ArrayLike<number>, want: readonly number[], tolerance: number): void {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    const scale = Math.max(Math.abs(want[k]!), 1e-30);
    expect(Math.abs(got[k]! - want[k]!) / scale, `lag ${k}: ${got[k]} vs ${want[k]}`).toBeLessThan(tolerance);
  }
}

describe('gradientNormProfile', () => {
  const window = 30;
  const burnIn = 5;
  const samples = 4;
  const vocab = 7;
  const ids = (seed: number) => tf.randomUniform([burnIn + window, samples], 0, vocab, 'int32', seed);

  for (const [cell, numLayers] of [
    ['lstm', 2],
    ['gru', 2],
    ['lstm', 1],
  ] as const) {
    it(`one pass equals ${window} separate backward passes: ${numLayers}-layer ${cell.toUpperCase()}, total and per component`, () => {
      const model = createModel({
        cell,
        input: 'embedding',
        vocabSize: vocab,
        embeddingSize: 5,
        hiddenSize: 6,
        numLayers,
        outputSize: vocab,
        seed: 3,
      });
      const inputs = ids(1);
      const targets = ids(2);
      const before = tf.memory().numTensors;
      const names = stateComponents(model.spec);
      const onePass = gradientNormProfile(model, inputs, targets, { window, burnIn });
      expect(tf.memory().numTensors).toBe(before);
      const brute = bruteForce(model, inputs, targets, window, burnIn);
      expectRelative(onePass.total.phi, brute.total, 1e-5);
      expect(Object.keys(onePass.components)).toEqual(names);
      names.forEach((name, j) => {
        expectRelative(onePass.components[name]!.phi, brute.components[j]!, 1e-5);
        expectRelative(onePass.components[name]!.cumulative!, brute.cumulativeComponents[j]!, 1e-5);
      });
      // The exact C(K): the norm of the summed mean adjoints, against summed brute-force vectors.
      expectRelative(onePass.total.cumulative!, brute.cumulative, 1e-5);
      // Triangle inequality: ‖Σ mean adjoints‖ ≤ Σ φ̂ (the approximate C).
      let approximate = 0;
      onePass.total.phi.forEach((p, k) => {
        approximate += p;
        expect(onePass.total.cumulative![k]!).toBeLessThanOrEqual(approximate * (1 + 1e-6));
      });
      // The profile is informative: the gradient reaches far back but decays.
      expect(onePass.total.phi[window - 1]!).toBeGreaterThan(0);
      expect(onePass.total.phi[window - 1]!).toBeLessThan(onePass.total.phi[0]!);
      // The last cell state reaches no loss.
      if (cell === 'lstm') expect(onePass.components[`l${numLayers - 1}.c`]!.phi[0]).toBe(0);
      tf.dispose([inputs, targets]);
      model.dispose();
    });
  }

  it('matches the brute force on a model of our own (2-layer tanh RNN)', () => {
    const model = tinyRnn({ vocab, hidden: 5 });
    const inputs = ids(3);
    const targets = ids(4);
    const onePass = gradientNormProfile(model, inputs, targets, { window, burnIn });
    const brute = bruteForce(model, inputs, targets, window, burnIn);
    expectRelative(onePass.total.phi, brute.total, 1e-5);
    tf.dispose([inputs, targets]);
    model.dispose();
  });

  it('is exactly geometric for the linear RNN h_t = a·h_{t−1} + x_t, in both averagings', () => {
    const a = -0.8;
    const model = linearRnn(a, 3);
    const inputs = tf.randomNormal([10 + 20, 5, 3], 0, 1, 'float32', 5);
    const targets = tf.randomNormal([10 + 20, 5, 3], 0, 1, 'float32', 6);
    for (const averaging of ['norm', 'log'] as const) {
      const { total } = gradientNormProfile(model, inputs, targets, {
        window: 20,
        burnIn: 10,
        averaging,
        targetKind: 'real',
      });
      expect(total.averaging).toBe(averaging);
      expect(total.samples).toBe(5);
      for (let k = 1; k < 20; k++) expect(total.phi[k]! / total.phi[k - 1]!).toBeCloseTo(Math.abs(a), 5);
      // Closed form of the exact C: ∂L_s/∂h_{s−k} = a^k g_s with g_s = h_s − y_s (½‖·‖² loss), so
      // cumulative[k] = |Σ_{j≤k} a^j| · ‖mean_s g_s‖ = |(1 − a^{k+1}) / (1 − a)| · ‖ḡ‖.
      const g = tf.tidy(() => {
        const { logits } = model.forward(inputs, model.initialState(5));
        const last = tf.squeeze(tf.slice(logits, 29, 1), [0]);
        const y = tf.squeeze(tf.slice(targets, 29, 1), [0]);
        return tf.norm(tf.mean(tf.sub(last, y), 0)).dataSync()[0]!;
      });
      for (let k = 0; k < 20; k++) {
        const want = Math.abs((1 - a ** (k + 1)) / (1 - a)) * g;
        expect(Math.abs(total.cumulative![k]! - want) / want, `lag ${k}`).toBeLessThan(1e-4);
      }
    }
    tf.dispose([inputs, targets]);
    model.dispose();
  });

  it('groups of rows from one probe equal separate probes of those rows', () => {
    const model = tinyRnn({ vocab, hidden: 4 });
    const inputs = tf.randomUniform([burnIn + 10, 6], 0, vocab, 'int32', 7);
    const targets = tf.randomUniform([burnIn + 10, 6], 0, vocab, 'int32', 8);
    const groups = gradientNormProfileGroups(model, inputs, targets, { window: 10, burnIn, groups: 3 });
    expect(groups).toHaveLength(3);
    groups.forEach((group, g) => {
      const rows = (t: tf.Tensor) => tf.slice(t, [0, 2 * g], [-1, 2]);
      const [x, y] = [rows(inputs), rows(targets)];
      const alone = gradientNormProfile(model, x, y, { window: 10, burnIn });
      expect(group.total.samples).toBe(2);
      expectRelative(group.total.phi, Array.from(alone.total.phi), 1e-5);
      expectRelative(group.total.cumulative!, Array.from(alone.total.cumulative!), 1e-5);
      tf.dispose([x, y]);
    });
    expect(() =>
      gradientNormProfileGroups(model, inputs, targets, { window: 10, burnIn, groups: 4 }),
    ).toThrow(/groups must be a positive integer dividing the 6 rows, got 4/);
    tf.dispose([inputs, targets]);
    model.dispose();
  });

  it('passes over slices of rows (maxRowsPerPass) give the same profile as one pass', () => {
    const model = tinyRnn({ vocab, hidden: 4 });
    const inputs = tf.randomUniform([burnIn + 10, 7], 0, vocab, 'int32', 9);
    const targets = tf.randomUniform([burnIn + 10, 7], 0, vocab, 'int32', 10);
    // One group per row, so a row reassembled into the wrong column would show; and groups of 2 rows split
    // across passes of 3 (the cumulative sums add up across passes).
    const options = { window: 10, burnIn, groups: 7 };
    const inPairs = tf.tidy(() => tf.concat([inputs, tf.slice(inputs, [0, 0], [-1, 1])], 1));
    const targetPairs = tf.tidy(() => tf.concat([targets, tf.slice(targets, [0, 0], [-1, 1])], 1));
    const pairsWhole = gradientNormProfileGroups(model, inPairs, targetPairs, {
      window: 10,
      burnIn,
      groups: 4,
    });
    const pairsSliced = gradientNormProfileGroups(model, inPairs, targetPairs, {
      window: 10,
      burnIn,
      groups: 4,
      maxRowsPerPass: 3,
    });
    pairsWhole.forEach((pair, g) => {
      expectRelative(pairsSliced[g]!.total.cumulative!, Array.from(pair.total.cumulative!), 1e-5);
    });
    tf.dispose([inPairs, targetPairs]);
    const whole = gradientNormProfileGroups(model, inputs, targets, options);
    const sliced = gradientNormProfileGroups(model, inputs, targets, { ...options, maxRowsPerPass: 3 });
    whole.forEach((row, s) => {
      expectRelative(sliced[s]!.total.phi, Array.from(row.total.phi), 1e-5);
      expectRelative(sliced[s]!.total.cumulative!, Array.from(row.total.cumulative!), 1e-5);
      for (const [name, profile] of Object.entries(row.components)) {
        expectRelative(sliced[s]!.components[name]!.phi, Array.from(profile.phi), 1e-5);
      }
    });
    tf.dispose([inputs, targets]);
    model.dispose();
  });

  it('refuses a window < 2, a negative burn-in and mismatched lengths', () => {
    const model = linearRnn(0.5, 2);
    const x = tf.zeros([5, 1, 2]);
    expect(() => gradientNormProfile(model, x, x, { window: 1, burnIn: 0 })).toThrow(
      /window must be an integer ≥ 2, got 1/,
    );
    expect(() => gradientNormProfile(model, x, x, { window: 2, burnIn: -1 })).toThrow(
      /burnIn must be an integer ≥ 0, got -1/,
    );
    expect(() => gradientNormProfile(model, x, x, { window: 2, burnIn: 0 })).toThrow(
      /burnIn \+ window = 2 steps, got 5/,
    );
    x.dispose();
    model.dispose();
  });
});
