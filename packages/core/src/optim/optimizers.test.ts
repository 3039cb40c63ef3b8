import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createOptimizer } from './create-optimizer';
import { applyUpdates, chain, disposeChainState } from './gradient-transformation';
import { scaleByLearningRate } from './learning-rate';
import type { OptimizerSpec } from './optimizer';

/** Scalar float64 references of the update rules, written from the papers / PyTorch docs. */
function reference(spec: OptimizerSpec, theta0: number, grads: number[], lr: number): number {
  const wd = spec.weightDecay ?? 0;
  let theta = theta0;
  let m = 0;
  let v = 0;
  let u = 0;
  grads.forEach((g0, i) => {
    const g = g0 + wd * theta;
    const t = i + 1;
    switch (spec.name) {
      case 'sgd':
        theta -= lr * g;
        break;
      case 'momentum':
        m = (spec.momentum ?? 0.9) * m + g;
        theta -= lr * m;
        break;
      case 'adam': {
        const b1 = spec.beta1 ?? 0.9;
        const b2 = spec.beta2 ?? 0.999;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        theta -= (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + (spec.epsilon ?? 1e-8));
        break;
      }
      case 'adadelta': {
        const rho = spec.rho ?? 0.9;
        const eps = spec.epsilon ?? 1e-6;
        v = rho * v + (1 - rho) * g * g;
        const delta = (Math.sqrt(u + eps) / Math.sqrt(v + eps)) * g;
        u = rho * u + (1 - rho) * delta * delta;
        theta -= lr * delta;
        break;
      }
    }
  });
  return theta;
}

const specs: OptimizerSpec[] = [
  { name: 'sgd' },
  { name: 'sgd', weightDecay: 0.1 },
  { name: 'momentum', momentum: 0.8 },
  { name: 'adam' },
  { name: 'adam', weightDecay: 0.01, beta1: 0.5 },
  { name: 'adadelta' },
];

describe('optimisers', () => {
  for (const spec of specs) {
    it(`${JSON.stringify(spec)} matches the float64 reference over 4 updates`, () => {
      const before = tf.memory().numTensors;
      const theta0 = [0.5, -1.25, 2];
      const grads = [
        [0.3, -0.2, 1.5],
        [-0.1, 0.4, 0.2],
        [0.7, 0.05, -0.9],
        [0.2, -0.3, 0.1],
      ];
      const initial = tf.tensor1d(theta0);
      const variable = tf.variable(initial);
      initial.dispose();
      const parameters = [{ name: 'w', variable }];
      const optimization = chain(createOptimizer(spec), scaleByLearningRate());
      let state = optimization.init(parameters);
      for (const g of grads) {
        const t = tf.tensor1d(g);
        const out = optimization.update([t], state, { parameters, lossPositions: 1, learningRate: 0.05 });
        applyUpdates(parameters, out.updates);
        tf.dispose([t, ...out.updates]);
        state = out.state;
      }
      const got = variable.dataSync();
      theta0.forEach((x, j) => {
        const want = reference(
          spec,
          x,
          grads.map((g) => g[j]!),
          0.05,
        );
        expect(Math.abs(got[j]! - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
      });
      expect(state[0]!.step).toBe(4);
      for (const name of state[0]!.slots.keys()) expect(name.startsWith('w.')).toBe(true);
      disposeChainState(state);
      variable.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('refuses an unknown optimiser or a bad field, naming it', () => {
    expect(() => createOptimizer({ name: 'rmsprop' as 'sgd' })).toThrow(/optimizer.name must be one of/);
    expect(() => createOptimizer({ name: 'sgd', weightDecay: -1 })).toThrow(/sgd: weightDecay .* got -1/);
    expect(() => createOptimizer({ name: 'adam', learningRate: Number.NaN })).toThrow(
      /adam: learningRate must be a finite number > 0, got NaN/,
    );
    expect(() => createOptimizer({ name: 'sgd', learningRate: Number.POSITIVE_INFINITY })).toThrow(
      /got Infinity/,
    );
  });

  it('has a default learning rate per optimiser', () => {
    expect(createOptimizer({ name: 'adam' }).learningRate).toBe(0.001);
    expect(createOptimizer({ name: 'sgd' }).learningRate).toBe(1);
    expect(createOptimizer({ name: 'momentum' }).learningRate).toBe(0.1);
    expect(createOptimizer({ name: 'adadelta', learningRate: 0.5 }).learningRate).toBe(0.5);
  });
});
