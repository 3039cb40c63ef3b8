import type * as tf from '@tensorflow/tfjs-core';
import type { CellType } from '../types';

/** One layer's weights, in PyTorch's layout (G = gate count, H = hidden size, in = input width). */
export interface LayerWeights {
  /** W_ih [G·H, in] */
  weightIh: tf.Tensor2D;
  /** W_hh [G·H, H] */
  weightHh: tf.Tensor2D;
  /** b_ih [G·H] */
  biasIh: tf.Tensor1D;
  /** b_hh [G·H] */
  biasHh: tf.Tensor1D;
}

/** What one step needs besides its input gates: the recurrent weight, transposed once per window. */
export interface StepWeights {
  /** W_hhᵀ [H, G·H] */
  weightHhT: tf.Tensor2D;
  /** b_hh [G·H] (only read by cells that do not fold it into the input projection) */
  biasHh: tf.Tensor1D;
}

/**
 * A recurrent cell: how many gate blocks and state components it has, and its step, which turns the input
 * projection of one step and the previous state into the new state.
 */
export interface RecurrentCell {
  readonly type: CellType;
  /** G: gate blocks in W_ih / W_hh (LSTM 4, GRU 3, RNN 1). */
  readonly gateCount: number;
  /** State components per layer: LSTM 2 (h, c), GRU and RNN 1 (h). h is always first. */
  readonly stateCount: number;
  /**
   * True when b_hh enters only as a sum with b_ih, so it can be added once to the input projection of all
   * steps (LSTM, RNN); false when the step needs it apart (GRU: r multiplies W_hn h + b_hn).
   */
  readonly foldsHiddenBias: boolean;
  /**
   * One step. `inputGates` = x_t W_ihᵀ + b_ih (+ b_hh when folded) [B, G·H]; `state` the previous state
   * components, each [B, H]; returns the new components in the same order.
   */
  step(inputGates: tf.Tensor2D, state: readonly tf.Tensor2D[], weights: StepWeights): tf.Tensor2D[];
}
