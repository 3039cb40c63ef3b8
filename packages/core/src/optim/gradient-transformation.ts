import * as tf from '@tensorflow/tfjs-core';

/** A trainable variable with the name its optimiser slots are saved under (PyTorch state_dict names). */
export interface NamedParameter {
  name: string;
  variable: tf.Variable;
}

/**
 * The state of one transformation: an update counter and named slot tensors (`<parameter>.<slot>`, the names a
 * checkpoint saves them under). Plain data plus tensors the state owns.
 */
export interface TransformState {
  readonly step: number;
  readonly slots: ReadonlyMap<string, tf.Tensor>;
}

/** What every transformation of an update sees besides the gradients. */
export interface UpdateContext {
  /** θ, in the order of the gradients. */
  parameters: readonly NamedParameter[];
  /** Loss positions of the window (K for full windows): clipping over the summed loss divides by it. */
  lossPositions: number;
  /** The learning rate of this update (base × scaling(K) × the controller's scale × plateau decay). */
  learningRate: number;
  /** ‖g‖₂ of the incoming gradients when the engine has measured it already. */
  gradNorm?: number;
}

/**
 * One stage of the optimisation chain, in the shape of optax's `GradientTransformation`: `init` builds its
 * state for the parameters, `update` maps gradients (or the previous stage's output) and its state to
 * outputs and the next state. `update` consumes the state it is given (its replaced tensors are disposed) and
 * never disposes `grads`; the caller owns the returned tensors.
 */
export interface GradientTransformation {
  readonly name: string;
  init(parameters: readonly NamedParameter[]): TransformState;
  update(
    grads: readonly tf.Tensor[],
    state: TransformState,
    context: UpdateContext,
  ): { updates: tf.Tensor[]; state: TransformState };
}

/** A chain's state: one state per stage, in order. */
export type ChainState = readonly TransformState[];

/** Stages run in order, each on the previous one's output (optax's `chain`). */
export interface Chain {
  readonly stages: readonly GradientTransformation[];
  init(parameters: readonly NamedParameter[]): ChainState;
  update(
    grads: readonly tf.Tensor[],
    state: ChainState,
    context: UpdateContext,
  ): { updates: tf.Tensor[]; state: ChainState };
}

export function chain(...stages: GradientTransformation[]): Chain {
  return {
    stages,
    init: (parameters) => stages.map((stage) => stage.init(parameters)),
    update(grads, state, context) {
      if (state.length !== stages.length) {
        throw new Error(`chain.update: got ${state.length} stage states for ${stages.length} stages`);
      }
      let current: readonly tf.Tensor[] = grads;
      const next: TransformState[] = [];
      stages.forEach((stage, i) => {
        const out = stage.update(current, state[i]!, context);
        if (current !== grads) tf.dispose(current as tf.Tensor[]);
        current = out.updates;
        next.push(out.state);
      });
      return {
        updates: current === grads ? grads.map((g) => tf.clone(g)) : (current as tf.Tensor[]),
        state: next,
      };
    },
  };
}

/** θ ← θ + u for every parameter (the updates already carry the sign and the learning rate). */
export function applyUpdates(parameters: readonly NamedParameter[], updates: readonly tf.Tensor[]): void {
  checkCount('applyUpdates', updates, parameters);
  tf.tidy(() => {
    parameters.forEach((p, i) => {
      p.variable.assign(tf.add(p.variable, updates[i]!));
    });
  });
}

/** Disposes every tensor a chain state holds. */
export function disposeChainState(state: ChainState): void {
  for (const stage of state) tf.dispose([...stage.slots.values()]);
}

/** A deep copy of a chain state (new tensors), e.g. to keep the last good state. */
export function cloneChainState(state: ChainState): ChainState {
  return state.map((stage) => ({
    step: stage.step,
    slots: new Map([...stage.slots].map(([name, t]) => [name, tf.keep(tf.clone(t))])),
  }));
}

/** A stateless stage's state. */
export const EMPTY_STATE: TransformState = { step: 0, slots: new Map() };

export function checkCount(
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
