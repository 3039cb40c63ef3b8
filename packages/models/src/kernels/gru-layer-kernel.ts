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
 * A whole GRU layer over a window as one kernel forward and one backward (wasm, cpu); see
 * `lstm-layer-kernel.ts` for why. PyTorch's equations, gate order r, z, n:
 *
 *     gx_t = x_t W_ihᵀ + b_ih (given, [B, 3H]),   gh_t = h_{t−1} W + b_hh   (W = W_hhᵀ [H, 3H])
 *     r = σ(gx_r + gh_r),  z = σ(gx_z + gh_z),  n = tanh(gx_n + r ⊙ gh_n),  h_t = n + z ⊙ (h_{t−1} − n)
 *
 * Backward (t = T−1 … 0), with δh_t = ∂L/∂h_t (outputs) + the carry from step t+1:
 *
 *     δa_n = δh (1 − z)(1 − n²),  δa_r = δa_n gh_n r(1 − r),  δa_z = δh (h_{t−1} − n) z(1 − z)
 *     ∂L/∂gx_t = [δa_r, δa_z, δa_n],   ∂L/∂gh_t = [δa_r, δa_z, δa_n ⊙ r]
 *     carry to h_{t−1}:  δh ⊙ z + (∂L/∂gh_t) Wᵀ
 *     ∂L/∂W = [h_0; …; h_{T−1}]ᵀ [∂L/∂gh_1; …]  (one product),  ∂L/∂b_hh = Σ_rows ∂L/∂gh
 */
export const GRU_LAYER = 'TbpttGruLayer';
export const GRU_LAYER_GRAD = 'TbpttGruLayerGrad';

/**
 * inputs inputGates [T·B, 3H], weightHhT [H, 3H], biasHh [3H], h0 [B, H]
 * -> outputs hs [T·B, H], acts [T·B, 3H] (r | z | n), hiddenN [T·B, H] (gh_n), hLast [B, H].
 */
function forwardKernel(backendName: FusedBackendName): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const probed = isProbed(attrs);
    const [inputGates, weightHhT, biasHh, h0] = kernelInputs(GRU_LAYER, inputs, [
      'inputGates',
      'weightHhT',
      'biasHh',
      'h0',
    ]) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
    const [probes] = probed ? kernelInputs(GRU_LAYER, inputs, ['probes']) : [];
    const [batch, hidden] = h0.shape as [number, number];
    const rows = inputGates.shape[0]!;
    const steps = rows / batch;
    const size = batch * hidden;
    const width = 3 * hidden;
    const hs = allocate(backend, [rows, hidden], 'float32');
    const acts = allocate(backend, [rows, width], 'float32');
    const hiddenN = allocate(backend, [rows, hidden], 'float32');
    const hLast = allocate(backend, [batch, hidden], 'float32');
    const hsCarried = probes != null ? allocate(backend, [rows, hidden], 'float32') : null;
    const hPrev = allocate(backend, [batch, hidden], 'float32');
    float32View(backend, hPrev).set(float32View(backend, h0));
    for (let t = 0; t < steps; t++) {
      // [B, H] x [H, 3H] -> [B, 3H]
      const recurrent = backendMatMul(backendName, backend, hPrev, weightHhT);
      const x = float32View(backend, inputGates);
      const r = float32View(backend, recurrent);
      const bias = float32View(backend, biasHh);
      const hOut = float32View(backend, hs);
      const act = float32View(backend, acts);
      const ghN = float32View(backend, hiddenN);
      const h = float32View(backend, hPrev);
      for (let b = 0; b < batch; b++) {
        const gateRow = (t * batch + b) * width;
        const recRow = b * width;
        for (let j = 0; j < hidden; j++) {
          const k = b * hidden + j;
          const gi = gateRow + j;
          const ri = recRow + j;
          const reset = sigmoid(x[gi]! + r[ri]! + bias[j]!);
          const update = sigmoid(x[gi + hidden]! + r[ri + hidden]! + bias[hidden + j]!);
          const hn = r[ri + 2 * hidden]! + bias[2 * hidden + j]!;
          const n = tanh(x[gi + 2 * hidden]! + reset * hn);
          const hNew = n + update * (h[k]! - n);
          hOut[t * size + k] = hNew;
          ghN[t * size + k] = hn;
          act[gi] = reset;
          act[gi + hidden] = update;
          act[gi + 2 * hidden] = n;
        }
      }
      // h_{t−1} <- h_t (h̃_t = h_t + z_t when probed), after the loop read every h_{t−1}.
      const next = float32View(backend, hPrev);
      next.set(hOut.subarray(t * size, (t + 1) * size));
      if (probes != null && hsCarried != null) {
        const z = float32View(backend, probes);
        for (let k = 0; k < size; k++) next[k]! += z[t * size + k]!;
        float32View(backend, hsCarried).set(next, t * size);
      }
      backend.disposeData(recurrent.dataId);
    }
    float32View(backend, hLast).set(float32View(backend, hPrev));
    backend.disposeData(hPrev.dataId);
    return hsCarried != null ? [hs, acts, hiddenN, hLast, hsCarried] : [hs, acts, hiddenN, hLast];
  };
}

