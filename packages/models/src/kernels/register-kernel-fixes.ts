import { findBackend } from '@tensorflow/tfjs-core';
import { setPointwiseKernels } from '../cells/pointwise-kernels.js';
import { setLayerKernel } from '../cells/run-layer.js';
import { fusedLayerRun } from './fused-layer-run.js';
import { fusedGruPointwise, registerGruCellKernels } from './gru-cell-kernel.js';
import { registerGruLayerKernels } from './gru-layer-kernel.js';
import { heapSliceConfig, heapUnpackConfig } from './heap-slice.js';
import { leadingAxesSumConfig } from './leading-axes-sum.js';
import { fusedLstmPointwise, registerLstmCellKernels } from './lstm-cell-kernel.js';
import { registerLstmLayerKernels } from './lstm-layer-kernel.js';
import { replaceKernel, restoreStockKernel } from './replace-kernel.js';
import { registerRnnLayerKernels } from './rnn-layer-kernel.js';
import { sharedIdentityConfig } from './shared-identity.js';
import { clearTransposeCache, transposingMatMulConfig } from './transposing-matmul.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Which fix to register; all default to true. */
export interface KernelFixOptions {
  /** wasm: BatchMatMul and _FusedMatMul transpose first, so XNNPACK's fast path runs. */
  transposingMatMul?: boolean;
  /** wasm: Slice and Unpack copy from the heap (the stock ones copy the whole input per slice). */
  heapSlice?: boolean;
  /** wasm: Identity (the clone behind every saved gradient input) shares memory instead of copying. */
  sharedIdentity?: boolean;
  /** wasm and cpu: Sum over leading axes (bias gradients) as one row-wise loop. */
  leadingAxesSum?: boolean;
  /** wasm and cpu: UnsortedSegmentSum (the gradient of gather) as one loop. */
  segmentSum?: boolean;
  /** wasm and cpu: the LSTM and GRU pointwise steps as fused kernels. */
  fusedCells?: boolean;
  /** wasm and cpu: a whole LSTM, GRU or RNN layer over a window as one kernel forward and one backward. */
  fusedLayers?: boolean;
}

const REPLACED_KERNELS = [
  'BatchMatMul',
  '_FusedMatMul',
  'Identity',
  'Slice',
  'Unpack',
  'Sum',
  'UnsortedSegmentSum',
] as const;

/**
 * Registers this package's kernel fixes for `backendName` ('wasm' and 'cpu'; other backends need none).
 * Idempotent. {@link selectBackend} calls it; call it yourself if you activate a backend another way.
 */
export function registerKernelFixes(backendName: string, options: KernelFixOptions = {}): void {
  const {
    transposingMatMul = true,
    sharedIdentity = true,
    heapSlice = true,
    segmentSum = true,
    leadingAxesSum = true,
    fusedCells = true,
    fusedLayers = true,
  } = options;
  if (backendName === 'wasm') {
    if (transposingMatMul) {
      replaceKernel('BatchMatMul', 'wasm', transposingMatMulConfig);
      replaceKernel('_FusedMatMul', 'wasm', transposingMatMulConfig);
    }
    if (sharedIdentity) replaceKernel('Identity', 'wasm', sharedIdentityConfig);
    if (heapSlice) {
      replaceKernel('Slice', 'wasm', heapSliceConfig);
      replaceKernel('Unpack', 'wasm', heapUnpackConfig);
    }
  }
  if ((backendName === 'wasm' || backendName === 'cpu') && leadingAxesSum) {
    replaceKernel('Sum', backendName, leadingAxesSumConfig);
  }
  if ((backendName === 'wasm' || backendName === 'cpu') && segmentSum) {
    replaceKernel('UnsortedSegmentSum', backendName, () => unsortedSegmentSumConfig(backendName));
  }
  if (backendName === 'wasm' || backendName === 'cpu') {
    if (fusedCells) {
      registerLstmCellKernels();
      registerGruCellKernels();
    }
    // The fused versions fall back to the plain ops on backends without the kernels.
    setPointwiseKernels(fusedCells ? { lstm: fusedLstmPointwise, gru: fusedGruPointwise } : 'plain');
  }
  if (backendName === 'wasm' || backendName === 'cpu') {
    if (fusedLayers) {
      registerLstmLayerKernels();
      registerGruLayerKernels();
      registerRnnLayerKernels();
    }
    setLayerKernel(fusedLayers ? fusedLayerRun : null);
  }
}

/** Restores the stock kernels that {@link registerKernelFixes} replaced (for comparisons). */
export function unregisterKernelFixes(backendName: string): void {
  for (const name of REPLACED_KERNELS) restoreStockKernel(name, backendName);
  const backend = findBackend(backendName);
  if (backendName === 'wasm' && backend != null) clearTransposeCache(backend);
}
