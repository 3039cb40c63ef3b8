import * as tf from '@tensorflow/tfjs-core';
import {
  checkCount,
  type GradientTransformation,
  type NamedParameter,
  type TransformState,
} from '../optim/gradient-transformation';

/** What a direction rule sees for one parameter in one update. */
export interface SlotStep {
  /** θ (read only). */
  param: tf.Tensor;
  /** g + λθ: the gradient with the coupled weight decay already added. */
  grad: tf.Tensor;
  /** This parameter's slots, in the order the optimiser named them. */
  slots: tf.Tensor[];
  /** The 1-based count of this update (t in Adam's bias correction). */
  step: number;
}

/**
 * The plumbing every optimiser shares: zero slots per parameter named `<parameter>.<slot>`, the step counter,
 * coupled weight decay (g ← g + λθ, PyTorch's `weight_decay`), one tidy per update, disposal of replaced
 * slots. The optimiser itself is only its per-parameter rule, which returns the direction u (the chain's
 * learning-rate stage turns it into −lr·u) and the new slot values.
 */
export function slotTransform(
  name: string,
  slotNames: readonly string[],
  weightDecay: number,
  rule: (s: SlotStep) => { direction: tf.Tensor; slots: tf.Tensor[] },
): GradientTransformation {
  return {
    name,
    init(parameters) {
      const slots = new Map<string, tf.Tensor>();
      for (const slot of slotNames) {
        for (const p of parameters) slots.set(`${p.name}.${slot}`, tf.keep(tf.zerosLike(p.variable)));
      }
      return { step: 0, slots };
    },
    update(grads, state, context) {
      const { parameters } = context;
      checkCount(`${name}.update`, grads, parameters);
      const step = state.step + 1;
      const slots = new Map<string, tf.Tensor>();
      const directions = parameters.map((p, i) =>
        tf.tidy(() => {
          const old = slotNames.map((slot) => slotOf(state, p, slot, name));
          const g = weightDecay === 0 ? grads[i]! : tf.add(grads[i]!, tf.mul(p.variable, weightDecay));
          const out = rule({ param: p.variable, grad: g, slots: old, step });
          slotNames.forEach((slot, k) => {
            slots.set(`${p.name}.${slot}`, tf.keep(out.slots[k]!));
          });
          return out.direction;
        }),
      );
      tf.dispose([...state.slots.values()]);
      return { updates: directions, state: { step, slots } satisfies TransformState };
    },
  };
}

function slotOf(state: TransformState, p: NamedParameter, slot: string, name: string): tf.Tensor {
  const t = state.slots.get(`${p.name}.${slot}`);
  if (!t)
    throw new Error(
      `${name}.update: the state has no slot ${p.name}.${slot}; init the optimiser for these parameters`,
    );
  return t;
}
