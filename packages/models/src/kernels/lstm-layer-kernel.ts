import type * as tf from '@tensorflow/tfjs-core';
import { defineLayerKernel, type LayerKernelDefinition, runLayerKernel } from './layer-kernel.js';
import { lstmLayerMath } from './lstm-layer-impl.js';

/** The whole-layer LSTM kernel (`TbpttLstmLayer`, `TbpttLstmLayerGrad`); its math in lstm-layer-impl.ts. */
export const lstmLayerKernel: LayerKernelDefinition = defineLayerKernel(
  'TbpttLstmLayer',
  'lstmLayer',
  lstmLayerMath,
);

/** An LSTM layer's kernel inputs (G = 4, gate order i, f, g, o). */
export interface LstmLayerInputs {
  /** X = x W_ihᵀ + b_ih + b_hh [T·B, 4H] */
  inputGates: tf.Tensor2D;
  /** W_hhᵀ [H, 4H] */
  weightHhT: tf.Tensor2D;
  h0: tf.Tensor2D;
  c0: tf.Tensor2D;
  probes?: { h: tf.Tensor2D; c: tf.Tensor2D };
}

/**
 * An LSTM layer over a window as one kernel (wasm, cpu; see `hasLayerKernel`), differentiable with respect
 * to every input. Returns h_0 … h_{T−1} [T·B, H] and the final carried h, c [B, H].
 */
export function lstmLayer(inputs: LstmLayerInputs): { outputs: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } {
  const { outputs, h, c } = runLayerKernel(lstmLayerKernel, inputs);
  return { outputs, h, c: c! };
}
