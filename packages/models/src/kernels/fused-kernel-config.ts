import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { allocate, float32View } from './backend-memory.js';

/** The backends whose memory the fused cell kernels can use directly. */
export const FUSED_BACKENDS = ['wasm', 'cpu'] as const;

/**
 * A fused kernel body: reads `inputs` and writes every element of `outputs` (float32 views on the
 * backend's own memory, in the order the kernel declares them). Must not allocate tensors.
 */
export type FusedBody = (inputs: Float32Array[], outputs: Float32Array[], inputShapes: number[][]) => void;

/**
 * Builds a kernel that allocates its float32 outputs, takes views of inputs and outputs (after the last
 * allocation: a wasm heap growth detaches earlier views) and runs `body` on them.
 *
 * @param inputNames input names in the order `body` receives them
 * @param outputShapes the output shapes, from the input infos
 */
export function fusedKernelFunc(
  inputNames: readonly string[],
  outputShapes: (inputs: TensorInfo[]) => number[][],
  body: FusedBody,
): KernelFunc {
  return ({ inputs, backend }) => {
    const kernelBackend = backend as KernelBackend;
    const infos = inputNames.map((name) => {
      const info = (inputs as NamedTensorInfoMap)[name];
      if (info == null) throw new Error(`fused kernel: missing input "${name}"`);
      return info;
    });
    const outs = outputShapes(infos).map((shape) => allocate(kernelBackend, shape, 'float32'));
    body(
      infos.map((info) => float32View(kernelBackend, info)),
      outs.map((info) => float32View(kernelBackend, info)),
      infos.map((info) => info.shape),
    );
    return outs;
  };
}

/** Registers `kernelFunc` as `kernelName` for `backendName`, unless one is registered already. */
export function registerFusedKernel(kernelName: string, backendName: string, kernelFunc: KernelFunc): void {
  if (tf.getKernel(kernelName, backendName) != null) return;
  const config: KernelConfig = { kernelName, backendName, kernelFunc };
  tf.registerKernel(config);
}

/** True when the active backend has `kernelName` registered. */
export function activeBackendHas(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) != null;
}
