import * as tf from '@tensorflow/tfjs-core';
import type { RecurrentCell } from './cell';
import { lstmPointwise } from './lstm-pointwise';

/**
 * LSTM cell (PyTorch's nn.LSTM, gate order i, f, g, o), state (h, c). Per step: one recurrent product
 * h W_hhᵀ added to the precomputed x W_ihᵀ + b_ih + b_hh, then the pointwise gates and state update
 * ({@link lstmPointwise}).
 */
export const lstmCell: RecurrentCell = {
  type: 'lstm',
  gateCount: 4,
  stateCount: 2,
  foldsHiddenBias: true,
  step(inputGates, state, { weightHhT }) {
    const [h, c] = state as [tf.Tensor2D, tf.Tensor2D];
    // [B, H] x [H, 4H] -> [B, 4H]
    const gates = tf.add(inputGates, tf.matMul(h, weightHhT)) as tf.Tensor2D;
    const next = lstmPointwise(gates, c);
    return [next.h, next.c];
  },
};
