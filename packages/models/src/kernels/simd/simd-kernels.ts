import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelThreads, type SplitKernel, startKernelThreads } from './kernel-threads.js';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-binary.js';

export type { SplitKernel } from './kernel-threads.js';

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
  layer_input_forward(
    x: number,
    weightT: number,
    bias: number,
    out: number,
    rows: number,
    inner: number,
    width: number,
  ): void;
  lstm_layer_backward_rows(
    dOut: number,
    saved: number,
    cs: number,
    c0: number,
    w: number,
    carryH: number,
    carryC: number,
    dzh: number,
    dzc: number,
    dIn: number,
    steps: number,
    batch: number,
    hidden: number,
  ): void;
  gru_layer_backward_rows(
    dOut: number,
    saved: number,
    hSeq: number,
    h0: number,
    w: number,
    carry: number,
    dzh: number,
    dIn: number,
    dr: number,
    steps: number,
    batch: number,
    hidden: number,
  ): void;
  rnn_layer_backward_rows(
    dOut: number,
    out: number,
    w: number,
    carry: number,
    dzh: number,
    dIn: number,
    steps: number,
    batch: number,
    hidden: number,
    relu: number,
  ): void;
  layer_recurrent_grad(
    hSeq: number,
    h0: number,
    d: number,
    dw: number,
    db: number,
    steps: number,
    batch: number,
    hidden: number,
    width: number,
  ): void;
  layer_input_grad_weight(
    dy: number,
    x: number,
    dwT: number,
    db: number,
    rows: number,
    inner: number,
    width: number,
  ): void;
  layer_input_grad_input(
    dy: number,
    weightT: number,
    dx: number,
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
  /** `<kernel>_part`: the kernel's arguments, then the output rows [lo, hi) (kernel-threads.ts). */
  linear_forward_part(...argsThenRange: number[]): void;
  linear_backward_input_part(...argsThenRange: number[]): void;
  linear_backward_weight_part(...argsThenRange: number[]): void;
  softmax_ce_forward_part(...argsThenRange: number[]): void;
  softmax_ce_backward_part(...argsThenRange: number[]): void;
  lstm_layer_forward_part(...argsThenRange: number[]): void;
  lstm_layer_backward_rows_part(...argsThenRange: number[]): void;
  gru_layer_forward_part(...argsThenRange: number[]): void;
  gru_layer_backward_rows_part(...argsThenRange: number[]): void;
  rnn_layer_forward_part(...argsThenRange: number[]): void;
  rnn_layer_backward_rows_part(...argsThenRange: number[]): void;
  layer_recurrent_grad_part(...argsThenRange: number[]): void;
  layer_input_forward_part(...argsThenRange: number[]): void;
  layer_input_grad_weight_part(...argsThenRange: number[]): void;
  layer_input_grad_input_part(...argsThenRange: number[]): void;
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
  /**
   * Runs `kernel` (one with a `_part` export) with `args` over all of its output rows [0, total): in one
   * call, or — on the threaded build, with kernel threads on ({@link setKernelThreads}) and at least
   * {@link MIN_SPLIT_FLOPS} of work — split into parts of a multiple of `grain` rows between this thread
   * and the kernel workers (kernel-threads.ts), `partsPerThread` parts per thread (default
   * kernel-threads.ts `PARTS_PER_THREAD`). Bit-identical results either way.
   */
  split(
    kernel: SplitKernel,
    args: readonly number[],
    total: number,
    grain: number,
    flops: number,
    partsPerThread?: number,
  ): void;
  /**
   * How long the kernel threads poll before they sleep, in microseconds (kernel-threads.ts
   * `KernelThreads.spinMicros`); 0 without kernel workers, where setting it does nothing.
   */
  spinMicros: number;
  /** Threads a large split call runs on: 1 without kernel workers. */
  readonly threads: number;
  /** Parts of split calls the kernel workers have run (0 without workers). */
  readonly workerParts: number;
}

/**
 * Work below which a kernel call stays on one thread, in floating-point operations of the decoder's
 * products (other kernels count the operations that take as long: see their calls of `split`). Measured
 * with bench/kernel-threads.ts on 2 cores: a split call costs ≈ 0.1 ms more CPU time than one call (waking
 * the worker, claiming parts), whatever its size; the decoder's products run at ≈ 15 GFLOP/s, so 8 MFLOP
 * (≈ 0.5 ms on one thread) is where halving the work on a free core starts to save more than that.
 */
export const MIN_SPLIT_FLOPS = 8e6;

interface WasmModuleLike {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  tbpttMemory?: WebAssembly.Memory;
  /** XNNPACK's thread count (tfjs-backend-wasm's bridge; threaded build: the pool's size). */
  tfjs?: { getThreadsCount?: () => number };
}

interface WasmBackendLike {
  wasm?: WasmModuleLike;
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
  dispose(): void;
}

