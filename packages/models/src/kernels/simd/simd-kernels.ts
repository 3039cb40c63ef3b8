import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-binary.js';

/**
 * This package's own WebAssembly SIMD kernels (`wasm/tbptt-kernels.c`), instantiated against
 * tfjs-backend-wasm's own memory: the module imports the backend's `WebAssembly.Memory` as `env.memory`,
 * so a kernel reads and writes the backend's tensors where they are (pointer = the tensor's
 * `memoryOffset`), with no copies. One instance per backend.
 *
 * The memory: the single-threaded build exports it (`module.asm.memory`); the threaded build creates a
 * shared one and passes it in through emscripten's `instantiateWasm` hook (recorded by wasm-threads.ts
 * as `module.tbpttMemory`; emscripten also keeps it as `module.wasmMemory`). A shared memory needs the
 * variant of the binary that imports a shared memory.
 */
export interface SimdKernelExports {
  lstm_forward_step(
    x: number,
    r: number,
    cPrev: number,
    h: number,
    c: number,
    act: number,
    batch: number,
    hidden: number,
  ): void;
  lstm_backward_step(
    dhOut: number,
    carryH: number,
    carryC: number,
    act: number,
    cPrev: number,
    dIn: number,
    dr: number,
    batch: number,
    hidden: number,
  ): void;
  gru_forward_step(
    x: number,
    r: number,
    hPrev: number,
    h: number,
    act: number,
    batch: number,
    hidden: number,
  ): void;
  gru_backward_step(
    dhOut: number,
    carry: number,
    act: number,
    hPrev: number,
    dIn: number,
    dr: number,
    batch: number,
    hidden: number,
  ): void;
  rnn_forward_step(x: number, r: number, h: number, n: number, relu: number): void;
  rnn_backward_step(
    dhOut: number,
    h: number,
    carry: number,
    dIn: number,
    dr: number,
    n: number,
    relu: number,
  ): void;
  lstm_layer_forward(
    x: number,
    w: number,
    h0: number,
    c0: number,
    zh: number,
    zc: number,
    out: number,
    cs: number,
    saved: number,
    hc: number,
    hLast: number,
    cLast: number,
    steps: number,
    batch: number,
    hidden: number,
  ): void;
  lstm_layer_backward(
    dOut: number,
    saved: number,
    cs: number,
    c0: number,
    hSeq: number,
    h0: number,
    w: number,
    carryH: number,
    carryC: number,
    dzh: number,
    dzc: number,
    dIn: number,
    dw: number,
    steps: number,
    batch: number,
    hidden: number,
  ): void;
  gru_layer_forward(
    x: number,
    w: number,
    bias: number,
    h0: number,
    zh: number,
    out: number,
    saved: number,
    hc: number,
    hLast: number,
    steps: number,
    batch: number,
    hidden: number,
  ): void;
  gru_layer_backward(
    dOut: number,
    saved: number,
    hSeq: number,
    h0: number,
    w: number,
    carry: number,
    dzh: number,
    dIn: number,
    dr: number,
    dw: number,
    db: number,
    steps: number,
    batch: number,
    hidden: number,
  ): void;
  rnn_layer_forward(
    x: number,
    w: number,
    h0: number,
    zh: number,
    out: number,
    hc: number,
    hLast: number,
    steps: number,
    batch: number,
    hidden: number,
    relu: number,
  ): void;
  rnn_layer_backward(
    dOut: number,
    out: number,
    hSeq: number,
    h0: number,
    w: number,
    carry: number,
    dzh: number,
    dIn: number,
    dw: number,
    steps: number,
    batch: number,
    hidden: number,
    relu: number,
  ): void;
  layer_input_forward(
    x: number,
    weightT: number,
    bias: number,
    out: number,
    rows: number,
    inner: number,
    width: number,
  ): void;
  layer_input_backward(
    dy: number,
    x: number,
    weightT: number,
    dx: number,
    dwT: number,
    db: number,
    rows: number,
    inner: number,
    width: number,
  ): void;
  softmax_ce_forward(
    z: number,
    targets: number,
    loss: number,
    p: number,
    rows: number,
    classes: number,
  ): void;
  softmax_ce_backward(
    p: number,
    targets: number,
    scale: number,
    grad: number,
    rows: number,
    classes: number,
  ): void;
  sum_squares(x: number, n: number): number;
  linear_forward(
    x: number,
    weight: number,
    bias: number,
    z: number,
    rows: number,
    inner: number,
    outer: number,
    hasBias: number,
  ): void;
  linear_backward_input(
    dy: number,
    weight: number,
    dx: number,
    rows: number,
    inner: number,
    outer: number,
  ): void;
  linear_backward_weight(
    dy: number,
    x: number,
    dw: number,
    db: number,
    rows: number,
    inner: number,
    outer: number,
    hasBias: number,
  ): void;
  sgd_update(
    theta: number,
    g: number,
    thetaOut: number,
    n: number,
    lr: number,
    scale: number,
    wd: number,
  ): void;
  momentum_update(
    theta: number,
    g: number,
    v: number,
    thetaOut: number,
    vOut: number,
    n: number,
    lr: number,
    scale: number,
    wd: number,
    mu: number,
  ): void;
  adam_update(
    theta: number,
    g: number,
    m: number,
    v: number,
    thetaOut: number,
    mOut: number,
    vOut: number,
    n: number,
    lr: number,
    scale: number,
    wd: number,
    beta1: number,
    beta2: number,
    c1: number,
    c2: number,
    eps: number,
  ): void;
  adadelta_update(
    theta: number,
    g: number,
    sq: number,
    acc: number,
    thetaOut: number,
    sqOut: number,
    accOut: number,
    n: number,
    lr: number,
    scale: number,
    wd: number,
    rho: number,
    eps: number,
  ): void;
}

