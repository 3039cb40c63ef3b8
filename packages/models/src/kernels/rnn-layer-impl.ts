import type { RnnNonlinearity } from '../cells/rnn-pointwise.js';
import { tanh } from './activations.js';
import type { LayerCellMath } from './layer-scaffold.js';

/**
 * The Elman RNN layer's pointwise step, on plain Float32Arrays, for the shared scaffold (layer-scaffold.ts):
 *
 *     h_t = φ(X_t + R_t),   X_t = x_t W_ihᵀ + b_ih + b_hh,  R_t = h̃_{t−1} W_hhᵀ,  φ = tanh | relu
 *
 * Nothing saved (S = 0): φ′ comes from the output, tanh′ = 1 − h², relu′ = [h > 0]. Backward:
 * ∂L/∂X_t = δR_t = (∂L/∂h_t + ∂L/∂h̃_t) φ′;  ∂L/∂h̃_{t−1} = δR_t W_hh.
 */
export function rnnLayerMath(nonlinearity: RnnNonlinearity): LayerCellMath {
  const relu = nonlinearity === 'relu';
  return {
    gates: 1,
    stateNames: ['h'],
    savedWidth: 0,
    recurrentBias: false,
    forwardStep({ batch, hidden, inputGates: x, gatesBase, recurrent: r, next, stateBase }) {
      const hOut = next[0]!;
      const size = batch * hidden;
      for (let k = 0; k < size; k++) {
        const a = x[gatesBase + k]! + r[k]!;
        hOut[stateBase + k] = relu ? Math.max(a, 0) : tanh(a);
      }
    },
    backwardStep({ batch, hidden, dOutputs, outputs, stateBase, carry, dInputGates, gatesBase, dRecurrent }) {
      const dCarry = carry[0]!;
      const size = batch * hidden;
      for (let k = 0; k < size; k++) {
        const h = outputs[stateBase + k]!;
        const dh = dOutputs[stateBase + k]! + dCarry[k]!;
        const d = relu ? (h > 0 ? dh : 0) : dh * (1 - h * h);
        dInputGates[gatesBase + k] = d;
        dRecurrent[k] = d;
        dCarry[k] = 0;
      }
    },
  };
}

/** The tanh RNN layer's math. */
export const rnnTanhLayerMath: LayerCellMath = rnnLayerMath('tanh');
/** The relu RNN layer's math. */
export const rnnReluLayerMath: LayerCellMath = rnnLayerMath('relu');
