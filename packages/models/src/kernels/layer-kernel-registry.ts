import type { GradConfig, KernelFunc, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_BACKENDS, registerFusedKernel } from './fused-kernel-config.js';
import type { FusedBackendName } from './layer-kernel-utils.js';

/**
 * The registration and gradient plumbing the fused kernels share (cells and whole layers): a forward
 * kernel, a backward kernel that returns every input gradient at once, and a tfjs gradient that runs the
 * backward kernel and hands its outputs out by input name. The math stays in each kernel's file.
 */

/**
 * Registers `kernelName` and `gradKernelName` on every fused backend (wasm, cpu), each unless already
 * registered, and `gradConfig` unless a gradient is registered. Idempotent.
 *
 * @param forward the forward kernel function for a backend
 * @param backward the backward kernel function for a backend
 */
export function registerKernelPair(
  kernelName: string,
  gradKernelName: string,
  forward: (backendName: FusedBackendName) => KernelFunc,
  backward: (backendName: FusedBackendName) => KernelFunc,
  gradConfig: GradConfig,
): void {
  for (const backendName of FUSED_BACKENDS) {
    registerFusedKernel(kernelName, backendName, forward(backendName));
    registerFusedKernel(gradKernelName, backendName, backward(backendName));
  }
  if (tf.getGradient(kernelName) == null) tf.registerGradient(gradConfig);
}

/** The `probed` attribute of a layer kernel call (false when absent). */
export function isProbed(attrs: unknown): boolean {
  return (attrs as { probed?: boolean } | undefined)?.probed === true;
}

/**
 * A layer kernel's gradient function: runs `gradKernelName` once, on the inputs `gradInputs` builds and
 * the forward call's attributes, and hands its outputs to the inputs by name, in order: `inputNames`,
 * then `probeNames` when the call was probed.
 *
 * @param gradInputs the backward kernel's inputs from the output gradients `dys` and the `saved` tensors
 *   (the GradConfig's inputsToSave, then its outputsToSave)
 */
export function layerGradFunc(
  gradKernelName: string,
  inputNames: readonly string[],
  probeNames: readonly string[],
  gradInputs: (dys: Tensor[], saved: Tensor[], probed: boolean) => tf.NamedTensorMap,
): GradConfig['gradFunc'] {
  return (dys, saved, attrs) => {
    const probed = isProbed(attrs);
    // One kernel gives all the input gradients; the closures hand them out.
    const grads = tf
      .engine()
      .runKernel(
        gradKernelName,
        gradInputs(dys as Tensor[], saved, probed),
        attrs as NamedAttrMap,
      ) as Tensor[];
    const names = probed ? [...inputNames, ...probeNames] : inputNames;
    return Object.fromEntries(names.map((name, i) => [name, () => grads[i]!]));
  };
}
