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
  // Loss positions start `lossOffset` steps into the window; steps before them are decoded by no one.
  const lossOffset = plan.position - plan.gradStart;
  const pass = { inputs, targets, start, split, steps, lossOffset, training };
  const midway = split < steps;
  let result: PassResult | null = null;
  if (!midway || !WITHOUT_STATE_AT.has(model)) {
    // A refused attempt must leave no trace: its dropout draws are taken back, so that a run (or a resumed
    // run, whose new model tries once more) draws the same masks as one that never tried.
    const rng = midway ? model.getRngState() : null;
    result = onePass(model, stream, pass, midway);
    if (result === null) {
      WITHOUT_STATE_AT.add(model);
      model.setRngState(rng!);
    }
  }
  result ??= twoPasses(model, stream, pass);
  const { value, grads, carried } = result;
  if (start !== state) tf.dispose(start);
  tf.dispose([inputs, window.targets, targets]);
  return { loss: value, grads: model.variables.map((v) => grads[v.name]!), carried };
}

interface Pass {
  inputs: tf.Tensor;
  targets: tf.Tensor;
  start: RecurrentState;
  split: number;
  steps: number;
  lossOffset: number;
  training: boolean;
}

interface PassResult {
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
  carried: RecurrentState;
}

/** Models whose forward gave no `stateAt` (a custom RecurrentModel): their windows run in two passes. */
const WITHOUT_STATE_AT = new WeakSet<RecurrentModel>();

/**
 * One pass over the whole window; the state the next window starts from (before carryAt) is read off the same
 * pass (`stateAt`) when the window carries from mid-way. Null, with everything disposed, when the model
 * returned no `stateAt`.
 */
function onePass(model: RecurrentModel, stream: Stream, p: Pass, midway: boolean): PassResult | null {
  let carried: RecurrentState | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const run = model.forward(p.inputs, p.start, {
      training: p.training,
      decodeFrom: p.lossOffset,
      ...(midway ? { stateAt: p.split } : {}),
    });
    const next = midway ? run.stateAt : run.finalState;
    if (next !== undefined) carried = next.map((s) => tf.keep(s.clone()));
    return meanLoss(run.logits, p.targets, stream.targetKind);
  }, model.variables);
  if (carried === null) {
    tf.dispose([value, ...Object.values(grads)]);
    return null;
  }
  return { value, grads, carried };
}

/**
 * The window as two forward calls, [gradStart, carryAt) and [carryAt, end), inside one gradient closure: the
 * first call's final state is the carried state. For models without `stateAt`; the same gradient.
 */
function twoPasses(model: RecurrentModel, stream: Stream, p: Pass): PassResult {
  let carried: RecurrentState = [];
  const { value, grads } = tf.variableGrads(() => {
    const first = model.forward(tf.slice(p.inputs, 0, p.split), p.start, {
      training: p.training,
      decodeFrom: Math.min(p.lossOffset, p.split),
    });
    carried = first.finalState.map((s) => tf.keep(s.clone()));
    const second = model.forward(tf.slice(p.inputs, p.split, p.steps - p.split), first.finalState, {
      training: p.training,
      decodeFrom: Math.max(0, p.lossOffset - p.split),
    });
    const parts = [first.logits, second.logits].filter((part) => part.shape[0] > 0);
    // The mean over all loss positions without concatenating the logits: the parts' means weighted by their
    // step counts, n₁/K · L₁ + n₂/K · L₂.
    const total = p.steps - p.lossOffset;
    let offset = 0;
    const weighted = parts.map((part) => {
      const n = part.shape[0]!;
      const partTargets = tf.slice(p.targets, offset, n);
      offset += n;
      return tf.mul(meanLoss(part, partTargets, stream.targetKind), n / total);
    });
    return (weighted.length === 1 ? weighted[0]! : tf.addN(weighted)) as tf.Scalar;
  }, model.variables);
  return { value, grads, carried };
}
