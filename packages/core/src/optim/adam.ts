import * as tf from '@tensorflow/tfjs-core';
import { checkGrads, decayed, zeroSlots } from '../internal/slots';
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
  const weightDecay = options.weightDecay ?? 0;
  const registry = new Map<string, tf.Variable>();
  const first = zeroSlots(parameters, 'm', registry);
  const second = zeroSlots(parameters, 'v', registry);
  let step = 0;
  return {
    name: 'adam',
    apply(grads, learningRate) {
      checkGrads('adam.apply', grads, parameters);
      step++;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      tf.tidy(() => {
        parameters.forEach((p, i) => {
          const g = decayed(grads[i]!, p.variable, weightDecay);
          const m = first[i]!;
          const v = second[i]!;
          m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
          v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
          const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
          p.variable.assign(tf.sub(p.variable, tf.mul(update, learningRate)));
        });
      });
    },
    slots: () => registry,
    getStep: () => step,
    setStep: (s) => {
      step = s;
    },
    dispose() {
      for (const v of [...first, ...second]) v.dispose();
    },
  };
}
