import type { KernelBackend, KernelFunc, NamedTensorInfoMap } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { allocate } from '../backend-memory.js';
import { linear } from '../linear-kernel.js';
import { requireSimdKernels, simdKernelsFor } from './simd-kernels.js';
import { layerLoopsEnabled } from './simd-layer-loop.js';

/**
 * A recurrent layer's input projection X [N, G] = x [N, K] · W_ihᵀ + b (W_ih [G, K] as PyTorch stores it) on
 * wasm with the whole-layer loops: two kernels of wasm/tbptt-kernels.c with the loops' own products on
 * Wᵀ = W_ihᵀ [K, G] (a small transpose per call), forward and ∂x, ∂Wᵀ, ∂b in one backward call. At the copy
 * task's sizes they are 1.6–5× faster than the linear kernels (`linear`, the dot-product layout that suits
 * the decoder's long rows), most at its first layer's K = 6. On the threaded build the calls are split
 * between the kernel threads (simd-kernels.ts `split`). Elsewhere (cpu, loops or SIMD kernels off) this
 * is {@link linear}.
 */
export const LAYER_INPUT = 'TbpttLayerInput';
export const LAYER_INPUT_GRAD = 'TbpttLayerInputGrad';

/** x [N, K], weightT [K, G], bias [G] -> X [N, G]. */
const forwardKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend;
  const { x, weightT, bias } = inputs as NamedTensorInfoMap;
  const [rows, inner] = x!.shape as [number, number];
  const width = weightT!.shape[1]!;
  const out = allocate(backend, [rows, width], 'float32');
  const simd = requireSimdKernels(backend, LAYER_INPUT);
  simd.split(
    'layer_input_forward',
    [simd.address(x!), simd.address(weightT!), simd.address(bias!), simd.address(out), rows, inner, width],
    rows,
    2,
    2 * rows * inner * width,
  );
  return out;
};

/** dy [N, G], x [N, K], weightT [K, G] -> [dx [N, K], dWT [K, G], db [G]]. */
const gradKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend;
  const { dy, x, weightT } = inputs as NamedTensorInfoMap;
  const [rows, inner] = x!.shape as [number, number];
  const width = weightT!.shape[1]!;
  const dx = allocate(backend, [rows, inner], 'float32');
  const dwT = allocate(backend, [inner, width], 'float32');
  const db = allocate(backend, [width], 'float32');
  const simd = requireSimdKernels(backend, LAYER_INPUT_GRAD);
  const at = (info: tf.TensorInfo) => simd.address(info);
  const flops = 2 * rows * inner * width;
  // ∂Wᵀ and ∂b split over rows of ∂Wᵀ, dx over its rows (each part computes its elements as one call does).
  simd.split(
    'layer_input_grad_weight',
    [at(dy!), at(x!), at(dwT), at(db), rows, inner, width],
    inner,
    4,
    flops,
  );
  simd.split('layer_input_grad_input', [at(dy!), at(weightT!), at(dx), rows, inner, width], rows, 2, flops);
  return [dx, dwT, db];
};

function useKernels(): boolean {
  if (!layerLoopsEnabled() || tf.getBackend() !== 'wasm' || simdKernelsFor(tf.backend()) == null)
    return false;
  if (tf.getKernel(LAYER_INPUT, 'wasm') == null) {
    tf.registerKernel({ kernelName: LAYER_INPUT, backendName: 'wasm', kernelFunc: forwardKernel });
    tf.registerKernel({ kernelName: LAYER_INPUT_GRAD, backendName: 'wasm', kernelFunc: gradKernel });
  }
  return true;
}

/**
 * X = x W_ihᵀ + b: x [N, K], weightIh [G, K], bias [G]; differentiable in all three. On wasm with the
 * whole-layer loops the kernels above, else {@link linear}.
 */
export function layerInputProjection(x: tf.Tensor2D, weightIh: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  if (!useKernels()) return linear(x, weightIh, bias);
  if (
    x.rank !== 2 ||
    weightIh.rank !== 2 ||
    x.shape[1] !== weightIh.shape[1] ||
    bias.size !== weightIh.shape[0]
  ) {
    throw new Error(
      `layerInputProjection: expected x [N, K], weightIh [G, K], bias [G], got [${x.shape}], [${weightIh.shape}], [${bias.shape}]`,
    );
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    // [G, K] -> [K, G]
    const weightT = tf.transpose(w) as tf.Tensor2D;
    save([xs, weightT]);
    const value = tf.engine().runKernel(LAYER_INPUT, { x: xs, weightT, bias: b }) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xSaved, wT] = saved as [tf.Tensor2D, tf.Tensor2D];
      const [dx, dwT, db] = tf
        .engine()
        .runKernel(LAYER_INPUT_GRAD, { dy, x: xSaved, weightT: wT }) as tf.Tensor[];
      // [K, G] -> [G, K]
      const dw = tf.transpose(dwT!);
      dwT!.dispose();
      return [dx!, dw, db!];
    };
    return { value, gradFunc };
  });
  return op(x, weightIh, bias) as tf.Tensor2D;
}
