import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { adaptiveTruncation, denseStream, type EstimateEvent, train } from '../src/index';
import { linearRnn } from './fixtures/tiny-models';

/** κ̂(δ) for an exact geometric profile φ_k ∝ β^k over W lags: min{K : β^K / (1 − 2β^W) < δ} (ARCHITECTURE §1). */
function closedForm(beta: number, delta: number, window: number): number {
  return Math.floor(Math.log(delta * (1 - 2 * beta ** window)) / Math.log(beta)) + 1;
}

describe('end-to-end estimate on a known contraction (issue test 4)', () => {
  for (const [a, delta] of [
    [0.9, 0.1],
    [0.9, 0.5],
    [-0.7, 0.01],
  ] as const) {
    it(`linear RNN a = ${a}: β̂ ≈ |a| and κ̂(${delta}) as the closed form predicts`, async () => {
      const hidden = 3;
      const batch = 4;
      const steps = 400;
      const window = 60;
      const data = tf.tidy(
        () => tf.randomNormal([steps, batch, hidden], 0, 1, 'float32', 11).dataSync() as Float32Array,
      );
      const targets = tf.tidy(
        () => tf.randomNormal([steps, batch, hidden], 0, 1, 'float32', 12).dataSync() as Float32Array,
      );
      const model = linearRnn(a, hidden);
      const events: EstimateEvent[] = [];
      await train({
        model,
        train: denseStream({ batch, features: hidden, inputs: data, targets, outputs: hidden }),
        truncation: adaptiveTruncation({
          refreshAtStart: true,
          delta,
          window,
          burnIn: 20,
          samples: 6,
          repeats: 2,
          kmin: 1,
          kmax: 59,
        }),
        optimizer: { name: 'sgd', learningRate: 1e-9 },
        stop: { updates: 1 },
        onEvent: (e) => {
          if (e.type === 'estimate') events.push(e);
        },
      });
      expect(events).toHaveLength(1);
      const event = events[0]!;
      expect(event.beta).toBeCloseTo(Math.abs(a), 4);
      expect(event.chosen).toBe(closedForm(Math.abs(a), delta, window));
      expect(event.deltaAtChosen).toBeLessThan(delta);
      model.dispose();
    });
  }
});
