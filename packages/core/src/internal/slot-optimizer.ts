import * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter, Optimizer, OptimizerName } from '../optim/optimizer';
import { checkGrads, decayed, zeroSlots } from './slots';

/** What an update rule sees for one parameter in one {@link Optimizer.apply}. */
export interface SlotUpdate {
  /** θ, to assign the new value to. */
  param: tf.Variable;
  /** g + λθ: the gradient with the coupled weight decay already added. */
  grad: tf.Tensor;
  /** This parameter's slot variables, in the order the optimiser named them. */
  slots: tf.Variable[];
  learningRate: number;
  /** The 1-based count of this update (t in Adam's bias correction). */
  step: number;
}

/**
 * The plumbing every optimiser here shares: zero slots per parameter registered as `<parameter>.<slot>`,
 * the step counter, gradient-count check, coupled weight decay, one `tf.tidy` per update, disposal.
 * The optimiser itself is only its per-parameter `update` rule.
 *
 * @param slotNames the slot variables each parameter gets (none for plain SGD), in registry order
 * @param update assigns θ and the slots from g + λθ; runs inside a tidy, once per parameter
 */
export function slotOptimizer(
  name: OptimizerName,
  parameters: readonly NamedParameter[],
  slotNames: readonly string[],
  weightDecay: number,
  update: (u: SlotUpdate) => void,
): Optimizer {
  const registry = new Map<string, tf.Variable>();
  // slots[k][i]: slot slotNames[k] of parameters[i]
  const slots = slotNames.map((slot) => zeroSlots(parameters, slot, registry));
  let step = 0;
  return {
    name,
    apply(grads, learningRate) {
      checkGrads(`${name}.apply`, grads, parameters);
      const next = step + 1;
      tf.tidy(() => {
        parameters.forEach((p, i) => {
          update({
            param: p.variable,
            grad: decayed(grads[i]!, p.variable, weightDecay),
            slots: slots.map((perParameter) => perParameter[i]!),
            learningRate,
            step: next,
          });
        });
      });
      step = next;
    },
    slots: () => registry,
    getStep: () => step,
    setStep: (s) => {
      step = s;
    },
    dispose() {
      for (const perParameter of slots) for (const v of perParameter) v.dispose();
    },
  };
}
