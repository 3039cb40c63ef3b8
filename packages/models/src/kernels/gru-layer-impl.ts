import { sigmoid, tanh } from './activations.js';
import type { LayerCellMath } from './layer-scaffold.js';

/**
 * The GRU layer's pointwise step (PyTorch's nn.GRU, gate order r, z, n), on plain Float32Arrays, for the
 * shared scaffold (layer-scaffold.ts). X_t = x_t W_ihᵀ + b_ih; the scaffold adds b_hh to the recurrent
 * product, R_t = h̃_{t−1} W_hhᵀ + b_hh:
 *
 *     r = σ(X_r + R_r),  z = σ(X_z + R_z),  n = tanh(X_n + r R_n),  h_t = n + z (h̃_{t−1} − n)
 *
 * Saved per row (S = 4): r | z | n | R_n. Backward, with δh = ∂L/∂h_t + ∂L/∂h̃_t:
 *
 *     δa_n = δh (1 − z)(1 − n²),  δa_r = δa_n R_n r(1 − r),  δa_z = δh (h̃_{t−1} − n) z(1 − z)
 *     ∂L/∂X_t = [δa_r, δa_z, δa_n],  δR_t = [δa_r, δa_z, δa_n r],  ∂L/∂h̃_{t−1} = δh z + δR_t W_hh
 */
export const gruLayerMath: LayerCellMath = {
  gates: 3,
  stateNames: ['h'],
  savedWidth: 4,
  recurrentBias: true,
  forwardStep(s) {
    const { batch, hidden, inputGates: x, recurrent: r, saved: act } = s;
    const hOut = s.next[0]!;
    const hPrev = s.previous[0]!;
    const hPrevBase = s.previousBase[0]!;
    const width = 3 * hidden;
    for (let b = 0; b < batch; b++) {
      const gateRow = s.gatesBase + b * width;
      const recRow = b * width;
      const actRow = s.savedBase + b * 4 * hidden;
      for (let j = 0; j < hidden; j++) {
        const gi = gateRow + j;
        const ri = recRow + j;
        const ai = actRow + j;
        const reset = sigmoid(x[gi]! + r[ri]!);
        const update = sigmoid(x[gi + hidden]! + r[ri + hidden]!);
        const hn = r[ri + 2 * hidden]!;
        const n = tanh(x[gi + 2 * hidden]! + reset * hn);
        hOut[s.stateBase + b * hidden + j] = n + update * (hPrev[hPrevBase + b * hidden + j]! - n);
        act[ai] = reset;
        act[ai + hidden] = update;
        act[ai + 2 * hidden] = n;
        act[ai + 3 * hidden] = hn;
      }
    }
  },
  backwardStep(s) {
    const { batch, hidden, dOutputs: dhOut, saved: act, dInputGates: dIn, dRecurrent: dr } = s;
    const carry = s.carry[0]!;
    const hPrev = s.previous[0]!;
    const hPrevBase = s.previousBase[0]!;
    const width = 3 * hidden;
    for (let b = 0; b < batch; b++) {
      const gateRow = s.gatesBase + b * width;
      const actRow = s.savedBase + b * 4 * hidden;
      for (let j = 0; j < hidden; j++) {
        const k = b * hidden + j;
        const ai = actRow + j;
        const reset = act[ai]!;
        const update = act[ai + hidden]!;
        const n = act[ai + 2 * hidden]!;
        const hn = act[ai + 3 * hidden]!;
        const dh = dhOut[s.stateBase + k]! + carry[k]!;
        const dan = dh * (1 - update) * (1 - n * n);
        const dar = dan * hn * reset * (1 - reset);
        const daz = dh * (hPrev[hPrevBase + k]! - n) * update * (1 - update);
        carry[k] = dh * update;
        const gi = gateRow + j;
        const local = b * width + j;
        dIn[gi] = dar;
        dIn[gi + hidden] = daz;
        dIn[gi + 2 * hidden] = dan;
        dr[local] = dar;
        dr[local + hidden] = daz;
        dr[local + 2 * hidden] = dan * reset;
      }
    }
  },
};