/**
 * inputs dhs [T·B, H], dhLast [B, H], acts, hiddenN, hs, h0, weightHhT
 * -> outputs dInputGates [T·B, 3H], dWeightHhT [H, 3H], dBiasHh [3H], dh0 [B, H].
 */
function backwardKernel(backendName: FusedBackendName): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const probed = isProbed(attrs);
    const [dhs, dhLast, acts, hiddenN, hs, h0, weightHhT] = kernelInputs(GRU_LAYER_GRAD, inputs, [
      'dhs',
      'dhLast',
      'acts',
      'hiddenN',
      'hs',
      'h0',
      'weightHhT',
    ]) as TensorInfo[];
    const [batch, hidden] = h0!.shape as [number, number];
    const rows = hs!.shape[0]!;
    const steps = rows / batch;
    const size = batch * hidden;
    const width = 3 * hidden;
    const dInputGates = allocate(backend, [rows, width], 'float32');
    const dHiddenGates = allocate(backend, [rows, width], 'float32');
    const dBiasHh = allocate(backend, [width], 'float32');
    const dh0 = allocate(backend, [batch, hidden], 'float32');
    const dProbes = probed ? allocate(backend, [rows, hidden], 'float32') : null;
    // ∂L/∂gh_t as a tensor of its own, the left operand of the carry product.
    const dGates = allocate(backend, [batch, width], 'float32');
    // [H, 3H] -> [3H, H]
    const weightHh = backendTranspose(backendName, backend, weightHhT!);
    // The direct part of the carry, δh ⊙ z (plain memory).
    const carryDirect = Float32Array.from(float32View(backend, dhLast!));
    let carryProduct: TensorInfo | null = null;
    for (let t = steps - 1; t >= 0; t--) {
      const dhOut = float32View(backend, dhs!);
      const product = carryProduct === null ? null : float32View(backend, carryProduct);
      const act = float32View(backend, acts!);
      const ghN = float32View(backend, hiddenN!);
      const hPrev = t === 0 ? float32View(backend, h0!) : float32View(backend, hs!);
      const hPrevBase = t === 0 ? 0 : (t - 1) * size;
      const dIn = float32View(backend, dInputGates);
      const dHid = float32View(backend, dHiddenGates);
      const dg = float32View(backend, dGates);
      const dz = dProbes != null ? float32View(backend, dProbes) : null;
      for (let b = 0; b < batch; b++) {
        const gateRow = (t * batch + b) * width;
        for (let j = 0; j < hidden; j++) {
          const k = b * hidden + j;
          const gi = gateRow + j;
          const reset = act[gi]!;
          const update = act[gi + hidden]!;
          const n = act[gi + 2 * hidden]!;
          // The adjoint of the carried state h̃_t (the probe's gradient), before the output's.
          const carry = carryDirect[k]! + (product === null ? 0 : product[k]!);
          if (dz !== null) dz[t * size + k] = carry;
          const dh = dhOut[t * size + k]! + carry;
          const dan = dh * (1 - update) * (1 - n * n);
          const dar = dan * ghN[t * size + k]! * reset * (1 - reset);
          const daz = dh * (hPrev[hPrevBase + k]! - n) * update * (1 - update);
          carryDirect[k] = dh * update;
          dIn[gi] = dar;
          dIn[gi + hidden] = daz;
          dIn[gi + 2 * hidden] = dan;
          dHid[gi] = dar;
          dHid[gi + hidden] = daz;
          dHid[gi + 2 * hidden] = dan * reset;
          const local = b * width + j;
          dg[local] = dar;
          dg[local + hidden] = daz;
          dg[local + 2 * hidden] = dan * reset;
        }
      }
      if (carryProduct !== null) backend.disposeData(carryProduct.dataId);
      // [B, 3H] x [3H, H] -> [B, H]
      carryProduct = backendMatMul(backendName, backend, dGates, weightHh);
    }
    {
      const out = float32View(backend, dh0);
      const product = float32View(backend, carryProduct!);
      for (let k = 0; k < size; k++) out[k] = carryDirect[k]! + product[k]!;
      // ∂L/∂b_hh: column sums of ∂L/∂gh over all rows.
      const db = float32View(backend, dBiasHh);
      const dHid = float32View(backend, dHiddenGates);
      db.fill(0);
      for (let n = 0; n < rows; n++) {
        for (let g = 0; g < width; g++) db[g]! += dHid[n * width + g]!;
      }
    }
    backend.disposeData(carryProduct!.dataId);
    backend.disposeData(dGates.dataId);
    backend.disposeData(weightHh.dataId);
    // [H, T·B] x [T·B, 3H] -> [H, 3H]
    const dWeightHhT = recurrentWeightGradient(backendName, backend, h0!, hs!, dHiddenGates);
    backend.disposeData(dHiddenGates.dataId);
    return dProbes != null
      ? [dInputGates, dWeightHhT, dBiasHh, dh0, dProbes]
      : [dInputGates, dWeightHhT, dBiasHh, dh0];
  };
}

