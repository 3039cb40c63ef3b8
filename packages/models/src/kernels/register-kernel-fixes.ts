import * as tf from '@tensorflow/tfjs-core';
import { setLayerKernel } from '../cells/run-layer.js';
import { fusedLayerRun, LAYER_KERNELS } from './fused-layer-run.js';
import { heapSliceConfig, heapUnpackConfig } from './heap-slice.js';
import { registerLayerKernel } from './layer-kernel.js';
import { leadingAxesSumConfig } from './leading-axes-sum.js';
import { setLinearKernel } from './linear-kernel.js';
import { replaceKernel, restoreStockKernel } from './replace-kernel.js';
import { sharedIdentityConfig } from './shared-identity.js';
import { setKernelThreads, setSimdKernels } from './simd/simd-kernels.js';
import { setLayerLoops } from './simd/simd-layer-loop.js';
import { clearTransposeCache, transposingMatMulConfig } from './transposing-matmul.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';
import { checkWasmBackendInternals } from './wasm-internals.js';

/**
 * How this package registers kernels with tfjs (a process-wide registry, shared by every tfjs user):
 *
 * - `'replace'` (default): also replaces some of the backend's stock kernels, for every tfjs user in the
 *   process, by exact faster versions ({@link STOCK_KERNELS_REPLACED}); {@link unregisterKernelFixes}
 *   puts the stock ones back.
 * - `'own-only'`: never replaces a kernel the backend registered. It adds this package's own kernels
 *   (`TbpttLstmLayer`, … under their own names) and kernels the backend lacks (wasm's
 *   `UnsortedSegmentSum`, the gradient of `tf.gather`). Training on wasm is slower: the transposed
 *   products of the backward pass fall off XNNPACK's fast path, and every slice copies its whole input.
 */
export type KernelMode = 'replace' | 'own-only';

/** The stock kernels `'replace'` replaces, per backend (wasm's UnsortedSegmentSum is added: it has none). */
export const STOCK_KERNELS_REPLACED: Readonly<Record<'wasm' | 'cpu', readonly string[]>> = Object.freeze({
  wasm: ['BatchMatMul', '_FusedMatMul', 'Identity', 'Slice', 'Unpack', 'Sum'],
  cpu: ['Sum', 'UnsortedSegmentSum'],
});

/** Which kernels to register; every fix defaults to true (within what `kernels` allows). */
export interface KernelFixOptions {
  /** Default `'replace'`; see {@link KernelMode}. */
  kernels?: KernelMode;
  /** wasm, replaces BatchMatMul and _FusedMatMul: transpose first, so XNNPACK's fast path runs. */
  transposingMatMul?: boolean;
  /** wasm, replaces Slice and Unpack: copy from the heap (the stock ones copy the whole input per slice). */
  heapSlice?: boolean;
  /** wasm, replaces Identity (the clone behind every saved gradient input): share memory, no copy. */
  sharedIdentity?: boolean;
  /** wasm and cpu, replaces Sum over leading axes (bias gradients): one row-wise loop. */
  leadingAxesSum?: boolean;
  /** wasm (added) and cpu (replaced): UnsortedSegmentSum (the gradient of gather) as one loop. */
  segmentSum?: boolean;
  /** wasm and cpu, own kernels: a whole LSTM, GRU or RNN layer over a window as one kernel forward and one backward. */
  fusedLayers?: boolean;
  /**
   * wasm: this package's own WebAssembly SIMD kernels (wasm/tbptt-kernels.c) inside the layer kernels,
   * softmax cross-entropy and the optimiser updates, on the backend's heap; off: the JavaScript loops.
   */
  simdKernels?: boolean;
  /**
   * wasm, with `simdKernels`: the decoder's products (z = x Wᵀ + b and both gradients) by this package's
   * SIMD kernels, which read W in its [O, H] layout; off: tfjs's transpose and XNNPACK (packing W afresh).
   */
  linearKernels?: boolean;
  /**
   * wasm, with `simdKernels` and `fusedLayers`: each layer kernel runs its whole window in one WebAssembly call
   * forward and one backward, recurrent products included; off: the scaffold's loop in JavaScript, XNNPACK's
   * matMul for every step's product and the SIMD pointwise steps.
   */
  layerLoops?: boolean;
  /**
   * wasm on the threaded build, with `simdKernels`: split large calls of the decoder's kernels and of
   * softmax cross-entropy between the threads (kernel-threads.ts); off: on the calling thread only.
   */
  kernelThreads?: boolean;
}

