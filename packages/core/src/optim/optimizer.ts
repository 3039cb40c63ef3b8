import type * as tf from '@tensorflow/tfjs-core';

/** A trainable variable with the name its optimiser slots are saved under (PyTorch state_dict names). */
export interface NamedParameter {
  name: string;
  variable: tf.Variable;
}

/**
 * An optimiser written on tf.Variables so that every slot is a named tensor a checkpoint can save.
 * Weight decay λ is coupled (PyTorch's `weight_decay`): the gradient becomes g + λθ before the update.
 */
export interface Optimizer {
  readonly name: OptimizerName;
  /** One update θ ← θ − lr·u(g); `grads[i]` pairs with `parameters[i]`. Does not dispose `grads`. */
  apply(grads: readonly tf.Tensor[], learningRate: number): void;
  /** Slot variables by name (`<parameter>.<slot>`), for checkpoints. */
  slots(): ReadonlyMap<string, tf.Variable>;
  /** Updates applied so far (Adam's bias correction uses it). */
  getStep(): number;
  setStep(step: number): void;
  dispose(): void;
}

export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adadelta';

export interface OptimizerSpec {
  name: OptimizerName;
  /** Coupled L2 weight decay λ ≥ 0. Default 0. */
  weightDecay?: number;
  /** Momentum μ (momentum). Default 0.9: the usual heavy-ball value. */
  momentum?: number;
  /** Adam β₁, β₂, ε. Defaults 0.9, 0.999, 1e-8 (Kingma & Ba). */
  beta1?: number;
  beta2?: number;
  /** ε for Adam (default 1e-8) and Adadelta (default 1e-6, PyTorch's). */
  epsilon?: number;
  /** Adadelta ρ. Default 0.9 (PyTorch's). */
  rho?: number;
}
