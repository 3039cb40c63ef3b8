import type { GradConfig, KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { RnnNonlinearity } from '../cells/rnn-pointwise.js';
import { tanh } from './activations.js';
import { allocate, float32View } from './backend-memory.js';
import { activeBackendHas } from './fused-kernel-config.js';
import { layerGradFunc, registerKernelPair } from './layer-kernel-registry.js';
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
 * A whole Elman RNN layer over a window as one kernel forward and one backward (wasm, cpu); see
 * `lstm-layer-kernel.ts` for why:
 *
 *     h_t = φ(X_t + h_{t−1} W),   X_t = x_t W_ihᵀ + b_ih + b_hh (given),  W = W_hhᵀ [H, H],  φ = tanh | relu
 *
 * Backward: δa_t = (∂L/∂h_t + δa_{t+1} Wᵀ) ⊙ φ′ (tanh: 1 − h², relu: [h > 0]);
 * ∂L/∂W = [h_0; …; h_{T−1}]ᵀ [δa_1; …; δa_T] (one product).
 */
export const RNN_LAYER = 'TbpttRnnLayer';
export const RNN_LAYER_GRAD = 'TbpttRnnLayerGrad';

interface RnnAttrs {
  nonlinearity: RnnNonlinearity;
  probed?: boolean;
}

/**
 * inputs inputGates [T·B, H], weightHhT [H, H], h0 [B, H] (and with attr probed: probes [T·B, H])
 * -> outputs hs [T·B, H], hLast [B, H] (and hsCarried [T·B, H], h̃_t = h_t + z_t, when probed).
 */
function forwardKernel(backendName: FusedBackendName): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const relu = (attrs as unknown as RnnAttrs).nonlinearity === 'relu';
    const probed = (attrs as unknown as RnnAttrs).probed === true;
    const [inputGates, weightHhT, h0] = kernelInputs(RNN_LAYER, inputs, [
      'inputGates',
      'weightHhT',
      'h0',
    ]) as [TensorInfo, TensorInfo, TensorInfo];
    const [probes] = probed ? kernelInputs(RNN_LAYER, inputs, ['probes']) : [];
    const [batch, hidden] = h0.shape as [number, number];
    const rows = inputGates.shape[0]!;
    const steps = rows / batch;
    const size = batch * hidden;
    const hs = allocate(backend, [rows, hidden], 'float32');
    const hLast = allocate(backend, [batch, hidden], 'float32');
    const hsCarried = probes != null ? allocate(backend, [rows, hidden], 'float32') : null;
    const hPrev = allocate(backend, [batch, hidden], 'float32');
    float32View(backend, hPrev).set(float32View(backend, h0));
    for (let t = 0; t < steps; t++) {
      // [B, H] x [H, H] -> [B, H]
      const recurrent = backendMatMul(backendName, backend, hPrev, weightHhT);
      const x = float32View(backend, inputGates);
      const r = float32View(backend, recurrent);
      const hOut = float32View(backend, hs);
      const h = float32View(backend, hPrev);
      const base = t * size;
      for (let k = 0; k < size; k++) {
        const a = x[base + k]! + r[k]!;
        const hNew = relu ? Math.max(a, 0) : tanh(a);
        hOut[base + k] = hNew;
        h[k] = hNew;
      }
      if (probes != null && hsCarried != null) {
        // h̃_t = h_t + z_t: what step t+1 reads.
        const z = float32View(backend, probes);
        for (let k = 0; k < size; k++) h[k]! += z[base + k]!;
        float32View(backend, hsCarried).set(h, base);
      }
      backend.disposeData(recurrent.dataId);
    }
    float32View(backend, hLast).set(float32View(backend, hPrev));
    backend.disposeData(hPrev.dataId);
    return hsCarried != null ? [hs, hLast, hsCarried] : [hs, hLast];
  };
}

/**
 * inputs dhs, dhLast, hs, h0, weightHhT (and with attr probed: hsCarried, the states the steps read)
 * -> outputs dInputGates [T·B, H], dWeightHhT [H, H], dh0 [B, H] (and dProbes [T·B, H] when probed).
 */
