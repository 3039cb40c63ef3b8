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
