import * as tf from '@tensorflow/tfjs-core';
import { checkGrads, decayed, zeroSlots } from '../internal/slots';
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
  const weightDecay = options.weightDecay ?? 0;
  const registry = new Map<string, tf.Variable>();
  const squareAvg = zeroSlots(parameters, 'square_avg', registry);
  const accDelta = zeroSlots(parameters, 'acc_delta', registry);
  let step = 0;
  return {
    name: 'adadelta',
    apply(grads, learningRate) {
      checkGrads('adadelta.apply', grads, parameters);
      tf.tidy(() => {
        parameters.forEach((p, i) => {
          const g = decayed(grads[i]!, p.variable, weightDecay);
          const s = squareAvg[i]!;
          const u = accDelta[i]!;
          s.assign(tf.add(tf.mul(s, rho), tf.mul(tf.square(g), 1 - rho)));
          const delta = tf.mul(tf.div(tf.sqrt(tf.add(u, epsilon)), tf.sqrt(tf.add(s, epsilon))), g);
          u.assign(tf.add(tf.mul(u, rho), tf.mul(tf.square(delta), 1 - rho)));
          p.variable.assign(tf.sub(p.variable, tf.mul(delta, learningRate)));
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
      for (const v of [...squareAvg, ...accDelta]) v.dispose();
    },
  };
}
