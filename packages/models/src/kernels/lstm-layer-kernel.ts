import type { GradConfig, KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { sigmoid, tanh } from './activations.js';
import { allocate, float32View } from './backend-memory.js';
import { activeBackendHas } from './fused-kernel-config.js';
import { isProbed, layerGradFunc, registerKernelPair } from './layer-kernel-registry.js';
import {
  backendMatMul,
  backendTranspose,
  checkLayerShapes,
  checkProbeShape,
  type FusedBackendName,
  kernelInputs,
  recurrentWeightGradient,
} from './layer-kernel-utils.js';

/**
 * A whole LSTM layer over a window as one kernel forward and one backward (wasm, cpu).
 *
 * The per-step path costs ≈ 10 tfjs kernel calls per step and layer, each with ≈ 10 µs of engine
 * bookkeeping, which dominates small models (the copy task). Here the loop over the T steps runs inside
 * the kernel: each step calls the backend's own matMul kernel function directly (no engine), then updates
 * the gates and state in one loop on the backend's memory (PyTorch order i, f, g, o):
 *
 *     a_t = X_t + h_{t−1} W          X_t = x_t W_ihᵀ + b_ih + b_hh [B, 4H] (given),  W = W_hhᵀ [H, 4H]
 *     i, f, g, o = σ(a_i), σ(a_f), tanh(a_g), σ(a_o);   c_t = f c_{t−1} + i g;   h_t = o tanh(c_t)
 *
 * Backward runs t = T−1 … 0 with δh_t = ∂L/∂h_t (from the outputs) + δa_{t+1} Wᵀ (one [B, 4H] x [4H, H]
 * product per step) and the cell-state adjoint carried in a buffer; the weight gradient is then one product
 * over the whole window, ∂L/∂W = [h_0; …; h_{T−1}]ᵀ [δa_1; …; δa_T]  ([H, T·B] x [T·B, 4H]), not T of them.
 *
 * Probes (the one-pass gradient-norm profile): zero tensors added to the state each step carries on,
 * h̃_t = h_t + z^h_t and c̃_t = c_t + z^c_t; their gradients are the carried states' adjoints, which the
 * backward loop has at hand.
 */
export const LSTM_LAYER = 'TbpttLstmLayer';
export const LSTM_LAYER_GRAD = 'TbpttLstmLayerGrad';

const EMPTY = new Float32Array(0);

/**
 * inputs inputGates [T·B, 4H], weightHhT [H, 4H], h0 [B, H], c0 [B, H] (and with attr probed: probesH,
 * probesC [T·B, H], added to the state carried from each step: h̃_t = h_t + z^h_t, c̃_t = c_t + z^c_t)
 * -> outputs hs [T·B, H] (h_t, not probed), cs [T·B, H] (c̃_t), acts [T·B, 5H] (i | f | g | o | tanh c_t),
 * hLast [B, H] (h̃_T), cLast [B, H] (c̃_T) (and with probes: hsCarried [T·B, H], h̃_t).
 */
function forwardKernel(backendName: FusedBackendName): KernelFunc {
  return ({ inputs: anyInputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const probed = isProbed(attrs);
    const [inputGates, weightHhT, h0, c0] = kernelInputs(LSTM_LAYER, anyInputs, [
      'inputGates',
      'weightHhT',
      'h0',
      'c0',
    ]) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
    const [probesH, probesC] = probed ? kernelInputs(LSTM_LAYER, anyInputs, ['probesH', 'probesC']) : [];
    const [batch, hidden] = h0.shape as [number, number];
    const rows = inputGates.shape[0]!;
    const steps = rows / batch;
    const size = batch * hidden;
    const hs = allocate(backend, [rows, hidden], 'float32');
    const cs = allocate(backend, [rows, hidden], 'float32');
    const acts = allocate(backend, [rows, 5 * hidden], 'float32');
    const hLast = allocate(backend, [batch, hidden], 'float32');
    const cLast = allocate(backend, [batch, hidden], 'float32');
    const hsCarried = probed ? allocate(backend, [rows, hidden], 'float32') : null;
    // h_{t−1} as a tensor of its own, the left operand of the step's product.
    const hPrev = allocate(backend, [batch, hidden], 'float32');
    float32View(backend, hPrev).set(float32View(backend, h0));
    for (let t = 0; t < steps; t++) {
      // [B, H] x [H, 4H] -> [B, 4H]
      const recurrent = backendMatMul(backendName, backend, hPrev, weightHhT);
      // Views after the step's allocation (a wasm heap growth detaches older ones).
      const x = float32View(backend, inputGates);
      const r = float32View(backend, recurrent);
      const hOut = float32View(backend, hs);
      const cOut = float32View(backend, cs);
      const act = float32View(backend, acts);
      const cPrev = t === 0 ? float32View(backend, c0) : cOut;
      const cPrevBase = t === 0 ? 0 : (t - 1) * size;
      const h = float32View(backend, hPrev);
      // Zero-length views when not probed: the loop reads them only when probed.
      const zh = probesH != null ? float32View(backend, probesH) : EMPTY;
      const zc = probesC != null ? float32View(backend, probesC) : EMPTY;
      const carried = hsCarried != null ? float32View(backend, hsCarried) : EMPTY;
      for (let b = 0; b < batch; b++) {
        const gateRow = (t * batch + b) * 4 * hidden;
        const actRow = (t * batch + b) * 5 * hidden;
        const recRow = b * 4 * hidden;
        const row = t * size + b * hidden;
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
          const hNew = o * tc;
          hOut[row + j] = hNew;
          if (probed) {
            const hCarried = hNew + zh[row + j]!;
            cOut[row + j] = c + zc[row + j]!;
            carried[row + j] = hCarried;
            h[b * hidden + j] = hCarried;
          } else {
            cOut[row + j] = c;
            h[b * hidden + j] = hNew;
          }
          act[ai] = i;
          act[ai + hidden] = f;
          act[ai + 2 * hidden] = g;
          act[ai + 3 * hidden] = o;
          act[ai + 4 * hidden] = tc;
        }
      }
      backend.disposeData(recurrent.dataId);
    }
    const last = (steps - 1) * size;
    float32View(backend, hLast).set(float32View(backend, hPrev));
    float32View(backend, cLast).set(float32View(backend, cs).subarray(last, last + size));
    backend.disposeData(hPrev.dataId);
    return hsCarried != null ? [hs, cs, acts, hLast, cLast, hsCarried] : [hs, cs, acts, hLast, cLast];
  };
}

/**
 * inputs dhs [T·B, H], dhLast [B, H], dcLast [B, H], acts, cs, hs (the carried states h̃ when probed), h0,
 * c0, weightHhT -> outputs dInputGates [T·B, 4H], dWeightHhT [H, 4H], dh0 [B, H], dc0 [B, H] (and with attr
 * probed: dProbesH, dProbesC [T·B, H], the adjoints of the carried states h̃_t, c̃_t).
 */
function backwardKernel(backendName: FusedBackendName): KernelFunc {
  return ({ inputs: anyInputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const probed = isProbed(attrs);
    const [dhs, dhLast, dcLast, acts, cs, hs, h0, c0, weightHhT] = kernelInputs(LSTM_LAYER_GRAD, anyInputs, [
      'dhs',
      'dhLast',
      'dcLast',
      'acts',
      'cs',
      'hs',
      'h0',
      'c0',
      'weightHhT',
    ]);
    const [batch, hidden] = h0!.shape as [number, number];
    const rows = hs!.shape[0]!;
    const steps = rows / batch;
    const size = batch * hidden;
    const width = 4 * hidden;
    const dInputGates = allocate(backend, [rows, width], 'float32');
    const dh0 = allocate(backend, [batch, hidden], 'float32');
    const dc0 = allocate(backend, [batch, hidden], 'float32');
    const dProbesH = probed ? allocate(backend, [rows, hidden], 'float32') : null;
    const dProbesC = probed ? allocate(backend, [rows, hidden], 'float32') : null;
    // δa_t as a tensor of its own, the left operand of δh_{t−1} = δa_t Wᵀ.
    const dGates = allocate(backend, [batch, width], 'float32');
    // [H, 4H] -> [4H, H]
    const weightHh = backendTranspose(backendName, backend, weightHhT!);
    // Cell-state adjoint carried backwards (plain memory: no kernel reads it).
    const dcNext = Float32Array.from(float32View(backend, dcLast!));
    let dhRecurrent: TensorInfo | null = null;
    for (let t = steps - 1; t >= 0; t--) {
      const dhOut = float32View(backend, dhs!);
      const dhCarry =
        dhRecurrent === null ? float32View(backend, dhLast!) : float32View(backend, dhRecurrent);
      const act = float32View(backend, acts!);
      const cPrev = t === 0 ? float32View(backend, c0!) : float32View(backend, cs!);
      const cPrevBase = t === 0 ? 0 : (t - 1) * size;
      const dIn = float32View(backend, dInputGates);
      const dg = float32View(backend, dGates);
      const dzh = dProbesH != null ? float32View(backend, dProbesH) : EMPTY;
      const dzc = dProbesC != null ? float32View(backend, dProbesC) : EMPTY;
      for (let b = 0; b < batch; b++) {
        const gateRow = (t * batch + b) * width;
        const actRow = (t * batch + b) * 5 * hidden;
        for (let j = 0; j < hidden; j++) {
          const k = b * hidden + j;
          const row = t * size + k;
          const gi = gateRow + j;
          const ai = actRow + j;
          const i = act[ai]!;
          const f = act[ai + hidden]!;
          const g = act[ai + 2 * hidden]!;
          const o = act[ai + 3 * hidden]!;
          const tc = act[ai + 4 * hidden]!;
          if (probed) {
            // The carried state's adjoints, before this step adds its own terms.
            dzh[row] = dhCarry[k]!;
            dzc[row] = dcNext[k]!;
          }
          const dh = dhOut[row]! + dhCarry[k]!;
          const dc = dcNext[k]! + dh * o * (1 - tc * tc);
          const di = dc * g * i * (1 - i);
          const df = dc * cPrev[cPrevBase + k]! * f * (1 - f);
          const dgg = dc * i * (1 - g * g);
          const dout = dh * tc * o * (1 - o);
          dcNext[k] = dc * f;
          const local = b * width + j;
          dIn[gi] = di;
          dIn[gi + hidden] = df;
          dIn[gi + 2 * hidden] = dgg;
          dIn[gi + 3 * hidden] = dout;
          dg[local] = di;
          dg[local + hidden] = df;
          dg[local + 2 * hidden] = dgg;
          dg[local + 3 * hidden] = dout;
        }
      }
      if (dhRecurrent !== null) backend.disposeData(dhRecurrent.dataId);
      // [B, 4H] x [4H, H] -> [B, H]
      dhRecurrent = backendMatMul(backendName, backend, dGates, weightHh);
    }
    float32View(backend, dh0).set(float32View(backend, dhRecurrent!));
    float32View(backend, dc0).set(dcNext);
    backend.disposeData(dhRecurrent!.dataId);
    backend.disposeData(dGates.dataId);
    backend.disposeData(weightHh.dataId);
    // [H, T·B] x [T·B, 4H] -> [H, 4H]
    const dWeightHhT = recurrentWeightGradient(backendName, backend, h0!, hs!, dInputGates);
    return dProbesH != null && dProbesC != null
      ? [dInputGates, dWeightHhT, dh0, dc0, dProbesH, dProbesC]
      : [dInputGates, dWeightHhT, dh0, dc0];
  };
}

const gradConfig: GradConfig = {
  kernelName: LSTM_LAYER,
  inputsToSave: ['weightHhT', 'h0', 'c0'],
  // hs, cs, acts and, when probed, hsCarried (the sixth output).
  outputsToSave: [true, true, true, false, false, true],
  gradFunc: layerGradFunc(
    LSTM_LAYER_GRAD,
    ['inputGates', 'weightHhT', 'h0', 'c0'],
    ['probesH', 'probesC'],
    (dys, saved, probed) => {
      const [dhs, , , dhLast, dcLast] = dys;
      const [weightHhT, h0, c0, hs, cs, acts, hsCarried] = saved;
      return {
        dhs: dhs!,
        dhLast: dhLast!,
        dcLast: dcLast!,
        acts: acts!,
        cs: cs!,
        // The weight gradient reads the states the products read: the carried ones when probed.
        hs: probed ? hsCarried! : hs!,
        h0: h0!,
        c0: c0!,
        weightHhT: weightHhT!,
      };
    },
  ),
};

/** Registers the layer kernels (wasm and cpu) and their gradient. Idempotent. */
export function registerLstmLayerKernels(): void {
  registerKernelPair(LSTM_LAYER, LSTM_LAYER_GRAD, forwardKernel, backwardKernel, gradConfig);
}

/** True when the active backend runs {@link fusedLstmLayer} as one kernel. */
export function hasFusedLstmLayer(): boolean {
  return activeBackendHas(LSTM_LAYER);
}

/**
 * Runs an LSTM layer over a window with the fused layer kernel (check {@link hasFusedLstmLayer} first).
 * Differentiable with respect to every argument.
 *
 * @param inputGates X = x W_ihᵀ + b_ih + b_hh for all steps, step-major [T·B, 4H]
 * @param weightHhT W_hhᵀ [H, 4H]
 * @param h0 initial hidden state [B, H]
 * @param c0 initial cell state [B, H]
 * @param probes optional zero tensors [T·B, H] added to the state each step carries on (h̃_t = h_t + z^h_t,
 *   c̃_t = c_t + z^c_t: what step t+1 reads and the final state); the outputs stay h_t. Their gradients
 *   are ∂L/∂h̃_t and ∂L/∂c̃_t, the one-pass gradient-norm profile's adjoints.
 * @returns outputs h_1 … h_T step-major [T·B, H]; the final (carried) h and c [B, H]
 */
export function fusedLstmLayer(
  inputGates: tf.Tensor2D,
  weightHhT: tf.Tensor2D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
  probes?: { h: tf.Tensor2D; c: tf.Tensor2D },
): { outputs: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } {
  const [batch, hidden] = h0.shape;
  const rows = inputGates.shape[0];
  checkLayerShapes('fusedLstmLayer', 4, inputGates, weightHhT, h0);
  if (c0.shape[0] !== batch || c0.shape[1] !== hidden) {
    throw new Error(`fusedLstmLayer: c0 must be [B, H] = [${batch}, ${hidden}], got [${c0.shape}]`);
  }
  if (probes != null) {
    checkProbeShape('fusedLstmLayer', 'probes.h', probes.h, rows, hidden);
    checkProbeShape('fusedLstmLayer', 'probes.c', probes.c, rows, hidden);
  }
  const inputs: tf.NamedTensorMap =
    probes != null
      ? { inputGates, weightHhT, h0, c0, probesH: probes.h, probesC: probes.c }
      : { inputGates, weightHhT, h0, c0 };
  const attrs = { probed: probes != null } as unknown as NamedAttrMap;
  const [outputs, cs, acts, h, c, hsCarried] = tf
    .engine()
    .runKernel(LSTM_LAYER, inputs, attrs) as tf.Tensor2D[];
  // The gradient keeps its own references to what it saved.
  cs!.dispose();
  acts!.dispose();
  hsCarried?.dispose();
  return { outputs: outputs!, h: h!, c: c! };
}
