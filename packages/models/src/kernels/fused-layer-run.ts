import * as tf from '@tensorflow/tfjs-core';
import type { LayerWeights, RecurrentCell } from '../cells/cell.js';
import type { LayerKernel, LayerRun } from '../cells/run-layer.js';
import type { CellType } from '../types.js';
import { gruLayerKernel } from './gru-layer-kernel.js';
import { hasLayerKernel, type LayerKernelDefinition, runLayerKernel } from './layer-kernel.js';
import { lstmLayerKernel } from './lstm-layer-kernel.js';
import { rnnLayerKernels } from './rnn-layer-kernel.js';
import { layerInputProjection } from './simd/layer-input-projection.js';

/** The whole-layer kernel of each cell type. */
export const LAYER_KERNELS: Readonly<Record<CellType, LayerKernelDefinition>> = Object.freeze({
  lstm: lstmLayerKernel,
  gru: gruLayerKernel,
  rnn_tanh: rnnLayerKernels.tanh,
  rnn_relu: rnnLayerKernels.relu,
});

/**
 * The {@link LayerKernel} this package installs (`setLayerKernel`): `runLayer` by a whole-layer kernel, for
 * any cell (LSTM, GRU, RNN), with or without probes (the one-pass profile adds a zero probe to every step's
 * carried state), on a backend with the kernels (wasm, cpu). Returns null otherwise, and the caller runs the
 * per-step path.
 *
 * Same contract as `runLayer`: input [T·B, in] step-major, state components each [B, H]; outputs [T·B, H].
 */
export const fusedLayerRun: LayerKernel = (
  cell: RecurrentCell,
  input: tf.Tensor2D,
  weights: LayerWeights,
  state: readonly tf.Tensor2D[],
  probes: readonly (readonly tf.Tensor2D[])[] | undefined,
  stateAfter?: number,
): LayerRun | null => {
  const kernel = LAYER_KERNELS[cell.type];
  if (!hasLayerKernel(kernel)) return null;
  // Probes: probes[t][k] [B, H], stacked per state component:
  // T x [B, H] -> [T, B, H] -> [T·B, H] (stack's gradient is one Unpack; concat's, a split, copies per step)
  const stacked = (k: number) =>
    tf.reshape(tf.stack(probes!.map((p) => p[k]!)), [-1, probes![0]![k]!.shape[1]]) as tf.Tensor2D;
  // [G·H, H] -> [H, G·H]
  const weightHhT = tf.transpose(weights.weightHh) as tf.Tensor2D;
  // b_hh folds into the input projection except for the GRU (r multiplies W_hn h + b_hn).
  const bias = (
    cell.foldsHiddenBias ? tf.add(weights.biasIh, weights.biasHh) : weights.biasIh
  ) as tf.Tensor1D;
  // [T·B, in] x [G·H, in]ᵀ + [G·H] -> [T·B, G·H]: on wasm by SIMD kernels that give ∂b in the same pass as ∂W
  // (the copy step 1.2–1.3× faster than tf.fused.matMul, whose gradient transposes and sums separately).
  const inputGates = layerInputProjection(input, weights.weightIh, bias);
  const lstm = cell.stateCount === 2;
  const { outputs, h, c, stateAt } = runLayerKernel(
    kernel,
    {
      inputGates,
      weightHhT,
      h0: state[0]!,
      ...(lstm ? { c0: state[1]! } : {}),
      ...(cell.foldsHiddenBias ? {} : { biasHh: weights.biasHh }),
      ...(probes != null ? { probes: lstm ? { h: stacked(0), c: stacked(1) } : { h: stacked(0) } } : {}),
    },
    stateAfter === undefined ? {} : { stateAt: stateAfter },
  );
  const finalState = lstm ? [h, c!] : [h];
  return stateAt === undefined ? { outputs, finalState } : { outputs, finalState, stateAt };
};
