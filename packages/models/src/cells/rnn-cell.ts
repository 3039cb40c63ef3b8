import * as tf from '@tensorflow/tfjs-core';
import type { RecurrentCell } from './cell';
import { type RnnNonlinearity, rnnPointwise } from './rnn-pointwise';

function elmanCell(nonlinearity: RnnNonlinearity): RecurrentCell {
  return {
    type: nonlinearity === 'tanh' ? 'rnn_tanh' : 'rnn_relu',
    gateCount: 1,
    stateCount: 1,
    foldsHiddenBias: true,
    step(inputGates, state, { weightHhT }) {
      const [h] = state as [tf.Tensor2D];
      // [B, H] x [H, H] -> [B, H]
      const preActivation = tf.add(inputGates, tf.matMul(h, weightHhT)) as tf.Tensor2D;
      return [rnnPointwise(preActivation, nonlinearity).h];
    },
  };
}

/** Elman RNN cell with tanh (PyTorch's nn.RNN default): h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export const rnnTanhCell: RecurrentCell = elmanCell('tanh');

/** Elman RNN cell with relu (nn.RNN(nonlinearity='relu')): h' = relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). */
export const rnnReluCell: RecurrentCell = elmanCell('relu');
