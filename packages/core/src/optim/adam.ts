import * as tf from '@tensorflow/tfjs-core';
import { slotTransform } from '../internal/slot-transform';
import { checkCommon, checkUnit, type Optimizer } from './optimizer';

/**
 * Adam (Kingma & Ba 2015), with coupled weight decay as in PyTorch's `Adam(weight_decay=λ)`:
 * g ← g + λθ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
 * Slots `<name>.m` and `<name>.v`.
 */
export function adam(
  options: {
    learningRate?: number;
    beta1?: number;
    beta2?: number;
    epsilon?: number;
    weightDecay?: number;
  } = {},
): Optimizer {
  const { learningRate, weightDecay } = checkCommon('adam', options);
  const beta1 = checkUnit('adam', 'beta1', options.beta1 ?? 0.9, true);
  const beta2 = checkUnit('adam', 'beta2', options.beta2 ?? 0.999, true);
  const epsilon = options.epsilon ?? 1e-8;
  if (!(epsilon > 0)) throw new Error(`adam: epsilon must be a number > 0, got ${String(epsilon)}`);
  const transform = slotTransform('adam', ['m', 'v'], weightDecay, ({ grad: g, slots, step }) => {
    const m = tf.add(tf.mul(slots[0]!, beta1), tf.mul(g, 1 - beta1));
    const v = tf.add(tf.mul(slots[1]!, beta2), tf.mul(tf.square(g), 1 - beta2));
    const c1 = 1 - beta1 ** step;
    const c2 = 1 - beta2 ** step;
    const direction = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
    return { direction, slots: [m, v] };
  });
  return {
    ...transform,
    name: 'adam',
    learningRate,
    fused: {
      slots: ['m', 'v'],
      weightDecay,
      rule: (step) => ({ rule: 'adam', beta1, beta2, epsilon, step }),
    },
  };
}
