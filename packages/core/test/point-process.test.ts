import { batchifyEvents, eventRows, exponentialIntensityProcess } from '@tbptt/datasets';
import { createModel, type RecurrentModel } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EvaluateEvent,
  evaluate,
  fixedTruncation,
  gapNegativeLogDensity,
  gradientNormProfile,
  pointProcessStream,
  train,
} from '../src/index';
import { meanLoss } from '../src/internal/loss';

const models: RecurrentModel[] = [];
afterEach(() => {
  for (const m of models.splice(0)) m.dispose();
});

/** The RMTPP model of the paper at a small size: M marks, mark encoder, heads [marks, log λ, w]. */
function rmtpp(marks: number, hidden: number, seed = 1, layers = 1): RecurrentModel {
  const model = createModel({
    cell: 'lstm',
    input: 'dense',
    featureSize: marks + 2,
    inputEncoder: { features: marks, size: 8 },
    hiddenSize: hidden,
    numLayers: layers,
    outputSize: marks + 2,
    heads: [
      { name: 'marks', size: marks },
      { name: 'log_intensity', size: 1 },
      { name: 'w', size: 1, kind: 'constant' },
    ],
    seed,
  });
  models.push(model);
  return model;
}

describe('the point-process target kind', () => {
  it("meanLoss at the generator's true parameters is the generator's exact NLL", () => {
    const { data, truth } = exponentialIntensityProcess({ sequences: 3, events: 200, seed: 7 });
    const rows = eventRows(data);
    // Logits [N, 4] = (true mark logits, true log λ, w) in the rows' order (sequence after sequence).
    const logits = new Float32Array(rows.rows * 4);
    let r = 0;
    let nll = 0;
    truth.nll.forEach((sequenceNll, i) => {
      for (let j = 0; j < sequenceNll.length; j++, r++) {
        logits.set([truth.markLogits[i]![2 * j]!, 0, truth.logIntensity[i]![j]!, truth.w], r * 4);
        nll += sequenceNll[j]!;
      }
    });
    const loss = tf.tidy(
      () =>
        meanLoss(
          tf.tensor3d(logits, [rows.rows, 1, 4]),
          tf.tensor3d(rows.targets, [rows.rows, 1, 2]),
          'point-process',
        ).dataSync()[0]!,
    );
    expect(loss).toBeCloseTo(nll / rows.rows, 5);
  });

  it('evaluate gives the NLL, the 0-1 loss of the argmax mark and the RMSE of the mean gap (brute force)', () => {
    const { data } = exponentialIntensityProcess({ sequences: 2, events: 41, seed: 3 });
    const stream = batchifyEvents(eventRows(data), 4); // 80 rows -> T = 20, B = 4
    const model = rmtpp(2, 5);
    const before = tf.memory().numTensors;
    const result = evaluate(model, pointProcessStream(stream), { chunk: 7 });
    expect(tf.memory().numTensors).toBe(before);
    // Independently: one forward pass over the whole stream, the metrics in float64 by brute force.
    const logits = tf.tidy(() => {
      const state = model.initialState(4);
      return model.forward(tf.tensor3d(stream.inputs, [20, 4, 4]), state).logits.arraySync();
    }) as number[][][];
    let wrong = 0;
    let squares = 0;
    let nll = 0;
    let maxGap = 0;
    for (let i = 1; i < stream.targets.length; i += 2) maxGap = Math.max(maxGap, stream.targets[i]!);
    for (let t = 0; t < 20; t++) {
      for (let b = 0; b < 4; b++) {
        const [z0, z1, logLambda, w] = logits[t]![b]! as [number, number, number, number];
        const mark = stream.targets[(t * 4 + b) * 2]!;
        const gap = stream.targets[(t * 4 + b) * 2 + 1]!;
        if ((z1 > z0 ? 1 : 0) !== mark) wrong++;
        const lse = Math.max(z0, z1) + Math.log1p(Math.exp(-Math.abs(z0 - z1)));
        nll += lse - (mark === 0 ? z0 : z1) + gapNegativeLogDensity(logLambda, w, gap);
        // Trapezoid of τ f(τ) on [0, largest gap], 200,000 intervals.
        const n = 200_000;
        const dt = maxGap / n;
        let mean = 0;
        for (let k = 0; k <= n; k++) {
          const tau = k * dt;
          mean += (k === 0 || k === n ? 0.5 : 1) * tau * Math.exp(-gapNegativeLogDensity(logLambda, w, tau));
        }
        mean *= dt;
        squares += (mean - gap) ** 2;
      }
    }
    expect(result.loss).toBeCloseTo(nll / 80, 5);
    expect(result.errorRate).toBe(wrong / 80);
    expect(result.rmse!).toBeCloseTo(Math.sqrt(squares / 80), 5);
    expect(Number.isNaN(result.perplexity)).toBe(true);
  });

  it('the one-pass profile on a point-process loss matches a per-lag brute force', () => {
    const { data } = exponentialIntensityProcess({ sequences: 1, events: 40, seed: 5 });
    const stream = pointProcessStream(batchifyEvents(eventRows(data), 3)); // T = 13
    const model = rmtpp(2, 4, 2, 2);
    const window = 5;
    const burnIn = 2;
    const { inputs, targets } = stream.gather([0, 4, 6], [0, 1, 2], burnIn + window);
    const profile = gradientNormProfile(model, inputs, targets, {
      window,
      burnIn,
      targetKind: 'point-process',
    });
    // Brute force: for lag k ≥ 1, the state after step t = W − 1 − k as the variable, the rest of the window run from it.
    const brute = tf.tidy(() => {
      const warm = model.forward(tf.slice(inputs, 0, burnIn), model.initialState(3)).finalState;
      const probeInputs = tf.slice(inputs, burnIn, window);
      const last = tf.slice(targets, burnIn + window - 1, 1); // [1, S, 2]
      const phi: number[] = [];
      for (let k = 1; k < window; k++) {
        const t = window - 1 - k;
        const state = model.forward(tf.slice(probeInputs, 0, t + 1), warm).finalState;
        const grads = tf.grads((...h: tf.Tensor[]) => {
          const out = model.forward(tf.slice(probeInputs, t + 1, window - t - 1), h as tf.Tensor2D[], {
            decodeFrom: window - t - 2,
          });
          return tf.mul(meanLoss(out.logits, last, 'point-process'), 3) as tf.Scalar; // Σ_rows L_s
        })(state);
        const squares = tf
          .sum(tf.stack(grads.map((g) => tf.sum(tf.square(g), 1))), 0)
          .arraySync() as number[]; // per row
        phi.push(squares.reduce((s, v) => s + Math.sqrt(v), 0) / 3);
      }
      return phi;
    });
    for (let k = 1; k < window; k++) {
      expect(profile.total.phi[k]!).toBeCloseTo(brute[k - 1]!, 5);
    }
    expect(profile.total.phi[0]!).toBeGreaterThan(0);
    tf.dispose([inputs, targets]);
  });

  it('train reports NLL, RMSE and 0-1 loss in its evaluate events, and refuses a model of the wrong width first', async () => {
    const { data } = exponentialIntensityProcess({ sequences: 2, events: 41, seed: 4 });
    const stream = pointProcessStream(batchifyEvents(eventRows(data), 4));
    const events: EvaluateEvent[] = [];
    const result = await train({
      model: rmtpp(2, 5),
      train: stream,
      valid: stream,
      truncation: fixedTruncation(4),
      optimizer: { name: 'sgd', learningRate: 0.01 },
      stop: { updates: 3 },
      onEvent: (e) => {
        if (e.type === 'evaluate') events.push(e);
      },
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.loss).toBe(result.bestValid!.loss);
    expect(events[0]!.rmse).toBe(result.bestValid!.rmse);
    expect(events[0]!.errorRate).toBeGreaterThanOrEqual(0);
    expect(events[0]!.errorRate).toBeLessThanOrEqual(1);
    const narrow = createModel({
      cell: 'lstm',
      input: 'dense',
      featureSize: 4,
      hiddenSize: 3,
      numLayers: 1,
      outputSize: 3,
    });
    models.push(narrow);
    await expect(
      train({ model: narrow, train: stream, truncation: fixedTruncation(4), stop: { updates: 1 } }),
    ).rejects.toThrow(/point-process stream of 2 marks, so the model needs 4 outputs .* got 3/);
  });
});