const REPLACEABLE = [
  'BatchMatMul',
  '_FusedMatMul',
  'Identity',
  'Slice',
  'Unpack',
  'Sum',
  'UnsortedSegmentSum',
];

/**
 * Registers this package's kernels for `backendName` ('wasm' and 'cpu'; other backends need none). With
 * `kernels: 'replace'` (the default) it also replaces stock kernels for every tfjs user in the process
 * ({@link STOCK_KERNELS_REPLACED}); `'own-only'` replaces none. Idempotent; to change the mode or the
 * options, call {@link unregisterKernelFixes} first. {@link selectBackend} calls it; call it yourself if
 * you activate a backend another way.
 *
 * On wasm it first checks (once per backend) that the backend has the private fields the kernels use,
 * and throws naming them and the pinned tfjs-backend-wasm version if not.
 */
export function registerKernelFixes(backendName: string, options: KernelFixOptions = {}): void {
  if (backendName !== 'wasm' && backendName !== 'cpu') return;
  const { kernels = 'replace' } = options;
  if (kernels !== 'replace' && kernels !== 'own-only') {
    throw new Error(
      `registerKernelFixes: options.kernels must be "replace" or "own-only", got ${JSON.stringify(kernels)}`,
    );
  }
  if (backendName === 'wasm') {
    const backend = tf.engine().registry.wasm;
    if (backend != null) checkWasmBackendInternals(backend);
  }
  const replacing = kernels === 'replace';
  const on = (flag: boolean | undefined) => flag !== false;
  // In 'own-only' mode a kernel is registered only where the backend has none.
  const install = (name: string, make: Parameters<typeof replaceKernel>[2]) => {
    if (replacing || tf.getKernel(name, backendName) == null) replaceKernel(name, backendName, make);
  };
  if (backendName === 'wasm') {
    if (on(options.transposingMatMul)) {
      install('BatchMatMul', transposingMatMulConfig);
      install('_FusedMatMul', transposingMatMulConfig);
    }
    if (on(options.sharedIdentity)) install('Identity', sharedIdentityConfig);
    if (on(options.heapSlice)) {
      install('Slice', heapSliceConfig);
      install('Unpack', heapUnpackConfig);
    }
  }
  if (on(options.leadingAxesSum)) install('Sum', leadingAxesSumConfig);
  if (on(options.segmentSum)) install('UnsortedSegmentSum', () => unsortedSegmentSumConfig(backendName));
  if (on(options.fusedLayers)) {
    for (const kernel of Object.values(LAYER_KERNELS)) registerLayerKernel(kernel);
  }
  setLayerKernel(on(options.fusedLayers) ? fusedLayerRun : null);
  if (backendName === 'wasm') {
    setSimdKernels(on(options.simdKernels));
    setLinearKernel(on(options.linearKernels));
    setLayerLoops(on(options.layerLoops));
    setKernelThreads(on(options.kernelThreads));
  }
}

/** Restores the stock kernels that {@link registerKernelFixes} replaced (and removes the ones it added). */
export function unregisterKernelFixes(backendName: string): void {
  for (const name of REPLACEABLE) restoreStockKernel(name, backendName);
  const backend = tf.findBackend(backendName);
  if (backendName === 'wasm' && backend != null) clearTransposeCache(backend);
}
