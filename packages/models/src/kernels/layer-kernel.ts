import type {
  KernelBackend,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { allocate, float32View } from './backend-memory.js';
import {
  type LayerCellMath,
  type LayerDims,
  type LayerWorkspace,
  layerBackward,
  layerForward,
} from './layer-scaffold.js';
import { simdKernelsFor } from './simd/simd-kernels.js';
import { simdLayerLoopFor } from './simd/simd-layer-loop.js';
import { simdLayerMath } from './simd/simd-layer-math.js';
import { PINNED_WASM_BACKEND_VERSION } from './wasm-internals.js';

/**
 * A whole recurrent layer over a window as one tfjs kernel forward and one backward (wasm, cpu): the shared
 * scaffold (layer-scaffold.ts) on the backend's own memory, each step's recurrent product by the backend's
 * BatchMatMul kernel function called directly (no engine bookkeeping). The per-step path costs ≈ 10 kernel
 * calls per step and layer, each with ≈ 10 µs of engine work, which dominates small models.
 *
 * Every tensor crossing the tfjs boundary is named: kernel inputs by {@link LayerKernelInputs}, forward
 * outputs and the tensors the gradient saves by the lists {@link forwardOutputNames} builds, the backward
 * kernel's outputs in the order of {@link forwardInputNames} (the gradient of each forward input).
 */

/** The backends whose memory the layer kernels use directly. */
export const LAYER_KERNEL_BACKENDS = ['wasm', 'cpu'] as const;
type LayerBackendName = (typeof LAYER_KERNEL_BACKENDS)[number];

/** A layer kernel's inputs (G gate blocks, T·B rows step-major). */
export interface LayerKernelInputs {
  /** X = x W_ihᵀ + b_ih (+ b_hh when folded) [T·B, G·H] */
  inputGates: tf.Tensor2D;
  /** W_hhᵀ [H, G·H] */
  weightHhT: tf.Tensor2D;
  /** b_hh [G·H], for a cell that adds it to the recurrent product (GRU) */
  biasHh?: tf.Tensor1D;
  /** initial hidden state [B, H] */
  h0: tf.Tensor2D;
  /** initial cell state [B, H] (LSTM) */
  c0?: tf.Tensor2D;
  /**
   * zero tensors [T·B, H] added to the state each step carries on (h̃_t = h_t + z^h_t, c̃_t = c_t + z^c_t):
   * their gradients are ∂L/∂h̃_t, ∂L/∂c̃_t, the one-pass gradient-norm profile's adjoints.
   */
  probes?: { h: tf.Tensor2D; c?: tf.Tensor2D };
}

/** A layer kernel's result: outputs h_0 … h_{T−1} (un-probed) [T·B, H]; the final carried state [B, H]. */
export interface LayerKernelResult {
  outputs: tf.Tensor2D;
  h: tf.Tensor2D;
  /** LSTM only */
  c?: tf.Tensor2D;
  /**
   * With `options.stateAt = s` (0 < s < T): the state after the first s steps, [B, H] per state component
   * (h, then c for the LSTM). Values only: no gradient flows back through them (a carried state is detached).
   */
  stateAt?: tf.Tensor2D[];
}

/** One layer kind's kernel: its names and math. Build with {@link defineLayerKernel}. */
export interface LayerKernelDefinition {
  readonly kernelName: string;
  readonly gradKernelName: string;
  /** The op's name in error messages. */
  readonly opName: string;
  readonly math: LayerCellMath;
}

interface LayerAttrs {
  probed: boolean;
}

const capitalized = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/** The forward kernel's input names, in order: the backward kernel returns their gradients in this order. */
export function forwardInputNames(math: LayerCellMath, probed: boolean): string[] {
  return [
    'inputGates',
    'weightHhT',
    ...(math.recurrentBias ? ['biasHh'] : []),
    ...math.stateNames.map((s) => `${s}0`),
    ...(probed ? math.stateNames.map((s) => `probes${capitalized(s)}`) : []),
  ];
}

/**
 * The forward kernel's outputs, in order: outputs, the final state (hLast, cLast), the saved activations
 * (when the cell saves any), the carried sequences after h (cs), and last, only when probed, hsCarried.
 */
export function forwardOutputNames(math: LayerCellMath, probed: boolean): string[] {
  return [
    'outputs',
    ...math.stateNames.map((s) => `${s}Last`),
    ...(math.savedWidth > 0 ? ['saved'] : []),
    ...math.stateNames.slice(1).map((s) => `${s}s`),
    ...(probed ? ['hsCarried'] : []),
  ];
}

/** What the gradient keeps of the forward call: inputs by name, outputs by name. */
const SAVED_INPUTS = (math: LayerCellMath) => ['weightHhT', ...math.stateNames.map((s) => `${s}0`)];
const SAVED_OUTPUTS = new Set(['outputs', 'saved', 'cs', 'hsCarried']);

/** The {@link LayerWorkspace} on a backend's own tensors. */
function backendWorkspace(backendName: LayerBackendName, backend: KernelBackend): LayerWorkspace<TensorInfo> {
  const matMul = tf.getKernel('BatchMatMul', backendName)!.kernelFunc;
  const transpose = tf.getKernel('Transpose', backendName)!.kernelFunc;
  return {
    allocate: (shape) => allocate(backend, [...shape], 'float32'),
    view: (info) => float32View(backend, info),
    matMul: (a, b) =>
      matMul({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo,
    transpose: (x) => transpose({ inputs: { x }, backend, attrs: { perm: [1, 0] } }) as TensorInfo,
    release: (info) => backend.disposeData(info.dataId),
  };
}

/** The cell's math on this backend: the SIMD kernels on wasm when available, else the JavaScript steps. */
function mathOn(backendName: LayerBackendName, backend: KernelBackend, math: LayerCellMath): LayerCellMath {
  if (backendName !== 'wasm') return math;
  const simd = simdKernelsFor(backend);
  return simd == null ? math : simdLayerMath(math, simd.exports);
}

function named(kernelName: string, inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const info = inputs[name];
  if (info == null) throw new Error(`${kernelName}: missing input "${name}"`);
  return info;
}

function dimsOf(h0: TensorInfo, rows: number): LayerDims {
  const [batch, hidden] = h0.shape as [number, number];
  return { steps: rows / batch, batch, hidden };
}

function forwardKernel(def: LayerKernelDefinition, backendName: LayerBackendName): KernelFunc {
  const { math, kernelName } = def;
  return ({ inputs, backend, attrs }) => {
    const probed = (attrs as unknown as LayerAttrs).probed === true;
    const input = (name: string) => named(kernelName, inputs, name);
    const inputGates = input('inputGates');
    const dims = dimsOf(input('h0'), inputGates.shape[0]!);
    const kb = backend as KernelBackend;
    const runInputs = {
      inputGates,
      weightHhT: input('weightHhT'),
      ...(math.recurrentBias ? { biasHh: input('biasHh') } : {}),
      initial: math.stateNames.map((s) => input(`${s}0`)),
      ...(probed ? { probes: math.stateNames.map((s) => input(`probes${capitalized(s)}`)) } : {}),
    };
    const loop = backendName === 'wasm' ? simdLayerLoopFor(kb, math) : null;
    const run =
      loop != null
        ? loop.forward(dims, runInputs)
        : layerForward(mathOn(backendName, kb, math), backendWorkspace(backendName, kb), dims, runInputs);
    const byName: Record<string, TensorInfo | null> = {
      outputs: run.outputs,
      saved: run.saved,
      hsCarried: run.carriedH,
    };
    math.stateNames.forEach((s, k) => {
      byName[`${s}Last`] = run.final[k]!;
      if (k > 0) byName[`${s}s`] = run.sequences[k - 1]!;
    });
    return forwardOutputNames(math, probed).map((name) => byName[name]!);
  };
}

function backwardKernel(def: LayerKernelDefinition, backendName: LayerBackendName): KernelFunc {
  const { math, gradKernelName } = def;
  return ({ inputs, backend, attrs }) => {
    const probed = (attrs as unknown as LayerAttrs).probed === true;
    const input = (name: string) => named(gradKernelName, inputs, name);
    const outputs = input('outputs');
    const dims = dimsOf(input('h0'), outputs.shape[0]!);
    const kb = backend as KernelBackend;
    const runInputs = {
      dOutputs: input('dOutputs'),
      dFinal: math.stateNames.map((s) => input(`d${capitalized(s)}Last`)),
      saved: math.savedWidth > 0 ? input('saved') : null,
      outputs,
      sequences: math.stateNames.slice(1).map((s) => input(`${s}s`)),
      carriedH: probed ? input('hsCarried') : null,
      initial: math.stateNames.map((s) => input(`${s}0`)),
      weightHhT: input('weightHhT'),
      probed,
    };
    const loop = backendName === 'wasm' ? simdLayerLoopFor(kb, math) : null;
    const run =
      loop != null
        ? loop.backward(dims, runInputs)
        : layerBackward(mathOn(backendName, kb, math), backendWorkspace(backendName, kb), dims, runInputs);
    const byName: Record<string, TensorInfo> = {
      inputGates: run.dInputGates,
      weightHhT: run.dWeightHhT,
    };
    if (run.dBiasHh != null) byName.biasHh = run.dBiasHh;
    math.stateNames.forEach((s, k) => {
      byName[`${s}0`] = run.dInitial[k]!;
      if (run.dProbes != null) byName[`probes${capitalized(s)}`] = run.dProbes[k]!;
    });
    return forwardInputNames(math, probed).map((name) => byName[name]!);
  };
}

/** What tfjs's `customGrad` is built on: an op of several outputs with its own forward, save and backward. */
interface CustomOpInvocation {
  inputs: tf.NamedTensorMap;
  attrs: NamedAttrMap;
  forwardFunc: (backend: unknown, save?: tf.GradSaveFunc) => tf.Tensor[];
  backwardsFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

/**
 * tfjs's Engine.runKernelFunc, which `customGrad` calls: public in the JavaScript, private in the typings.
 * (customGrad itself returns one tensor; a layer returns two or three.) tfjs-core is pinned with the wasm
 * backend.
 */
function customOp(op: string): (invocation: CustomOpInvocation) => tf.Tensor | tf.Tensor[] {
  const engine = tf.engine() as unknown as {
    runKernelFunc?: (p: CustomOpInvocation) => tf.Tensor | tf.Tensor[];
  };
  if (typeof engine.runKernelFunc !== 'function') {
    throw new Error(
      `${op}: tfjs-core ${tf.version_core} has no Engine.runKernelFunc, which the layer kernels use; install @tensorflow/tfjs-core ${PINNED_WASM_BACKEND_VERSION}, the version @tbptt/models pins`,
    );
  }
  return (invocation) => engine.runKernelFunc!(invocation);
}

/** Names a layer kind's kernel pair. */
export function defineLayerKernel(
  kernelName: string,
  opName: string,
  math: LayerCellMath,
): LayerKernelDefinition {
  return Object.freeze({ kernelName, gradKernelName: `${kernelName}Grad`, opName, math });
}

/** Registers the kernel pair on wasm and cpu (each unless registered). Idempotent. */
export function registerLayerKernel(def: LayerKernelDefinition): void {
  for (const backendName of LAYER_KERNEL_BACKENDS) {
    if (tf.getKernel(def.kernelName, backendName) == null) {
      tf.registerKernel({
        kernelName: def.kernelName,
        backendName,
        kernelFunc: forwardKernel(def, backendName),
      });
    }
    if (tf.getKernel(def.gradKernelName, backendName) == null) {
      tf.registerKernel({
        kernelName: def.gradKernelName,
        backendName,
        kernelFunc: backwardKernel(def, backendName),
      });
    }
  }
}

/** True when the active backend has `def`'s kernel registered. */
export function hasLayerKernel(def: LayerKernelDefinition): boolean {
  return tf.getKernel(def.kernelName, tf.getBackend()) != null;
}

function checkShape(
  op: string,
  name: string,
  x: tf.Tensor | undefined,
  shape: number[],
  meaning: string,
): void {
  if (x == null || x.shape.length !== shape.length || x.shape.some((d, i) => d !== shape[i])) {
    throw new Error(
      `${op}: ${name} must be ${meaning} = [${shape.join(', ')}], got ${x == null ? 'nothing' : `[${x.shape}]`}`,
    );
  }
}

/**
 * Runs a layer over a window by `def`'s kernel (check {@link hasLayerKernel} first). Differentiable with
 * respect to every input, probes included. Throws naming the op and the argument on a shape mismatch.
 */
export function runLayerKernel(
  def: LayerKernelDefinition,
  inputs: LayerKernelInputs,
  options: { stateAt?: number } = {},
): LayerKernelResult {
  const { math, opName: op } = def;
  const { inputGates, weightHhT, h0 } = inputs;
  const [batch, hidden] = h0.shape;
  const gates = math.gates;
  const width = `${gates === 1 ? '' : gates}H`;
  const rows = inputGates.shape[0];
  if (inputGates.shape[1] !== gates * hidden || rows % batch !== 0 || rows === 0) {
    throw new Error(
      `${op}: inputGates must be [T·B, ${width}] with B = ${batch}, H = ${hidden}, T ≥ 1, got [${inputGates.shape}]`,
    );
  }
  checkShape(op, 'weightHhT', weightHhT, [hidden, gates * hidden], `[H, ${width}]`);
  if (math.recurrentBias) checkShape(op, 'biasHh', inputs.biasHh, [gates * hidden], `[${width}]`);
  if (math.stateNames.includes('c')) checkShape(op, 'c0', inputs.c0, [batch, hidden], '[B, H]');
  const probed = inputs.probes != null;
  const map: tf.NamedTensorMap = { inputGates, weightHhT, h0 };
  if (math.recurrentBias) map.biasHh = inputs.biasHh!;
  if (inputs.c0 != null && math.stateNames.includes('c')) map.c0 = inputs.c0;
  if (probed) {
    for (const s of math.stateNames) {
      const z = inputs.probes![s as 'h' | 'c'];
      checkShape(op, `probes.${s}`, z, [rows, hidden], '[T·B, H]');
      map[`probes${capitalized(s)}`] = z!;
    }
  }
  const attrs = { probed } as unknown as NamedAttrMap;
  const names = forwardOutputNames(math, probed);
  // What the op returns: the outputs and the final state. The tensors only the gradient needs (the saved
  // activations, c̃, h̃) are kept by the op's own save, not returned: tfjs hands every returned output without
  // a gradient a zero tensor of its shape (the saved activations alone [T·B, 5H], made in JavaScript and
  // copied to the backend on every backward pass).
  const returned = ['outputs', ...math.stateNames.map((s) => `${s}Last`)];
  // The state after step s − 1: rows [(s − 1)·B, s·B) of h's and c's sequences, sliced inside the op and
  // returned as [B, H] extras (their zero gradients are that small; the sequences stay unreturned).
  const stateAt = options.stateAt;
  const steps = rows / batch;
  if (stateAt !== undefined && (!Number.isInteger(stateAt) || stateAt <= 0 || stateAt >= steps)) {
    throw new Error(`${op}: stateAt must be an integer in (0, T) = (0, ${steps}), got ${String(stateAt)}`);
  }
  const sequenceNames = ['outputs', ...math.stateNames.slice(1).map((s) => `${s}s`)];
  const savedNames = [...SAVED_INPUTS(math), ...names.filter((name) => SAVED_OUTPUTS.has(name))];
  const results = customOp(def.opName)({
    inputs: map,
    attrs,
    forwardFunc: (_backend: unknown, save?: tf.GradSaveFunc) => {
      const outs = tf.engine().runKernel(def.kernelName, map, attrs) as tf.Tensor[];
      const byName = new Map(names.map((name, i) => [name, outs[i]!]));
      save?.(savedNames.map((name) => map[name] ?? byName.get(name)!));
      const extras =
        stateAt === undefined
          ? []
          : sequenceNames.map((name) =>
              tf.slice(byName.get(name)!, [(stateAt - 1) * batch, 0], [batch, hidden]),
            );
      return [...returned.map((name) => byName.get(name)!), ...extras];
    },
    backwardsFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const dy = Array.isArray(dys) ? dys : [dys];
      const gradInputs: tf.NamedTensorMap = {};
      savedNames.forEach((name, i) => {
        gradInputs[name] = saved[i]!;
      });
      gradInputs.dOutputs = dy[0]!;
      math.stateNames.forEach((s, k) => {
        gradInputs[`d${capitalized(s)}Last`] = dy[k + 1]!;
      });
      const grads = tf.engine().runKernel(def.gradKernelName, gradInputs, attrs) as tf.Tensor[];
      return Object.fromEntries(forwardInputNames(math, probed).map((name, i) => [name, () => grads[i]!]));
    },
  }) as tf.Tensor2D[];
  const result: LayerKernelResult = { outputs: results[0]!, h: results[1]! };
  if (math.stateNames.includes('c')) result.c = results[2]!;
  if (stateAt !== undefined) result.stateAt = results.slice(returned.length);
  return result;
}
