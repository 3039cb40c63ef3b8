import * as tf from '@tensorflow/tfjs-core';
import type { RecurrentCell } from './cell';
import { gruPointwise } from './gru-pointwise';

/**
 * GRU cell (PyTorch's nn.GRU, gate order r, z, n, with n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))),
 * state (h). Per step: one recurrent product h W_hhᵀ + b_hh (kept apart from the input gates, since r
 * multiplies its n block), then the pointwise update ({@link gruPointwise}).
 */
export const gruCell: RecurrentCell = {
  type: 'gru',
  gateCount: 3,
  stateCount: 1,
  foldsHiddenBias: false,
  step(inputGates, state, { weightHhT, biasHh }) {
    const [h] = state as [tf.Tensor2D];
    // [B, H] x [H, 3H] + [3H] -> [B, 3H]
    const hiddenGates = tf.fused.matMul({ a: h, b: weightHhT, bias: biasHh }) as tf.Tensor2D;
    return [gruPointwise(inputGates, hiddenGates, h).h];
  },
};
