import * as tf from '@tensorflow/tfjs-core';
import { slotOptimizer } from '../internal/slot-optimizer';
import type { NamedParameter, Optimizer } from './optimizer';

/**
 * Adam (Kingma & Ba 2015), with coupled weight decay as in PyTorch's `Adam(weight_decay=λ)`:
 * g ← g + λθ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
 * Slots `<name>.m` and `<name>.v`.
 */
export function adam(
  parameters: readonly NamedParameter[],
  options: { beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number } = {},
): Optimizer {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  return slotOptimizer(
    'adam',
    parameters,
    ['m', 'v'],
    options.weightDecay ?? 0,
    ({ param, grad: g, slots, learningRate, step }) => {
      const m = slots[0]!;
      const v = slots[1]!;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
      v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
      const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
      param.assign(tf.sub(param, tf.mul(update, learningRate)));
    },
  );
}
