import * as tf from '@tensorflow/tfjs-core';
import { slotOptimizer } from '../internal/slot-optimizer';
import type { NamedParameter, Optimizer } from './optimizer';

/** Plain SGD: θ ← θ − lr·(g + λθ). No slots. */
export function sgd(
  parameters: readonly NamedParameter[],
  options: { weightDecay?: number } = {},
): Optimizer {
  return slotOptimizer('sgd', parameters, [], options.weightDecay ?? 0, ({ param, grad, learningRate }) => {
    param.assign(tf.sub(param, tf.mul(grad, learningRate)));
  });
}

/** Heavy-ball momentum (PyTorch form): v ← μv + (g + λθ); θ ← θ − lr·v. Slot `<name>.momentum`. */
export function momentum(
  parameters: readonly NamedParameter[],
  options: { momentum?: number; weightDecay?: number } = {},
): Optimizer {
  const mu = options.momentum ?? 0.9;
  return slotOptimizer(
    'momentum',
    parameters,
    ['momentum'],
    options.weightDecay ?? 0,
    ({ param, grad, slots, learningRate }) => {
      const v = slots[0]!;
      v.assign(tf.add(tf.mul(v, mu), grad));
      param.assign(tf.sub(param, tf.mul(v, learningRate)));
    },
  );
}
