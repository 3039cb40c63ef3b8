import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { gruPointwise } from '../cells/gru-pointwise.js';
import { sigmoid, tanh } from './activations.js';
import { activeBackendHas, fusedKernelFunc } from './fused-kernel-config.js';
import { registerKernelPair } from './layer-kernel-registry.js';

/**
 * The GRU step's pointwise part as two fused kernels on the backend's memory (PyTorch's equations, gate
 * order r, z, n; gx = x W_ihᵀ + b_ih, gh = h W_hhᵀ + b_hh):
 *
 *     r = σ(gx_r + gh_r),  z = σ(gx_z + gh_z),  n = tanh(gx_n + r ⊙ gh_n),  h' = n + z ⊙ (h − n)
 *
 * Backward, given δh = ∂L/∂h':
 *
 *     δa_n = δh ⊙ (1 − z) ⊙ (1 − n²)          ∂L/∂gx_n = δa_n,   ∂L/∂gh_n = δa_n ⊙ r
 *     δa_r = δa_n ⊙ gh_n ⊙ r(1 − r)            ∂L/∂gx_r = ∂L/∂gh_r = δa_r
 *     δa_z = δh ⊙ (h − n) ⊙ z(1 − z)           ∂L/∂gx_z = ∂L/∂gh_z = δa_z
 *     ∂L/∂h = δh ⊙ z
 *
 * The forward kernel also outputs the activations [B, 3H] (r | z | n), which the gradient saves.
 */
export const GRU_CELL = 'TbpttGruCell';
export const GRU_CELL_GRAD = 'TbpttGruCellGrad';

/** inputs inputGates [B, 3H], hiddenGates [B, 3H], hPrev [B, H] -> outputs h [B, H], act [B, 3H]. */
const forwardKernel = fusedKernelFunc(
  ['inputGates', 'hiddenGates', 'hPrev'],
  ([inputGates, , hPrev]) => [hPrev!.shape, inputGates!.shape],
  ([gx, gh, hPrev], [h, act], [, , hShape]) => {
    const [batch, hidden] = hShape as [number, number];
    for (let b = 0; b < batch; b++) {
      const row = b * hidden;
      const gateRow = 3 * row;
      for (let j = 0; j < hidden; j++) {
        const gr = gateRow + j;
        const gz = gr + hidden;
        const gn = gz + hidden;
        const r = sigmoid(gx![gr]! + gh![gr]!);
        const z = sigmoid(gx![gz]! + gh![gz]!);
        const n = tanh(gx![gn]! + r * gh![gn]!);
        h![row + j] = n + z * (hPrev![row + j]! - n);
        act![gr] = r;
        act![gz] = z;
        act![gn] = n;
      }
    }
  },
);

/** inputs dh, act, hiddenGates, hPrev -> outputs dInputGates [B, 3H], dHiddenGates [B, 3H], dhPrev [B, H]. */
const backwardKernel = fusedKernelFunc(
  ['dh', 'act', 'hiddenGates', 'hPrev'],
  ([, act, , hPrev]) => [act!.shape, act!.shape, hPrev!.shape],
  ([dh, act, gh, hPrev], [dgx, dgh, dhPrev], [, , , hShape]) => {
    const [batch, hidden] = hShape as [number, number];
    for (let b = 0; b < batch; b++) {
      const row = b * hidden;
      const gateRow = 3 * row;
      for (let j = 0; j < hidden; j++) {
        const k = row + j;
        const gr = gateRow + j;
        const gz = gr + hidden;
        const gn = gz + hidden;
        const r = act![gr]!;
        const z = act![gz]!;
        const n = act![gn]!;
        const dhk = dh![k]!;
        const dan = dhk * (1 - z) * (1 - n * n);
        const dar = dan * gh![gn]! * r * (1 - r);
        const daz = dhk * (hPrev![k]! - n) * z * (1 - z);
        dgx![gr] = dar;
        dgh![gr] = dar;
        dgx![gz] = daz;
        dgh![gz] = daz;
        dgx![gn] = dan;
        dgh![gn] = dan * r;
        dhPrev![k] = dhk * z;
      }
    }
  },
);

const gradConfig: GradConfig = {
  kernelName: GRU_CELL,
  inputsToSave: ['hiddenGates', 'hPrev'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved) => {
    const [dh] = dys as Tensor[];
    const [hiddenGates, hPrev, act] = saved;
    const [dInputGates, dHiddenGates, dhPrev] = tf.engine().runKernel(GRU_CELL_GRAD, {
      dh: dh!,
      act: act!,
      hiddenGates: hiddenGates!,
      hPrev: hPrev!,
    }) as Tensor[];
    return { inputGates: () => dInputGates!, hiddenGates: () => dHiddenGates!, hPrev: () => dhPrev! };
  },
};

/** Registers the forward and backward kernels (wasm and cpu) and the gradient. Idempotent. */
export function registerGruCellKernels(): void {
  registerKernelPair(
    GRU_CELL,
    GRU_CELL_GRAD,
    () => forwardKernel,
    () => backwardKernel,
    gradConfig,
  );
}

/**
 * {@link gruPointwise} by the fused kernel where the active backend has it (wasm, cpu); otherwise the
 * plain-op version. Same signature and results (to float32 rounding); differentiable.
 */
export function fusedGruPointwise(
  inputGates: tf.Tensor2D,
  hiddenGates: tf.Tensor2D,
  hPrev: tf.Tensor2D,
): { h: tf.Tensor2D } {
  if (
    !activeBackendHas(GRU_CELL) ||
    inputGates.dtype !== 'float32' ||
    hiddenGates.dtype !== 'float32' ||
    hPrev.dtype !== 'float32'
  ) {
    return gruPointwise(inputGates, hiddenGates, hPrev);
  }
  const [batch, hidden] = hPrev.shape;
  for (const [name, t] of [
    ['inputGates', inputGates],
    ['hiddenGates', hiddenGates],
  ] as const) {
    if (t.shape[0] !== batch || t.shape[1] !== 3 * hidden) {
      throw new Error(
        `fusedGruPointwise: ${name} must be [B, 3H] = [${batch}, ${3 * hidden}] for hPrev [${batch}, ${hidden}], ` +
          `got [${t.shape}]`,
      );
    }
  }
  const [h, act] = tf.engine().runKernel(GRU_CELL, { inputGates, hiddenGates, hPrev }) as tf.Tensor2D[];
  act!.dispose();
  return { h: h! };
}
