import * as tf from '@tensorflow/tfjs-core';
import type { LayerWeights, RecurrentCell } from '../cells/cell.js';
import type { LayerKernel, LayerRun } from '../cells/run-layer.js';
import { fusedGruLayer, hasFusedGruLayer } from './gru-layer-kernel.js';
import { fusedLstmLayer, hasFusedLstmLayer } from './lstm-layer-kernel.js';
import { fusedRnnLayer, hasFusedRnnLayer } from './rnn-layer-kernel.js';

/**
 * The {@link LayerKernel} this package installs (`setLayerKernel`): `runLayer` by a whole-layer kernel when
 * one applies: any cell (LSTM, GRU, RNN), with or without probes (the one-pass profile adds a zero probe to
 * every step's carried state), on a backend with the kernels (wasm, cpu). Returns null otherwise, and the
 * caller runs the per-step path.
 *
 * Same contract as `runLayer`: input [T·B, in] step-major, state components each [B, H]; outputs [T·B, H].
 */
export const fusedLayerRun: LayerKernel = (
  cell: RecurrentCell,
  input: tf.Tensor2D,
  weights: LayerWeights,
  state: readonly tf.Tensor2D[],
  probes: unknown,
): LayerRun | null => {
  // Probes: probes[t][k] [B, H], stacked per state component into [T·B, H].
  const stepProbes = probes as readonly (readonly tf.Tensor2D[])[] | undefined;
  const stacked = (k: number) =>
    stepProbes != null
      ? // T x [B, H] -> [T, B, H] -> [T·B, H]: stack, whose gradient is one Unpack (concat's, a split, copies
        // the whole input once per step on wasm)
        (tf.reshape(tf.stack(stepProbes.map((p) => p[k]!)), [-1, stepProbes[0]![k]!.shape[1]]) as tf.Tensor2D)
      : undefined;
  const available =
    cell.type === 'lstm'
      ? hasFusedLstmLayer()
      : cell.type === 'gru'
        ? hasFusedGruLayer()
        : hasFusedRnnLayer();
  if (!available) return null;
  // [G·H, in] -> [in, G·H];  [G·H, H] -> [H, G·H]
  const weightIhT = tf.transpose(weights.weightIh) as tf.Tensor2D;
  const weightHhT = tf.transpose(weights.weightHh) as tf.Tensor2D;
  // b_hh folds into the input projection except for the GRU (r multiplies W_hn h + b_hn).
  const bias = cell.type === 'gru' ? weights.biasIh : tf.add(weights.biasIh, weights.biasHh);
  // [T·B, in] x [in, G·H] + [G·H] -> [T·B, G·H]
  const inputGates = tf.fused.matMul({ a: input, b: weightIhT, bias }) as tf.Tensor2D;
  if (cell.type === 'lstm') {
    // T x [B, H] -> [T·B, H], per state component (h, c)
    const lstmProbes = stepProbes != null ? { h: stacked(0)!, c: stacked(1)! } : undefined;
    const { outputs, h, c } = fusedLstmLayer(inputGates, weightHhT, state[0]!, state[1]!, lstmProbes);
    return { outputs, finalState: [h, c] };
  }
  if (cell.type === 'gru') {
    const { outputs, h } = fusedGruLayer(inputGates, weightHhT, weights.biasHh, state[0]!, stacked(0));
    return { outputs, finalState: [h] };
  }
  const { outputs, h } = fusedRnnLayer(
    inputGates,
    weightHhT,
    state[0]!,
    cell.type === 'rnn_relu' ? 'relu' : 'tanh',
    stacked(0),
  );
  return { outputs, finalState: [h] };
};
