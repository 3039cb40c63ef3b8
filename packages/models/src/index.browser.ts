/**
 * The browser entry (the `browser` export condition): the same as the Node entry without `loadWeights` /
 * `saveWeights` (files; use `serializeWeights` / `deserializeWeights` on bytes), and `selectBackend` loads
 * wasm from `wasmPaths` and webgl / webgpu from the page's own imports.
 *
 * `@tbptt/models`: recurrent models (RNN tanh/relu, LSTM, GRU) on TensorFlow.js with PyTorch-compatible
 * weights. The building blocks below `createModel` (cells, the whole-layer kernels, kernel registration)
 * are in `@tbptt/models/kernels`.
 */

export {
  recommendedWasmThreads,
  stepMatMulFlops,
  THREADED_FLOPS_PER_STEP,
} from './backends/recommended-threads';
export {
  type BackendChoice,
  type BackendModule,
  type BackendName,
  type BackendReport,
  type SelectBackendOptions,
  selectBackend,
} from './backends/select-backend';
export { MAX_WASM_THREADS } from './backends/wasm-thread-count';
export type { KernelMode } from './kernels/register-kernel-fixes';
export { softmaxCrossEntropy, softmaxCrossEntropyRows } from './loss/softmax-cross-entropy';
export { createModel } from './model/create-model';
export { type ParameterInfo, parameterLayout } from './model/parameter-layout';
export { stateComponents } from './model/state-components';
export type {
  CellType,
  DenseModelSpec,
  EmbeddingModelSpec,
  ForwardOptions,
  ForwardResult,
  HeadKind,
  HeadSpec,
  InitScheme,
  InputEncoderSpec,
  ModelSpec,
  RecurrentModel,
  RecurrentState,
  ResolvedDenseSpec,
  ResolvedEmbeddingSpec,
  ResolvedHeadSpec,
  ResolvedModelSpec,
} from './types';
export {
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  type SafetensorsContents,
} from './weights/safetensors';
export { deserializeWeights, serializeWeights } from './weights/serialize-weights';
