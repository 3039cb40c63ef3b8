import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type LstmStepState, lstmPointwise } from '../cells/lstm-pointwise.js';
import { sigmoid, tanh } from './activations.js';
import { activeBackendHas, fusedKernelFunc } from './fused-kernel-config.js';
import { registerKernelPair } from './layer-kernel-registry.js';

/**
 * The LSTM step's pointwise part as two fused kernels, one loop each over [B, H] on the backend's memory,
 * in place of ≈ 12 tfjs kernels forward and ≈ 25 backward. PyTorch's gate order i, f, g, o:
 *
 *     i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
 *     c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
 *
 * Backward, given ∂L/∂h' and ∂L/∂c' (δh, δc):
 *
 *     δc̃ = δc + δh ⊙ o ⊙ (1 − tanh²c')          (total adjoint of c')
 *     δa_i = δc̃ ⊙ g ⊙ i(1 − i),   δa_f = δc̃ ⊙ c ⊙ f(1 − f)
 *     δa_g = δc̃ ⊙ i ⊙ (1 − g²),   δa_o = δh ⊙ tanh c' ⊙ o(1 − o)
 *     ∂L/∂c = δc̃ ⊙ f
 *
 * The forward kernel also outputs the activated gates [B, 4H] (i | f | g | o), which the gradient saves.
 */
export const LSTM_CELL = 'TbpttLstmCell';
export const LSTM_CELL_GRAD = 'TbpttLstmCellGrad';

/** inputs gates [B, 4H], cPrev [B, H] -> outputs h [B, H], c [B, H], act [B, 4H]. */
const forwardKernel = fusedKernelFunc(
  ['gates', 'cPrev'],
  ([gates, cPrev]) => [cPrev!.shape, cPrev!.shape, gates!.shape],
  ([gates, cPrev], [h, c, act], [, cShape]) => {
    const [batch, hidden] = cShape as [number, number];
    for (let b = 0; b < batch; b++) {
      const row = b * hidden;
      const gateRow = 4 * row;
      for (let j = 0; j < hidden; j++) {
        const gi = gateRow + j;
        const i = sigmoid(gates![gi]!);
        const f = sigmoid(gates![gi + hidden]!);
        const g = tanh(gates![gi + 2 * hidden]!);
        const o = sigmoid(gates![gi + 3 * hidden]!);
        const cNew = f * cPrev![row + j]! + i * g;
        c![row + j] = cNew;
        h![row + j] = o * tanh(cNew);
        act![gi] = i;
        act![gi + hidden] = f;
        act![gi + 2 * hidden] = g;
        act![gi + 3 * hidden] = o;
      }
    }
  },
);

/** inputs dh, dc, act, c, cPrev -> outputs dGates [B, 4H], dcPrev [B, H]. */
const backwardKernel = fusedKernelFunc(
  ['dh', 'dc', 'act', 'c', 'cPrev'],
  ([, , act, , cPrev]) => [act!.shape, cPrev!.shape],
  ([dh, dc, act, c, cPrev], [dGates, dcPrev], [, , , , cShape]) => {
    const [batch, hidden] = cShape as [number, number];
    for (let b = 0; b < batch; b++) {
      const row = b * hidden;
      const gateRow = 4 * row;
      for (let j = 0; j < hidden; j++) {
        const k = row + j;
        const gi = gateRow + j;
        const i = act![gi]!;
        const f = act![gi + hidden]!;
        const g = act![gi + 2 * hidden]!;
        const o = act![gi + 3 * hidden]!;
        const tc = tanh(c![k]!);
        const dhk = dh![k]!;
        const dcTotal = dc![k]! + dhk * o * (1 - tc * tc);
        dGates![gi] = dcTotal * g * i * (1 - i);
        dGates![gi + hidden] = dcTotal * cPrev![k]! * f * (1 - f);
        dGates![gi + 2 * hidden] = dcTotal * i * (1 - g * g);
        dGates![gi + 3 * hidden] = dhk * tc * o * (1 - o);
        dcPrev![k] = dcTotal * f;
      }
    }
  },
);

const gradConfig: GradConfig = {
  kernelName: LSTM_CELL,
  inputsToSave: ['cPrev'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved) => {
    const [dh, dc] = dys as Tensor[];
    const [cPrev, c, act] = saved;
    // One kernel gives both input gradients; the closures hand them out.
    const [dGates, dcPrev] = tf.engine().runKernel(LSTM_CELL_GRAD, {
      dh: dh!,
      dc: dc!,
      act: act!,
      c: c!,
      cPrev: cPrev!,
    }) as Tensor[];
    return { gates: () => dGates!, cPrev: () => dcPrev! };
  },
};

/** Registers the forward and backward kernels (wasm and cpu) and the gradient. Idempotent. */
export function registerLstmCellKernels(): void {
  registerKernelPair(
    LSTM_CELL,
    LSTM_CELL_GRAD,
    () => forwardKernel,
    () => backwardKernel,
    gradConfig,
  );
}

/**
 * {@link lstmPointwise} by the fused kernel where the active backend has it (wasm, cpu, after
 * `selectBackend` or {@link registerLstmCellKernels}); otherwise the plain-op version. Same signature
 * and results (to float32 rounding); differentiable.
 */
export function fusedLstmPointwise(gates: tf.Tensor2D, cPrev: tf.Tensor2D): LstmStepState {
  if (!activeBackendHas(LSTM_CELL) || gates.dtype !== 'float32' || cPrev.dtype !== 'float32') {
    return lstmPointwise(gates, cPrev);
  }
  const [batch, hidden] = cPrev.shape;
  if (gates.shape[0] !== batch || gates.shape[1] !== 4 * hidden) {
    throw new Error(
      `fusedLstmPointwise: gates must be [B, 4H] = [${batch}, ${4 * hidden}] for cPrev [${batch}, ${hidden}], ` +
        `got [${gates.shape}]`,
    );
  }
  const [h, c, act] = tf.engine().runKernel(LSTM_CELL, { gates, cPrev }) as tf.Tensor2D[];
  // The gradient keeps its own reference to the activated gates; nothing else needs them.
  act!.dispose();
  return { h: h!, c: c! };
}
