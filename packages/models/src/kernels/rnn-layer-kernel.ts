import type * as tf from '@tensorflow/tfjs-core';
import type { RnnNonlinearity } from '../cells/rnn-pointwise.js';
import { defineLayerKernel, type LayerKernelDefinition, runLayerKernel } from './layer-kernel.js';
import { rnnReluLayerMath, rnnTanhLayerMath } from './rnn-layer-impl.js';

/** The whole-layer Elman RNN kernels (`TbpttRnnTanhLayer`, `TbpttRnnReluLayer` and their `…Grad`). */
export const rnnLayerKernels: Readonly<Record<RnnNonlinearity, LayerKernelDefinition>> = Object.freeze({
  tanh: defineLayerKernel('TbpttRnnTanhLayer', 'rnnLayer', rnnTanhLayerMath),
  relu: defineLayerKernel('TbpttRnnReluLayer', 'rnnLayer', rnnReluLayerMath),
});

/** An Elman RNN layer's kernel inputs (G = 1). */
export interface RnnLayerInputs {
  /** X = x W_ihᵀ + b_ih + b_hh [T·B, H] */
  inputGates: tf.Tensor2D;
  /** W_hhᵀ [H, H] */
  weightHhT: tf.Tensor2D;
  h0: tf.Tensor2D;
  nonlinearity: RnnNonlinearity;
  probes?: { h: tf.Tensor2D };
}

/**
 * An Elman RNN layer over a window as one kernel (wasm, cpu; see `hasLayerKernel`), differentiable with
 * respect to every input. Returns h_0 … h_{T−1} [T·B, H] and the final carried h [B, H].
 */
export function rnnLayer(inputs: RnnLayerInputs): { outputs: tf.Tensor2D; h: tf.Tensor2D } {
  const kernel = rnnLayerKernels[inputs.nonlinearity];
  if (kernel == null) {
    throw new Error(
      `rnnLayer: nonlinearity must be "tanh" or "relu", got ${JSON.stringify(inputs.nonlinearity)}`,
    );
  }
  return runLayerKernel(kernel, inputs);
}
