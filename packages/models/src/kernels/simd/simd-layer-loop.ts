import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, float32View } from '../backend-memory.js';
import { gruLayerMath } from '../gru-layer-impl.js';
import type {
  LayerBackwardInputs,
  LayerBackwardOutputs,
  LayerCellMath,
  LayerDims,
  LayerForwardInputs,
  LayerForwardOutputs,
} from '../layer-scaffold.js';
import { lstmLayerMath } from '../lstm-layer-impl.js';
import { rnnReluLayerMath, rnnTanhLayerMath } from '../rnn-layer-impl.js';
import { type SimdKernels, type SplitKernel, simdKernelsFor } from './simd-kernels.js';

/**
 * A whole recurrent layer over a window in one WebAssembly call forward and one backward (the `*_layer_forward`
 * and `*_layer_backward` loops of wasm/tbptt-kernels.c): the T steps, their recurrent products h̃_{t−1} W_hhᵀ
 * and δR_t W_hh, the pointwise steps, the probes and ∂W_hh, with the same inputs and outputs as the scaffold
 * (layer-scaffold.ts, which stays the reference and the fallback). The scaffold on wasm calls XNNPACK's matMul
 * from JavaScript twice per step; at the copy task's sizes (B 64, H 50) each call's setup and packing of W
 * costs more than its product.
 */
export interface SimdLayerLoop {
  forward(dims: LayerDims, inputs: LayerForwardInputs<TensorInfo>): LayerForwardOutputs<TensorInfo>;
  backward(dims: LayerDims, inputs: LayerBackwardInputs<TensorInfo>): LayerBackwardOutputs<TensorInfo>;
}

type Kind = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

const KINDS = new Map<LayerCellMath, Kind>([
  [lstmLayerMath, 'lstm'],
  [gruLayerMath, 'gru'],
  [rnnTanhLayerMath, 'rnn_tanh'],
  [rnnReluLayerMath, 'rnn_relu'],
]);

let enabled = true;

/** Batch rows per part of a loop split between threads (the forward loops take rows in pairs). */
const ROW_GRAIN = 2;
/** Rows of ∂W_hh per part (the weight tiles are four rows). */
const WEIGHT_GRAIN = 4;

/** Parts per thread of the loops split over batch rows (undefined: kernel-threads.ts's default). */
let loopPartsPerThread: number | undefined;

/**
 * How many parts per thread the layer loops' batch rows are cut into (undefined: the kernel threads'
 * default); for comparisons in benchmarks. Fewer parts run each step's recurrent product over more rows at once.
 */
export function setLayerLoopParts(partsPerThread: number | undefined): void {
  loopPartsPerThread = partsPerThread;
}

const GATES: Readonly<Record<Kind, number>> = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 };

/**
 * Runs a loop kernel over the batch rows, split between threads when its recurrent product (2·T·B·H·G·H
 * FLOPs over the window) is large enough (simd-kernels.ts `split`).
 */
function splitOverBatch(
  simd: SimdKernels,
  kind: Kind,
  dims: LayerDims,
  kernel: SplitKernel,
  args: readonly number[],
): void {
  const flops = 2 * dims.steps * dims.batch * dims.hidden * GATES[kind] * dims.hidden;
  simd.split(kernel, args, dims.batch, ROW_GRAIN, flops, loopPartsPerThread);
}

/**
 * Turns the whole-layer WebAssembly loops off (the layer kernels run the scaffold: XNNPACK per step and the SIMD
 * pointwise steps) or back on; for comparisons, benchmarks and tests. `setSimdKernels(false)` turns them off too.
 */
export function setLayerLoops(on: boolean): void {
  enabled = on;
}

/** True when the whole-layer loops are switched on ({@link setLayerLoops}). */
export function layerLoopsEnabled(): boolean {
  return enabled;
}

function forward(
  kind: Kind,
  simd: SimdKernels,
  backend: KernelBackend,
  dims: LayerDims,
  inputs: LayerForwardInputs<TensorInfo>,
): LayerForwardOutputs<TensorInfo> {
  const { steps, batch, hidden } = dims;
  const rows = steps * batch;
  const probed = inputs.probes != null;
  const make = (shape: number[]) => allocate(backend, shape, 'float32');
  const outputs = make([rows, hidden]);
  const carriedH = probed ? make([rows, hidden]) : null;
  const final = [make([batch, hidden])];
  const at = (info: TensorInfo | null | undefined) => (info == null ? 0 : simd.address(info));
  const [h0, c0] = inputs.initial;
  const [zh, zc] = inputs.probes ?? [];
  if (kind === 'lstm') {
    const cs = make([rows, hidden]);
    const saved = make([rows, 5 * hidden]);
    final.push(make([batch, hidden]));
    splitOverBatch(simd, kind, dims, 'lstm_layer_forward', [
      at(inputs.inputGates),
      at(inputs.weightHhT),
      at(h0),
      at(c0),
      at(zh),
      at(zc),
      at(outputs),
      at(cs),
      at(saved),
      at(carriedH),
      at(final[0]),
      at(final[1]),
      steps,
      batch,
      hidden,
    ]);
    return { outputs, final, saved, sequences: [cs], carriedH };
  }
  if (kind === 'gru') {
    const saved = make([rows, 4 * hidden]);
    splitOverBatch(simd, kind, dims, 'gru_layer_forward', [
      at(inputs.inputGates),
      at(inputs.weightHhT),
      at(inputs.biasHh),
      at(h0),
      at(zh),
      at(outputs),
      at(saved),
      at(carriedH),
      at(final[0]),
      steps,
      batch,
      hidden,
    ]);
    return { outputs, final, saved, sequences: [], carriedH };
  }
  splitOverBatch(simd, kind, dims, 'rnn_layer_forward', [
    at(inputs.inputGates),
    at(inputs.weightHhT),
    at(h0),
    at(zh),
    at(outputs),
    at(carriedH),
    at(final[0]),
    steps,
    batch,
    hidden,
    kind === 'rnn_relu' ? 1 : 0,
  ]);
  return { outputs, final, saved: null, sequences: [], carriedH };
}

