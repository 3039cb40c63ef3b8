/**
 * `@tbptt/models/kernels`: the building blocks below `createModel`, for benchmarks, other backends and
 * experiments. Not needed to train a model (`selectBackend` registers the kernels).
 *
 * - Kernel registration: {@link registerKernelFixes} (what it replaces: {@link STOCK_KERNELS_REPLACED};
 *   `kernels: 'own-only'` replaces nothing), {@link unregisterKernelFixes}, the pinned tfjs-backend-wasm
 *   version whose private fields the kernels read.
 * - The whole-layer kernels (one tfjs kernel per layer and window, forward and backward): the ops
 *   {@link lstmLayer}, {@link gruLayer}, {@link rnnLayer}, their definitions, and the math on plain arrays.
 * - The per-step cells (plain tfjs ops) and the seam between them and the layer kernels.
 * - {@link linear}: z = x Wᵀ + b with W [O, K] as stored (the decoder), SIMD kernels on wasm;
 *   {@link linearReference}, the tfjs path.
 */
export { ensureGradients } from './backends/register-gradients';
export { wasmThreads } from './backends/wasm-thread-count';
export type { LayerWeights, RecurrentCell, StepWeights } from './cells/cell';
export { gruCell } from './cells/gru-cell';
export { gruPointwise } from './cells/gru-pointwise';
export { lstmCell } from './cells/lstm-cell';
export { type LstmStepState, lstmPointwise } from './cells/lstm-pointwise';
export { rnnReluCell, rnnTanhCell } from './cells/rnn-cell';
export { type RnnNonlinearity, rnnPointwise } from './cells/rnn-pointwise';
export { type LayerKernel, type LayerRun, runLayer, setLayerKernel } from './cells/run-layer';
export {
  type LayerArrays,
  layerBackwardOnArrays,
  layerForwardOnArrays,
  type PlainBuffer,
} from './kernels/array-workspace';
export { fusedLayerRun, LAYER_KERNELS } from './kernels/fused-layer-run';
export { gruLayerMath } from './kernels/gru-layer-impl';
export { type GruLayerInputs, gruLayer, gruLayerKernel } from './kernels/gru-layer-kernel';
export {
  hasLayerKernel,
  LAYER_KERNEL_BACKENDS,
  type LayerKernelDefinition,
  type LayerKernelInputs,
  type LayerKernelResult,
  registerLayerKernel,
  runLayerKernel,
} from './kernels/layer-kernel';
export type {
  BackwardStep,
  ForwardStep,
  LayerCellMath,
  LayerDims,
  LayerWorkspace,
} from './kernels/layer-scaffold';
export { linear, linearReference, setLinearKernel } from './kernels/linear-kernel';
export { lstmLayerMath } from './kernels/lstm-layer-impl';
export { type LstmLayerInputs, lstmLayer, lstmLayerKernel } from './kernels/lstm-layer-kernel';
export {
  hasOptimizerUpdate,
  type OptimizerRule,
  optimizerUpdate,
  sumOfSquares,
  type UpdateScalars,
} from './kernels/optimizer-update';
export {
  type KernelFixOptions,
  type KernelMode,
  registerKernelFixes,
  STOCK_KERNELS_REPLACED,
  unregisterKernelFixes,
} from './kernels/register-kernel-fixes';
export { rnnLayerMath, rnnReluLayerMath, rnnTanhLayerMath } from './kernels/rnn-layer-impl';
export { type RnnLayerInputs, rnnLayer, rnnLayerKernels } from './kernels/rnn-layer-kernel';
export { setSimdKernels, simdKernelsEnabled } from './kernels/simd/simd-kernels';
export { setLayerLoops } from './kernels/simd/simd-layer-loop';
export { PINNED_WASM_BACKEND_VERSION } from './kernels/wasm-internals';