function backwardKernel(backendName: FusedBackendName): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as KernelBackend;
    const relu = (attrs as unknown as RnnAttrs).nonlinearity === 'relu';
    const probed = (attrs as unknown as RnnAttrs).probed === true;
    const [dhs, dhLast, hs, h0, weightHhT] = kernelInputs(RNN_LAYER_GRAD, inputs, [
      'dhs',
      'dhLast',
      'hs',
      'h0',
      'weightHhT',
    ]) as TensorInfo[];
    const [hsCarried] = probed ? kernelInputs(RNN_LAYER_GRAD, inputs, ['hsCarried']) : [];
    const [batch, hidden] = h0!.shape as [number, number];
    const rows = hs!.shape[0]!;
    const steps = rows / batch;
    const size = batch * hidden;
    const dInputGates = allocate(backend, [rows, hidden], 'float32');
    const dh0 = allocate(backend, [batch, hidden], 'float32');
    const dA = allocate(backend, [batch, hidden], 'float32');
    const dProbes = probed ? allocate(backend, [rows, hidden], 'float32') : null;
    // [H, H] -> [H, H]ᵀ
    const weightHh = backendTranspose(backendName, backend, weightHhT!);
    let carry: TensorInfo | null = null;
    for (let t = steps - 1; t >= 0; t--) {
      const dhOut = float32View(backend, dhs!);
      const dCarry = carry === null ? float32View(backend, dhLast!) : float32View(backend, carry);
      const hOut = float32View(backend, hs!);
      const dIn = float32View(backend, dInputGates);
      const da = float32View(backend, dA);
      const base = t * size;
      // The adjoint of the carried state h̃_t is the probe's gradient.
      if (dProbes != null) float32View(backend, dProbes).set(dCarry, base);
      for (let k = 0; k < size; k++) {
        const h = hOut[base + k]!;
        const dh = dhOut[base + k]! + dCarry[k]!;
        const d = relu ? (h > 0 ? dh : 0) : dh * (1 - h * h);
        dIn[base + k] = d;
        da[k] = d;
      }
      if (carry !== null) backend.disposeData(carry.dataId);
      // [B, H] x [H, H] -> [B, H]
      carry = backendMatMul(backendName, backend, dA, weightHh);
    }
    float32View(backend, dh0).set(float32View(backend, carry!));
    backend.disposeData(carry!.dataId);
    backend.disposeData(dA.dataId);
    backend.disposeData(weightHh.dataId);
    // The states the products read: the carried ones when probed. [H, T·B] x [T·B, H] -> [H, H]
    const dWeightHhT = recurrentWeightGradient(backendName, backend, h0!, hsCarried ?? hs!, dInputGates);
    return dProbes != null ? [dInputGates, dWeightHhT, dh0, dProbes] : [dInputGates, dWeightHhT, dh0];
  };
}

const gradConfig: GradConfig = {
  kernelName: RNN_LAYER,
  inputsToSave: ['weightHhT', 'h0'],
  // hs and, when probed, hsCarried (the third output).
  outputsToSave: [true, false, true],
  gradFunc: layerGradFunc(
    RNN_LAYER_GRAD,
    ['inputGates', 'weightHhT', 'h0'],
    ['probes'],
    (dys, saved, probed) => {
      const [dhs, dhLast] = dys;
      const [weightHhT, h0, hs, hsCarried] = saved;
      const gradInputs: tf.NamedTensorMap = {
        dhs: dhs!,
        dhLast: dhLast!,
        hs: hs!,
        h0: h0!,
        weightHhT: weightHhT!,
      };
      if (probed) gradInputs.hsCarried = hsCarried!;
      return gradInputs;
    },
  ),
};

/** Registers the RNN layer kernels (wasm and cpu) and their gradient. Idempotent. */
export function registerRnnLayerKernels(): void {
  registerKernelPair(RNN_LAYER, RNN_LAYER_GRAD, forwardKernel, backwardKernel, gradConfig);
}

/** True when the active backend runs {@link fusedRnnLayer} as one kernel. */
export function hasFusedRnnLayer(): boolean {
  return activeBackendHas(RNN_LAYER);
}

/**
 * Runs an Elman RNN layer over a window with the fused layer kernel (check {@link hasFusedRnnLayer}).
 * Differentiable with respect to every argument.
 *
 * @param inputGates X = x W_ihᵀ + b_ih + b_hh for all steps, step-major [T·B, H]
 * @param weightHhT W_hhᵀ [H, H]
 * @param h0 initial hidden state [B, H]
 * @param nonlinearity 'tanh' or 'relu'
 * @param probes optional [T·B, H] added to the state each step carries on (h̃_t = h_t + z_t); the outputs
 *   stay h_t; its gradient is ∂L/∂h̃_t (the one-pass profile's).
 */
export function fusedRnnLayer(
  inputGates: tf.Tensor2D,
  weightHhT: tf.Tensor2D,
  h0: tf.Tensor2D,
  nonlinearity: RnnNonlinearity,
  probes?: tf.Tensor2D,
): { outputs: tf.Tensor2D; h: tf.Tensor2D } {
  checkLayerShapes('fusedRnnLayer', 1, inputGates, weightHhT, h0);
  if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
    throw new Error(
      `fusedRnnLayer: nonlinearity must be "tanh" or "relu", got ${JSON.stringify(nonlinearity)}`,
    );
  }
  if (probes != null) checkProbeShape('fusedRnnLayer', 'probes', probes, inputGates.shape[0], h0.shape[1]);
  const attrs = { nonlinearity, probed: probes != null } as unknown as NamedAttrMap;
  const inputs: tf.NamedTensorMap =
    probes != null ? { inputGates, weightHhT, h0, probes } : { inputGates, weightHhT, h0 };
  const [outputs, h, hsCarried] = tf.engine().runKernel(RNN_LAYER, inputs, attrs) as tf.Tensor2D[];
  hsCarried?.dispose();
  return { outputs: outputs!, h: h! };
}
