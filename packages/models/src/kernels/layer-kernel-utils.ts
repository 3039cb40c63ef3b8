import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { allocate, float32View } from './backend-memory.js';
import type { FUSED_BACKENDS } from './fused-kernel-config.js';

/** Shared pieces of the whole-layer kernels: calling the backend's own kernels without the engine. */
export type FusedBackendName = (typeof FUSED_BACKENDS)[number];

/** [M, K] x [K, N] -> [M, N] by the backend's BatchMatMul kernel function (no engine bookkeeping). */
export function backendMatMul(
  backendName: FusedBackendName,
  backend: KernelBackend,
  a: TensorInfo,
  b: TensorInfo,
): TensorInfo {
  const kernel = tf.getKernel('BatchMatMul', backendName)!;
  return kernel.kernelFunc({
    inputs: { a, b },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
}

/** [R, C] -> [C, R] by the backend's Transpose kernel function. */
export function backendTranspose(
  backendName: FusedBackendName,
  backend: KernelBackend,
  x: TensorInfo,
): TensorInfo {
  const kernel = tf.getKernel('Transpose', backendName)!;
  return kernel.kernelFunc({ inputs: { x }, backend, attrs: { perm: [1, 0] } }) as TensorInfo;
}

/** The named inputs of a kernel call, in order; throws naming a missing one. */
export function kernelInputs(kernelName: string, inputs: unknown, names: readonly string[]): TensorInfo[] {
  return names.map((name) => {
    const info = (inputs as Record<string, TensorInfo | undefined>)[name];
    if (info == null) throw new Error(`${kernelName}: missing input "${name}"`);
    return info;
  });
}

/**
 * The previous hidden states of every step, transposed, [H, T·B]: column n is h_0 (n < B) or
 * hs[n − B]. The left operand of a layer's weight gradient Hprevᵀ δA ([H, T·B] x [T·B, G·H]).
 */
export function previousStatesTransposed(backend: KernelBackend, h0: TensorInfo, hs: TensorInfo): TensorInfo {
  const [batch, hidden] = h0.shape as [number, number];
  const rows = hs.shape[0]!;
  const out = allocate(backend, [hidden, rows], 'float32');
  const dst = float32View(backend, out);
  const first = float32View(backend, h0);
  const later = float32View(backend, hs);
  for (let n = 0; n < rows; n++) {
    const src = n < batch ? first : later;
    const base = n < batch ? n * hidden : (n - batch) * hidden;
    for (let j = 0; j < hidden; j++) dst[j * rows + n] = src[base + j]!;
  }
  return out;
}

/**
 * A layer's recurrent weight gradient ∂L/∂W = Hprevᵀ δA over the whole window, one product:
 * [H, T·B] x [T·B, G·H] -> [H, G·H], with Hprev = [h_0; h_1; …; h_{T−1}] (from `h0` and `hs`, the states the
 * steps read) and `dGates` δA [T·B, G·H], the gradients of the steps' recurrent pre-activations.
 */
export function recurrentWeightGradient(
  backendName: FusedBackendName,
  backend: KernelBackend,
  h0: TensorInfo,
  hs: TensorInfo,
  dGates: TensorInfo,
): TensorInfo {
  // [h_0; h_1; …; h_{T−1}] transposed in one pass: [H, T·B]
  const hPrevT = previousStatesTransposed(backend, h0, hs);
  // [H, T·B] x [T·B, G·H] -> [H, G·H]
  const dWeightHhT = backendMatMul(backendName, backend, hPrevT, dGates);
  backend.disposeData(hPrevT.dataId);
  return dWeightHhT;
}

/**
 * Checks a fused layer's arguments for `gates` gates per unit (LSTM 4, GRU 3, RNN 1): inputGates
 * [T·B, G·H] with T ≥ 1 and weightHhT [H, G·H], for h0 [B, H]; throws naming `caller` and the argument.
 */
export function checkLayerShapes(
  caller: string,
  gates: number,
  inputGates: tf.Tensor2D,
  weightHhT: tf.Tensor2D,
  h0: tf.Tensor2D,
): void {
  const [batch, hidden] = h0.shape;
  const rows = inputGates.shape[0];
  const width = `${gates === 1 ? '' : gates}H`;
  if (inputGates.shape[1] !== gates * hidden || rows % batch !== 0 || rows === 0) {
    throw new Error(
      `${caller}: inputGates must be [T·B, ${width}] with B = ${batch}, H = ${hidden}, got [${inputGates.shape}]`,
    );
  }
  if (weightHhT.shape[0] !== hidden || weightHhT.shape[1] !== gates * hidden) {
    throw new Error(
      `${caller}: weightHhT must be [H, ${width}] = [${hidden}, ${gates * hidden}], got [${weightHhT.shape}]`,
    );
  }
}

/** Checks a fused layer's probe `name` is [T·B, H] = [rows, hidden]; throws naming `caller`. */
export function checkProbeShape(
  caller: string,
  name: string,
  z: tf.Tensor2D,
  rows: number,
  hidden: number,
): void {
  if (z.shape[0] !== rows || z.shape[1] !== hidden) {
    throw new Error(`${caller}: ${name} must be [T·B, H] = [${rows}, ${hidden}], got [${z.shape}]`);
  }
}
