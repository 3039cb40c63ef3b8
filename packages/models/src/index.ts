export { createPrng, type Prng, standardNormal, uniformInt } from '@tbptt/random';
export { ensureGradients } from './backends/register-gradients';
export {
  type BackendChoice,
  type BackendName,
  type SelectBackendOptions,
  selectBackend,
} from './backends/select-backend';
export type { LayerWeights, RecurrentCell, StepWeights } from './cells/cell';
export { gruCell } from './cells/gru-cell';
export { gruPointwise } from './cells/gru-pointwise';
export { lstmCell } from './cells/lstm-cell';
export { type LstmStepState, lstmPointwise } from './cells/lstm-pointwise';
export {
  getPointwiseKernels,
  type PointwiseKernels,
  plainPointwiseKernels,
  setPointwiseKernels,
} from './cells/pointwise-kernels';
export { rnnReluCell, rnnTanhCell } from './cells/rnn-cell';
export { type RnnNonlinearity, rnnPointwise } from './cells/rnn-pointwise';
export { fusedLayerRun } from './kernels/fused-layer-run';
export { fusedGruPointwise } from './kernels/gru-cell-kernel';
export { fusedGruLayer, hasFusedGruLayer } from './kernels/gru-layer-kernel';
export { fusedLstmPointwise } from './kernels/lstm-cell-kernel';
export { fusedLstmLayer, hasFusedLstmLayer } from './kernels/lstm-layer-kernel';
export {
  type KernelFixOptions,
  registerKernelFixes,
  unregisterKernelFixes,
} from './kernels/register-kernel-fixes';
export { fusedRnnLayer, hasFusedRnnLayer } from './kernels/rnn-layer-kernel';
export { softmaxCrossEntropy, softmaxCrossEntropyRows } from './loss/softmax-cross-entropy';
export { createModel } from './model/create-model';
export { type ParameterInfo, parameterLayout } from './model/parameter-layout';
export { stateComponents } from './model/state-components';
export type {
  CellType,
  ForwardOptions,
  ForwardResult,
  InitScheme,
  ModelSpec,
  RecurrentModel,
  RecurrentState,
} from './types';
export {
  decodeSafetensors,
  encodeSafetensors,
  type NamedTensor,
  type SafetensorsContents,
} from './weights/safetensors';
export { loadWeights, saveWeights } from './weights/save-weights';
export { deserializeWeights, serializeWeights } from './weights/serialize-weights';
