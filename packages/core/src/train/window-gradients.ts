import type { RecurrentModel, RecurrentState } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { meanLoss } from '../internal/loss';
import type { Stream } from '../streams/stream';
import type { WindowPlan } from '../windows/window-plan';

export interface WindowGradients {
  /** Mean loss over the window's loss positions and batch rows. */
  loss: tf.Scalar;
  /** ∂loss/∂θ, one per model variable, in `model.variables` order. */
  grads: tf.Tensor[];
  /** The state before `plan.carryAt`, detached (plain values): the next window's start state. */
  carried: RecurrentState;
}

/**
 * One truncated-BPTT gradient: advances `state` (the state before `plan.carriedAt`) without gradient to
 * `plan.gradStart`, then runs [gradStart, end) inside the gradient closure and averages the loss over the
 * positions [position, end) and the batch. The state handed to the closure is a leaf, so no gradient reaches
 * a previous window (tfjs has no stopGradient; detaching is running the carry outside the closure).
 * `state` is not disposed; every returned tensor is owned by the caller.
 */
export function windowGradients(
  model: RecurrentModel,
  stream: Stream,
  plan: WindowPlan,
  state: RecurrentState,
  options: { training?: boolean } = {},
): WindowGradients {
  const training = options.training ?? true;
  let start = state;
  if (plan.gradStart > plan.carriedAt) {
    const skip = stream.slice(plan.carriedAt, plan.gradStart);
    start = tf.tidy(() => model.forward(skip.inputs, state, { training }).finalState);
    tf.dispose([skip.inputs, skip.targets]);
  }
  const window = stream.slice(plan.gradStart, plan.end);
  const { inputs } = window;
  const targets = tf.slice(window.targets, plan.position - plan.gradStart, plan.end - plan.position);
  const split = plan.carryAt - plan.gradStart;
  const steps = plan.end - plan.gradStart;
  let carried: RecurrentState = [];
  // Loss positions start `lossOffset` steps into the window; steps before them are decoded by no one.
  const lossOffset = plan.position - plan.gradStart;
  const { value, grads } = tf.variableGrads(() => {
    const first = model.forward(split === steps ? inputs : tf.slice(inputs, 0, split), start, {
      training,
      decodeFrom: Math.min(lossOffset, split),
    });
    carried = first.finalState.map((s) => tf.keep(s.clone()));
    const parts: tf.Tensor[] = first.logits.shape[0] > 0 ? [first.logits] : [];
    if (split < steps) {
      const second = model.forward(tf.slice(inputs, split, steps - split), first.finalState, {
        training,
        decodeFrom: Math.max(0, lossOffset - split),
      });
      parts.push(second.logits);
    }
    if (parts.length === 1) return meanLoss(parts[0]!, targets, stream.targetKind);
    // The mean over all loss positions without concatenating the logits (a copy of [K, B, O] forward and
    // two slices backward): the parts' means weighted by their step counts, n₁/K · L₁ + n₂/K · L₂.
    const total = plan.end - plan.position;
    let offset = 0;
    const weighted = parts.map((part) => {
      const n = part.shape[0]!;
      const partTargets = tf.slice(targets, offset, n);
      offset += n;
      return tf.mul(meanLoss(part, partTargets, stream.targetKind), n / total);
    });
    return tf.addN(weighted) as tf.Scalar;
  }, model.variables);
  if (start !== state) tf.dispose(start);
  tf.dispose([inputs, window.targets, targets]);
  return { loss: value, grads: model.variables.map((v) => grads[v.name]!), carried };
}
