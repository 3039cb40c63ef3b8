import * as tf from '@tensorflow/tfjs-core';
import { slotTransform } from '../internal/slot-transform';
import { checkCommon, checkUnit, type Optimizer } from './optimizer';

/** Plain SGD: θ ← θ − lr·(g + λθ). No slots. */
export function sgd(options: { learningRate?: number; weightDecay?: number } = {}): Optimizer {
  const { learningRate, weightDecay } = checkCommon('sgd', options);
  const transform = slotTransform('sgd', [], weightDecay, ({ grad }) => ({
    direction: tf.clone(grad),
    slots: [],
  }));
  return {
    ...transform,
    name: 'sgd',
    learningRate,
    fused: { slots: [], weightDecay, rule: () => ({ rule: 'sgd' }) },
  };
}

/** Heavy-ball momentum (PyTorch form): v ← μv + (g + λθ); θ ← θ − lr·v. Slot `<name>.momentum`. */
export function momentum(
  options: { learningRate?: number; momentum?: number; weightDecay?: number } = {},
): Optimizer {
  const { learningRate, weightDecay } = checkCommon('momentum', options);
  const mu = checkUnit('momentum', 'momentum', options.momentum ?? 0.9, true);
  const transform = slotTransform('momentum', ['momentum'], weightDecay, ({ grad, slots }) => {
    const v = tf.add(tf.mul(slots[0]!, mu), grad);
    return { direction: v, slots: [tf.clone(v)] };
  });
  return {
    ...transform,
    name: 'momentum',
    learningRate,
    fused: { slots: ['momentum'], weightDecay, rule: () => ({ rule: 'momentum', momentum: mu }) },
  };
}