let enabled = true;
let threadsEnabled = true;
let splitFlops = MIN_SPLIT_FLOPS;
let callerParts = true;
const attached = new WeakMap<object, SimdKernels | null>();
/** The kernel workers of a backend on the threaded build (started by attachSimdKernels). */
const pools = new WeakMap<object, KernelThreads>();
/** Backends whose kernel workers are being started (so that concurrent attaches start one pool). */
const starting = new WeakSet<object>();
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

/**
 * Turns the splitting of this package's kernels between threads (threaded build only) off — every call on
 * the calling thread — or back on, splitting calls of at least `minFlops` of work (default
 * {@link MIN_SPLIT_FLOPS}). For comparisons, benchmarks and tests; on by default. `callerTakesParts`
 * false (tests): the calling thread leaves every part to the workers.
 */
export function setKernelThreads(on: boolean, minFlops = MIN_SPLIT_FLOPS, callerTakesParts = true): void {
  threadsEnabled = on;
  splitFlops = minFlops;
  callerParts = callerTakesParts;
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
  const exports = instance.exports as unknown as SimdKernelExports;
  return {
    exports,
    address(info) {
      const entry = map.get(info.dataId);
      if (entry == null) throw new Error('simd-kernels: tensor is not on the wasm backend (disposed?)');
      return entry.memoryOffset;
    },
    split(kernel, args, total, grain, flops, partsPerThread) {
      let pool = threadsEnabled && flops >= splitFlops ? pools.get(backend) : undefined;
      // A pool that gave up on a dead worker (kernel-threads.ts) is gone: one thread from then on.
      if (pool?.stopped) {
        pools.delete(backend);
        pool = undefined;
      }
      if (pool != null) pool.run(kernel, args, total, grain, callerParts, partsPerThread);
      else (exports[kernel] as (...values: number[]) => void)(...args);
    },
    get threads() {
      const pool = pools.get(backend);
      return pool == null || pool.stopped ? 1 : pool.threads;
    },
    get workerParts() {
      return pools.get(backend)?.workerParts ?? 0;
    },
    get spinMicros() {
      const pool = pools.get(backend);
      return pool == null || pool.stopped ? 0 : pool.spinMicros;
    },
    set spinMicros(micros: number) {
      const pool = pools.get(backend);
      if (pool != null && !pool.stopped) pool.spinMicros = micros;
    },
  };
}

/**
 * Starts the kernel workers of a backend on the threaded build (a shared memory, XNNPACK on more than one
 * thread), one fewer than XNNPACK's threads, and stops them when the backend is disposed.
 */
async function startPool(
  backend: KernelBackend,
  memory: WebAssembly.Memory,
  kernels: SimdKernels,
): Promise<void> {
  const threads = (backend as unknown as WasmBackendLike).wasm?.tfjs?.getThreadsCount?.() ?? 1;
  if (pools.has(backend) || starting.has(backend) || threads < 2) return;
  starting.add(backend);
  const pool = await startKernelThreads(
    moduleFor(true),
    memory,
    kernels.exports as unknown as Record<string, unknown>,
    threads,
  ).finally(() => starting.delete(backend));
  if (pool == null) return;
  pools.set(backend, pool);
  // tf.removeBackend (a change of thread count) disposes the backend: its workers go with it.
  const owner = backend as unknown as WasmBackendLike;
  const dispose = owner.dispose.bind(backend);
  owner.dispose = () => {
    pool.stop();
    pools.delete(backend);
    dispose();
  };
}

/**
 * Compiles and instantiates the kernels for a wasm backend, asynchronously (browsers refuse synchronous
 * compilation of modules over 4 KB on the main thread), and on the threaded build starts the kernel
 * workers (kernel-threads.ts). selectBackend('wasm') calls it; afterwards {@link simdKernelsFor} finds the
 * instance. Resolves to false when the backend's memory cannot be found.
 */
export async function attachSimdKernels(backend: KernelBackend): Promise<boolean> {
  const memory = memoryOf(backend);
  if (memory == null || (backend as unknown as WasmBackendLike).dataIdMap == null) {
    attached.set(backend, null);
    return false;
  }
  const shared = isShared(memory);
  let kernels = attached.get(backend);
  if (kernels == null) {
    const key = shared ? 'shared' : 'plain';
    compiled[key] ??= await WebAssembly.compile(
      decode(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64) as BufferSource,
    );
    const instance = await WebAssembly.instantiate(compiled[key]!, { env: { memory } });
    kernels = wrap(backend, instance);
    attached.set(backend, kernels);
  }
  if (shared) await startPool(backend, memory, kernels);
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

/** The SIMD kernels of `backend`, or an error naming `kernel` and the fix (for kernels that only run on them). */
export function requireSimdKernels(
  backend: KernelBackend,
  kernel: string,
): NonNullable<ReturnType<typeof simdKernelsFor>> {
  const simd = simdKernelsFor(backend);
  if (simd == null) {
    throw new Error(
      `${kernel}: needs the wasm backend with @tbptt/models' SIMD kernels (setSimdKernels(true))`,
    );
  }
  return simd;
}