function backward(
  kind: Kind,
  simd: SimdKernels,
  backend: KernelBackend,
  dims: LayerDims,
  inputs: LayerBackwardInputs<TensorInfo>,
): LayerBackwardOutputs<TensorInfo> {
  const { steps, batch, hidden } = dims;
  const rows = steps * batch;
  const width = GATES[kind] * hidden;
  const make = (shape: number[]) => allocate(backend, shape, 'float32');
  const dInputGates = make([rows, width]);
  const dWeightHhT = make([hidden, width]);
  const dRecurrent = kind === 'gru' ? make([rows, width]) : null;
  const dBiasHh = kind === 'gru' ? make([width]) : null;
  // The loops carry ∂L/∂s̃_t backwards in these, which end as ∂L/∂s_{−1}.
  const dInitial = inputs.dFinal.map(() => make([batch, hidden]));
  const dProbes = inputs.probed ? inputs.dFinal.map(() => make([rows, hidden])) : null;
  // Views after the last allocation (a heap growth detaches older ones).
  dInitial.forEach((d, i) => {
    float32View(backend, d).set(float32View(backend, inputs.dFinal[i]!));
  });
  const at = (info: TensorInfo | null | undefined) => (info == null ? 0 : simd.address(info));
  const hCarried = inputs.carriedH ?? inputs.outputs;
  const [h0, c0] = inputs.initial;
  // The rows' backward loop (δR_t and the carried gradients, split over batch rows), then ∂W_hh (and the
  // GRU's ∂b_hh) from every step's δR_t (split over rows of ∂W_hh): wasm/tbptt-kernels.c, "Threads".
  if (kind === 'lstm') {
    splitOverBatch(simd, kind, dims, 'lstm_layer_backward_rows', [
      at(inputs.dOutputs),
      at(inputs.saved),
      at(inputs.sequences[0]),
      at(c0),
      at(inputs.weightHhT),
      at(dInitial[0]),
      at(dInitial[1]),
      at(dProbes?.[0]),
      at(dProbes?.[1]),
      at(dInputGates),
      steps,
      batch,
      hidden,
    ]);
  } else if (kind === 'gru') {
    splitOverBatch(simd, kind, dims, 'gru_layer_backward_rows', [
      at(inputs.dOutputs),
      at(inputs.saved),
      at(hCarried),
      at(h0),
      at(inputs.weightHhT),
      at(dInitial[0]),
      at(dProbes?.[0]),
      at(dInputGates),
      at(dRecurrent),
      steps,
      batch,
      hidden,
    ]);
  } else {
    splitOverBatch(simd, kind, dims, 'rnn_layer_backward_rows', [
      at(inputs.dOutputs),
      at(inputs.outputs),
      at(inputs.weightHhT),
      at(dInitial[0]),
      at(dProbes?.[0]),
      at(dInputGates),
      steps,
      batch,
      hidden,
      kind === 'rnn_relu' ? 1 : 0,
    ]);
  }
  simd.split(
    'layer_recurrent_grad',
    [
      at(hCarried),
      at(h0),
      at(dRecurrent ?? dInputGates),
      at(dWeightHhT),
      at(dBiasHh),
      steps,
      batch,
      hidden,
      width,
    ],
    hidden,
    WEIGHT_GRAIN,
    2 * rows * hidden * width,
  );
  if (dRecurrent != null) backend.disposeData(dRecurrent.dataId);
  return { dInputGates, dWeightHhT, dBiasHh, dInitial, dProbes };
}

/**
 * The whole-layer loops of `math`'s kind on a wasm backend, or null: switched off ({@link setLayerLoops},
 * `setSimdKernels`), no SIMD kernels on this backend, or a cell math with no loop.
 */
export function simdLayerLoopFor(backend: KernelBackend, math: LayerCellMath): SimdLayerLoop | null {
  if (!enabled) return null;
  const kind = KINDS.get(math);
  const simd = kind == null ? null : simdKernelsFor(backend);
  if (kind == null || simd == null) return null;
  return {
    forward: (dims, inputs) => forward(kind, simd, backend, dims, inputs),
    backward: (dims, inputs) => backward(kind, simd, backend, dims, inputs),
  };
}