const gradConfig: GradConfig = {
  kernelName: GRU_LAYER,
  inputsToSave: ['weightHhT', 'h0'],
  // hs, acts, hiddenN and, when probed, hsCarried (the fifth output).
  outputsToSave: [true, true, true, false, true],
  gradFunc: layerGradFunc(
    GRU_LAYER_GRAD,
    ['inputGates', 'weightHhT', 'biasHh', 'h0'],
    ['probes'],
    (dys, saved, probed) => {
      const [dhs, , , dhLast] = dys;
      const [weightHhT, h0, hs, acts, hiddenN, hsCarried] = saved;
      return {
        dhs: dhs!,
        dhLast: dhLast!,
        acts: acts!,
        hiddenN: hiddenN!,
        // The previous states the steps read: the carried ones when probed.
        hs: probed ? hsCarried! : hs!,
        h0: h0!,
        weightHhT: weightHhT!,
      };
    },
  ),
};

/** Registers the GRU layer kernels (wasm and cpu) and their gradient. Idempotent. */
export function registerGruLayerKernels(): void {
  registerKernelPair(GRU_LAYER, GRU_LAYER_GRAD, forwardKernel, backwardKernel, gradConfig);
}

/** True when the active backend runs {@link fusedGruLayer} as one kernel. */
export function hasFusedGruLayer(): boolean {
  return activeBackendHas(GRU_LAYER);
}

/**
 * Runs a GRU layer over a window with the fused layer kernel (check {@link hasFusedGruLayer} first).
 * Differentiable with respect to every argument.
 *
 * @param inputGates gx = x W_ihᵀ + b_ih for all steps, step-major [T·B, 3H]
 * @param weightHhT W_hhᵀ [H, 3H]
 * @param biasHh b_hh [3H]
 * @param h0 initial hidden state [B, H]
 * @param probes optional [T·B, H] added to the state each step carries on (h̃_t = h_t + z_t: what step t+1
 *   reads and the final state); the outputs stay h_t; its gradient is ∂L/∂h̃_t (the one-pass profile's).
 * @returns outputs h_1 … h_T step-major [T·B, H]; the final (carried) h [B, H]
 */
export function fusedGruLayer(
  inputGates: tf.Tensor2D,
  weightHhT: tf.Tensor2D,
  biasHh: tf.Tensor1D,
  h0: tf.Tensor2D,
  probes?: tf.Tensor2D,
): { outputs: tf.Tensor2D; h: tf.Tensor2D } {
  const hidden = h0.shape[1];
  checkLayerShapes('fusedGruLayer', 3, inputGates, weightHhT, h0);
  if (biasHh.shape[0] !== 3 * hidden) {
    throw new Error(`fusedGruLayer: biasHh must be [3H] = [${3 * hidden}], got [${biasHh.shape}]`);
  }
  if (probes != null) checkProbeShape('fusedGruLayer', 'probes', probes, inputGates.shape[0], hidden);
  const inputs: tf.NamedTensorMap =
    probes != null ? { inputGates, weightHhT, biasHh, h0, probes } : { inputGates, weightHhT, biasHh, h0 };
  const attrs = { probed: probes != null } as unknown as NamedAttrMap;
  const [outputs, acts, hiddenN, h, hsCarried] = tf
    .engine()
    .runKernel(GRU_LAYER, inputs, attrs) as tf.Tensor2D[];
  acts!.dispose();
  hiddenN!.dispose();
  hsCarried?.dispose();
  return { outputs: outputs!, h: h! };
}
