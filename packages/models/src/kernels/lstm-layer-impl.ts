import { sigmoid, tanh } from './activations.js';
import type { LayerCellMath } from './layer-scaffold.js';

/**
 * The LSTM layer's pointwise step (PyTorch's nn.LSTM, gate order i, f, g, o), on plain Float32Arrays, for the
 * shared scaffold (layer-scaffold.ts). With a_t = X_t + R_t (X_t = x_t W_ihᵀ + b_ih + b_hh, R_t = h̃_{t−1} W_hhᵀ):
 *
 *     i, f, g, o = σ(a_i), σ(a_f), tanh(a_g), σ(a_o);   c_t = f c̃_{t−1} + i g;   h_t = o tanh(c_t)
 *
 * Saved per row (S = 5): i | f | g | o | tanh c_t. Backward, with δh = ∂L/∂h_t + ∂L/∂h̃_t and ∂L/∂c̃_t carried:
 *
 *     δc = ∂L/∂c̃_t + δh o (1 − tanh² c_t)
 *     δa_i = δc g i(1 − i),  δa_f = δc c̃_{t−1} f(1 − f),  δa_g = δc i (1 − g²),  δa_o = δh tanh c_t o(1 − o)
 *     ∂L/∂X_t = δR_t = δa;   ∂L/∂c̃_{t−1} = δc f   (h̃_{t−1} gets only δR_t W_hh)
 */
export const lstmLayerMath: LayerCellMath = {
  gates: 4,
  stateNames: ['h', 'c'],
  savedWidth: 5,
  recurrentBias: false,
  forwardStep(s) {
    const { batch, hidden, inputGates: x, recurrent: r, saved: act } = s;
    const [hOut, cOut] = s.next as [Float32Array, Float32Array];
    const cPrev = s.previous[1]!;
    const cPrevBase = s.previousBase[1]!;
    for (let b = 0; b < batch; b++) {
      const gateRow = s.gatesBase + b * 4 * hidden;
      const recRow = b * 4 * hidden;
      const actRow = s.savedBase + b * 5 * hidden;
      const row = s.stateBase + b * hidden;
      for (let j = 0; j < hidden; j++) {
        const gi = gateRow + j;
        const ri = recRow + j;
        const ai = actRow + j;
        const i = sigmoid(x[gi]! + r[ri]!);
        const f = sigmoid(x[gi + hidden]! + r[ri + hidden]!);
        const g = tanh(x[gi + 2 * hidden]! + r[ri + 2 * hidden]!);
        const o = sigmoid(x[gi + 3 * hidden]! + r[ri + 3 * hidden]!);
        const c = f * cPrev[cPrevBase + b * hidden + j]! + i * g;
        const tc = tanh(c);
        hOut[row + j] = o * tc;
        cOut[row + j] = c;
        act[ai] = i;
        act[ai + hidden] = f;
        act[ai + 2 * hidden] = g;
        act[ai + 3 * hidden] = o;
        act[ai + 4 * hidden] = tc;
      }
    }
  },
  backwardStep(s) {
    const { batch, hidden, dOutputs: dhOut, saved: act, dInputGates: dIn, dRecurrent: dr } = s;
    const [carryH, carryC] = s.carry as [Float32Array, Float32Array];
    const cPrev = s.previous[1]!;
    const cPrevBase = s.previousBase[1]!;
    const width = 4 * hidden;
    for (let b = 0; b < batch; b++) {
      const gateRow = s.gatesBase + b * width;
      const actRow = s.savedBase + b * 5 * hidden;
      for (let j = 0; j < hidden; j++) {
        const k = b * hidden + j;
        const ai = actRow + j;
        const i = act[ai]!;
        const f = act[ai + hidden]!;
        const g = act[ai + 2 * hidden]!;
        const o = act[ai + 3 * hidden]!;
        const tc = act[ai + 4 * hidden]!;
        const dh = dhOut[s.stateBase + k]! + carryH[k]!;
        const dc = carryC[k]! + dh * o * (1 - tc * tc);
        const di = dc * g * i * (1 - i);
        const df = dc * cPrev[cPrevBase + k]! * f * (1 - f);
        const dg = dc * i * (1 - g * g);
        const dout = dh * tc * o * (1 - o);
        carryC[k] = dc * f;
        carryH[k] = 0;
        const gi = gateRow + j;
        const local = b * width + j;
        dIn[gi] = di;
        dIn[gi + hidden] = df;
        dIn[gi + 2 * hidden] = dg;
        dIn[gi + 3 * hidden] = dout;
        dr[local] = di;
        dr[local + hidden] = df;
        dr[local + 2 * hidden] = dg;
        dr[local + 3 * hidden] = dout;
      }
    }
  },
};
