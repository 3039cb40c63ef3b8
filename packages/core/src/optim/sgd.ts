import * as tf from '@tensorflow/tfjs-core';
import { checkGrads, decayed, zeroSlots } from '../internal/slots';
import type { NamedParameter, Optimizer } from './optimizer';

/** Plain SGD: θ ← θ − lr·(g + λθ). No slots. */
export function sgd(
  parameters: readonly NamedParameter[],
  options: { weightDecay?: number } = {},
): Optimizer {
  const weightDecay = options.weightDecay ?? 0;
  let step = 0;
  return {
    name: 'sgd',
    apply(grads, learningRate) {
      checkGrads('sgd.apply', grads, parameters);
      tf.tidy(() => {
        parameters.forEach((p, i) => {
          p.variable.assign(
            tf.sub(p.variable, tf.mul(decayed(grads[i]!, p.variable, weightDecay), learningRate)),
          );
        });
      });
      step++;
    },
    slots: () => new Map(),
    getStep: () => step,
    setStep: (s) => {
      step = s;
    },
    dispose() {},
  };
}

/** Heavy-ball momentum (PyTorch form): v ← μv + (g + λθ); θ ← θ − lr·v. Slot `<name>.momentum`. */
export function momentum(
  parameters: readonly NamedParameter[],
  options: { momentum?: number; weightDecay?: number } = {},
): Optimizer {
  const mu = options.momentum ?? 0.9;
  const weightDecay = options.weightDecay ?? 0;
  const registry = new Map<string, tf.Variable>();
  const velocity = zeroSlots(parameters, 'momentum', registry);
  let step = 0;
  return {
    name: 'momentum',
    apply(grads, learningRate) {
      checkGrads('momentum.apply', grads, parameters);
      tf.tidy(() => {
        parameters.forEach((p, i) => {
          const v = velocity[i]!;
          v.assign(tf.add(tf.mul(v, mu), decayed(grads[i]!, p.variable, weightDecay)));
          p.variable.assign(tf.sub(p.variable, tf.mul(v, learningRate)));
        });
      });
      step++;
    },
    slots: () => registry,
    getStep: () => step,
    setStep: (s) => {
      step = s;
    },
    dispose() {
      for (const v of velocity) v.dispose();
    },
  };
}
