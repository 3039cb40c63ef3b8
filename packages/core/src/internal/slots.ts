import * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter } from '../optim/optimizer';

/** Zero slot variables shaped like each parameter, registered under `<parameter>.<slot>`. */
export function zeroSlots(
  parameters: readonly NamedParameter[],
  slot: string,
  registry: Map<string, tf.Variable>,
): tf.Variable[] {
  return parameters.map((p) => {
    const zeros = tf.zerosLike(p.variable);
    const v = tf.variable(zeros, false);
    zeros.dispose(); // the variable holds its own reference to the data
    registry.set(`${p.name}.${slot}`, v);
    return v;
  });
}

/** g + λθ (coupled weight decay); returns g itself when λ = 0. */
export function decayed(grad: tf.Tensor, param: tf.Variable, weightDecay: number): tf.Tensor {
  return weightDecay === 0 ? grad : tf.add(grad, tf.mul(param, weightDecay));
}

export function checkGrads(
  fn: string,
  grads: readonly tf.Tensor[],
  parameters: readonly NamedParameter[],
): void {
  if (grads.length !== parameters.length) {
    throw new Error(
      `${fn}: got ${grads.length} gradients for ${parameters.length} parameters; pass one gradient per parameter, in order`,
    );
  }
}
