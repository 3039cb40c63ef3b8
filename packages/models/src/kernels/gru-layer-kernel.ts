import type * as tf from '@tensorflow/tfjs-core';
import { gruLayerMath } from './gru-layer-impl.js';
import { defineLayerKernel, type LayerKernelDefinition, runLayerKernel } from './layer-kernel.js';

/** The whole-layer GRU kernel (`TbpttGruLayer`, `TbpttGruLayerGrad`); its math in gru-layer-impl.ts. */
export const gruLayerKernel: LayerKernelDefinition = defineLayerKernel(
  'TbpttGruLayer',
  'gruLayer',
  gruLayerMath,
);

/** A GRU layer's kernel inputs (G = 3, gate order r, z, n). */
export interface GruLayerInputs {
  /** X = x W_ihᵀ + b_ih [T·B, 3H] */
  inputGates: tf.Tensor2D;
  /** W_hhᵀ [H, 3H] */
  weightHhT: tf.Tensor2D;
  /** b_hh [3H] */
  biasHh: tf.Tensor1D;
  h0: tf.Tensor2D;
  probes?: { h: tf.Tensor2D };
}

/**
 * A GRU layer over a window as one kernel (wasm, cpu; see `hasLayerKernel`), differentiable with respect to
 * every input. Returns h_0 … h_{T−1} [T·B, H] and the final carried h [B, H].
 */
export function gruLayer(inputs: GruLayerInputs): { outputs: tf.Tensor2D; h: tf.Tensor2D } {
  return runLayerKernel(gruLayerKernel, inputs);
}
