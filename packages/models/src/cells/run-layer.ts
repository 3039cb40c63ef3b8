import * as tf from '@tensorflow/tfjs-core';
import { matMulBias } from '../internal/mat-mul-bias';
import type { LayerWeights, RecurrentCell } from './cell';

/** Result of one layer over a window. */
export interface LayerRun {
  /** Hidden state of every step, step-major: [T·B, H] (row t·B + b is step t, column b). */
  outputs: tf.Tensor2D;
  /** State components after the last step, each [B, H]. */
  finalState: tf.Tensor2D[];
  /** The state after the first `stateAfter` steps, when {@link runLayer} (or the kernel) was asked for it. */
  stateAt?: tf.Tensor2D[];
}

/**
 * A whole-layer implementation (e.g. a fused kernel that loops over the steps inside one kernel call), tried
 * before the per-step path with the same arguments as {@link runLayer} (T = input rows / batch). Returns
 * null to decline (unsupported cell, probes present, backend without the kernel). Given `stateAfter` s with
 * 0 < s < T, it returns `stateAt` too: the state after the first s steps.
 */
export type LayerKernel = (
  cell: RecurrentCell,
  input: tf.Tensor2D,
  weights: LayerWeights,
  state: readonly tf.Tensor2D[],
  probes: readonly (readonly tf.Tensor2D[])[] | undefined,
  stateAfter?: number,
) => LayerRun | null;

let layerKernel: LayerKernel | null = null;

/** Installs (or, with null, removes) the whole-layer kernel; returns the previous one. */
export function setLayerKernel(kernel: LayerKernel | null): LayerKernel | null {
  const previous = layerKernel;
  layerKernel = kernel;
  return previous;
}

/**
 * Runs one recurrent layer over a window of T steps (by the installed {@link LayerKernel} when it accepts).
 *
 * Speed by construction: the input projection of all T steps is one matrix product
 * ([T·B, in] x [in, G·H]); each step adds one recurrent product ([B, H] x [H, G·H]) and the cell's pointwise
 * part. W_ih and W_hh are transposed once per window so that no product inside the loop transposes.
 *
 * @param cell the cell type
 * @param input layer input, step-major [T·B, in]
 * @param steps T
 * @param weights the layer's weights in PyTorch layout
 * @param state previous state components of this layer, each [B, H]
 * @param probes optional probes[t][k] [B, H], added to state component k right after step t: the sum is the
 *   state step t+1 reads (and `finalState`), so ∂L/∂probe = ∂L/∂(state after step t) through the recurrence.
 *   `outputs` stay un-probed: the layer above reads h_t itself at the same step (the caller adds the top
 *   layer's probe to what the decoder reads).
 * @param stateAfter optional s in [0, T]: also return `stateAt`, the state after steps 0 … s − 1 (the state
 *   itself for s = 0), read off the same pass (a window that carries its state from mid-way runs once).
 */
export function runLayer(
  cell: RecurrentCell,
  input: tf.Tensor2D,
  steps: number,
  weights: LayerWeights,
  state: readonly tf.Tensor2D[],
  probes?: readonly (readonly tf.Tensor2D[])[],
  stateAfter?: number,
): LayerRun {
  // s = 0 and s = T need nothing of the kernel: the state itself and the final state.
  const midway = stateAfter !== undefined && stateAfter > 0 && stateAfter < steps;
  const whole = layerKernel?.(cell, input, weights, state, probes, midway ? stateAfter : undefined);
  if (whole != null) {
    if (stateAfter === undefined) return whole;
    if (!midway) {
      const at = stateAfter === 0 ? state : whole.finalState;
      return { ...whole, stateAt: at.map((s) => s.clone()) };
    }
    if (whole.stateAt === undefined) {
      throw new Error(
        'runLayer: the installed layer kernel returned no stateAt for stateAfter = ' +
          `${stateAfter}; return LayerRun.stateAt from the kernel (setLayerKernel) or remove it`,
      );
    }
    return whole;
  }
  const gateWidth = weights.weightIh.shape[0];
  const batch = input.shape[0] / steps;
  // [G·H, in] -> [in, G·H];  [G·H, H] -> [H, G·H]
  const weightIhT = tf.transpose(weights.weightIh) as tf.Tensor2D;
  const weightHhT = tf.transpose(weights.weightHh) as tf.Tensor2D;
  const bias = cell.foldsHiddenBias ? tf.add(weights.biasIh, weights.biasHh) : weights.biasIh;
  // [T·B, in] x [in, G·H] + [G·H] -> [T·B, G·H]
  const projected = matMulBias(input, weightIhT, bias as tf.Tensor1D);
  // [T·B, G·H] -> [T, B, G·H] -> T x [B, G·H]
  // (tfjs's Unpack gradient fails for a single output, hence the reshape when T = 1)
  const inputGates =
    steps === 1
      ? [tf.reshape(projected, [batch, gateWidth]) as tf.Tensor2D]
      : (tf.unstack(tf.reshape(projected, [steps, batch, gateWidth])) as tf.Tensor2D[]);
  const stepWeights = { weightHhT, biasHh: weights.biasHh };
  let current: tf.Tensor2D[] = [...state];
  // Clones: stateAt is its own tensors, whatever the caller disposes.
  let stateAt: tf.Tensor2D[] | undefined = stateAfter === 0 ? current.map((s) => s.clone()) : undefined;
  const hidden: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    current = cell.step(inputGates[t]!, current, stepWeights);
    hidden.push(current[0]!);
    const stepProbes = probes?.[t];
    if (stepProbes !== undefined) {
      current = current.map((component, k) => tf.add(component, stepProbes[k]!) as tf.Tensor2D);
    }
    if (t + 1 === stateAfter) stateAt = current.map((s) => s.clone());
  }
  // T x [B, H] -> [T·B, H]
  const outputs = hidden.length === 1 ? hidden[0]! : (tf.concat(hidden, 0) as tf.Tensor2D);
  return stateAt === undefined ? { outputs, finalState: current } : { outputs, finalState: current, stateAt };
}