/** The kernels attached to one wasm backend: its exports, and the address of a tensor in the heap. */
export interface SimdKernels {
  readonly exports: SimdKernelExports;
  /** The byte address of a tensor's data in the backend's heap. */
  address(info: TensorInfo): number;
}

interface WasmModuleLike {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  tbpttMemory?: WebAssembly.Memory;
}

interface WasmBackendLike {
  wasm?: WasmModuleLike;
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
}

let enabled = true;
const attached = new WeakMap<object, SimdKernels | null>();
const compiled: { plain?: WebAssembly.Module; shared?: WebAssembly.Module } = {};

/**
 * Turns this package's SIMD kernels off (the JavaScript kernels run, the reference) or back on. For
 * comparisons, benchmarks and tests; on by default.
 */
export function setSimdKernels(on: boolean): void {
  enabled = on;
}

/** True when the SIMD kernels are switched on ({@link setSimdKernels}). */
export function simdKernelsEnabled(): boolean {
  return enabled;
}

function decode(base64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(base64, 'base64'));
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function memoryOf(backend: KernelBackend): WebAssembly.Memory | undefined {
  const module = (backend as unknown as WasmBackendLike).wasm;
  const memory = module?.tbpttMemory ?? module?.asm?.memory ?? module?.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

function moduleFor(shared: boolean): WebAssembly.Module {
  const key = shared ? 'shared' : 'plain';
  compiled[key] ??= new WebAssembly.Module(
    decode(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64) as BufferSource,
  );
  return compiled[key]!;
}

function wrap(backend: KernelBackend, instance: WebAssembly.Instance): SimdKernels {
  const map = (backend as unknown as WasmBackendLike).dataIdMap!;
  return {
    exports: instance.exports as unknown as SimdKernelExports,
    address(info) {
      const entry = map.get(info.dataId);
      if (entry == null) throw new Error('simd-kernels: tensor is not on the wasm backend (disposed?)');
      return entry.memoryOffset;
    },
  };
}

/**
 * Compiles and instantiates the kernels for a wasm backend, asynchronously (browsers refuse synchronous
 * compilation of modules over 4 KB on the main thread). selectBackend('wasm') calls it; afterwards
 * {@link simdKernelsFor} finds the instance. Resolves to false when the backend's memory cannot be found.
 */
export async function attachSimdKernels(backend: KernelBackend): Promise<boolean> {
  if (attached.get(backend) != null) return true;
  const memory = memoryOf(backend);
  if (memory == null || (backend as unknown as WasmBackendLike).dataIdMap == null) {
    attached.set(backend, null);
    return false;
  }
  const shared = isShared(memory);
  const key = shared ? 'shared' : 'plain';
  compiled[key] ??= await WebAssembly.compile(
    decode(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64) as BufferSource,
  );
  const instance = await WebAssembly.instantiate(compiled[key]!, { env: { memory } });
  attached.set(backend, wrap(backend, instance));
  return true;
}

/**
 * The kernels of `backend` (a wasm backend), or null: switched off, not a wasm backend, or its memory not
 * found. Instantiates synchronously on first use when {@link attachSimdKernels} has not run (fine in Node).
 */
export function simdKernelsFor(backend: KernelBackend): SimdKernels | null {
  if (!enabled) return null;
  const known = attached.get(backend);
  if (known !== undefined) return known;
  const memory = memoryOf(backend);
  if (memory == null || (backend as unknown as WasmBackendLike).dataIdMap == null) {
    attached.set(backend, null);
    return null;
  }
  try {
    const instance = new WebAssembly.Instance(moduleFor(isShared(memory)), { env: { memory } });
    const kernels = wrap(backend, instance);
    attached.set(backend, kernels);
    return kernels;
  } catch {
    attached.set(backend, null);
    return null;
  }
}
