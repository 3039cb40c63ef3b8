import * as tf from '@tensorflow/tfjs-core';
import { slotOptimizer } from '../internal/slot-optimizer';
import type { NamedParameter, Optimizer } from './optimizer';

/**
 * Adadelta (Zeiler 2012) in PyTorch's form: g ← g + λθ; s ← ρs + (1−ρ)g²;
 * Δ = √(u + ε)/√(s + ε)·g; u ← ρu + (1−ρ)Δ²; θ ← θ − lr·Δ (lr = 1 recovers the paper).
 * Slots `<name>.square_avg` and `<name>.acc_delta`.
 */
export function adadelta(
  parameters: readonly NamedParameter[],
  options: { rho?: number; epsilon?: number; weightDecay?: number } = {},
): Optimizer {
  const rho = options.rho ?? 0.9;
  const epsilon = options.epsilon ?? 1e-6;
  return slotOptimizer(
    'adadelta',
    parameters,
    ['square_avg', 'acc_delta'],
    options.weightDecay ?? 0,
    ({ param, grad: g, slots, learningRate }) => {
      const s = slots[0]!;
      const u = slots[1]!;
      s.assign(tf.add(tf.mul(s, rho), tf.mul(tf.square(g), 1 - rho)));
      const delta = tf.mul(tf.div(tf.sqrt(tf.add(u, epsilon)), tf.sqrt(tf.add(s, epsilon))), g);
      u.assign(tf.add(tf.mul(u, rho), tf.mul(tf.square(delta), 1 - rho)));
      param.assign(tf.sub(param, tf.mul(delta, learningRate)));
    },
  );
}
