import * as tf from '@tensorflow/tfjs-core';
import { slotTransform } from '../internal/slot-transform';
import { checkCommon, checkUnit, type Optimizer } from './optimizer';

/**
 * Adadelta (Zeiler 2012) in PyTorch's form: g ← g + λθ; s ← ρs + (1−ρ)g²;
 * Δ = √(u + ε)/√(s + ε)·g; u ← ρu + (1−ρ)Δ²; θ ← θ − lr·Δ (lr = 1 recovers the paper).
 * Slots `<name>.square_avg` and `<name>.acc_delta`.
 */
export function adadelta(
  options: { learningRate?: number; rho?: number; epsilon?: number; weightDecay?: number } = {},
): Optimizer {
  const { learningRate, weightDecay } = checkCommon('adadelta', options);
  const rho = checkUnit('adadelta', 'rho', options.rho ?? 0.9, false);
  const epsilon = options.epsilon ?? 1e-6;
  if (!(epsilon > 0)) throw new Error(`adadelta: epsilon must be a number > 0, got ${String(epsilon)}`);
  const transform = slotTransform(
    'adadelta',
    ['square_avg', 'acc_delta'],
    weightDecay,
    ({ grad: g, slots }) => {
      const s = tf.add(tf.mul(slots[0]!, rho), tf.mul(tf.square(g), 1 - rho));
      const delta = tf.mul(tf.div(tf.sqrt(tf.add(slots[1]!, epsilon)), tf.sqrt(tf.add(s, epsilon))), g);
      const u = tf.add(tf.mul(slots[1]!, rho), tf.mul(tf.square(delta), 1 - rho));
      return { direction: delta, slots: [s, u] };
    },
  );
  return {
    ...transform,
    name: 'adadelta',
    learningRate,
    fused: {
      slots: ['square_avg', 'acc_delta'],
      weightDecay,
      rule: () => ({ rule: 'adadelta', rho, epsilon }),
    },
  };
}
