import * as tf from '@tensorflow/tfjs-core';
import type { LayerWeights, RecurrentCell } from '../cells/cell.js';
import type { LayerKernel, LayerRun } from '../cells/run-layer.js';
import { fusedLstmLayer, hasFusedLstmLayer } from './lstm-layer-kernel.js';

/**
 * The {@link LayerKernel} this package installs (`setLayerKernel`): `runLayer` by a whole-layer kernel when one applies: an LSTM layer, no probes (the one-pass profile
 * adds a probe to every step's state, which the per-step path handles), on a backend with the kernel
 * (wasm, cpu). Returns null otherwise, and the caller runs the per-step path.
 *
 * Same contract as `runLayer`: input [T·B, in] step-major, state [h, c] each [B, H]; outputs [T·B, H].
 */
export const fusedLayerRun: LayerKernel = (
  cell: RecurrentCell,
  input: tf.Tensor2D,
  weights: LayerWeights,
  state: readonly tf.Tensor2D[],
  probes: unknown,
): LayerRun | null => {
  if (cell.type !== 'lstm' || probes != null || !hasFusedLstmLayer()) return null;
  // [4H, in] -> [in, 4H];  [4H, H] -> [H, 4H]
  const weightIhT = tf.transpose(weights.weightIh) as tf.Tensor2D;
  const weightHhT = tf.transpose(weights.weightHh) as tf.Tensor2D;
  // [T·B, in] x [in, 4H] + [4H] -> [T·B, 4H]  (b_hh folds into the input projection for an LSTM)
  const inputGates = tf.fused.matMul({
    a: input,
    b: weightIhT,
    bias: tf.add(weights.biasIh, weights.biasHh),
  });
  const { outputs, h, c } = fusedLstmLayer(inputGates as tf.Tensor2D, weightHhT, state[0]!, state[1]!);
  return { outputs, finalState: [h, c] };
};
