import * as tf from '@tensorflow/tfjs-core';
import { packageRequire } from './wasm-binaries';

/** The most threads the threaded-SIMD build can use: it pre-creates 8 pthread workers, XNNPACK caps at 8. */
export const MAX_WASM_THREADS = 8;

/** How long the threaded build may take to start its workers before initialisation fails. */
const START_TIMEOUT_MS = 60_000;

/** tfjs-backend-wasm's priority for 'wasm' (kept when the factory is replaced). */
const WASM_PRIORITY = 2;

type BackendFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;

/** The factory tfjs-backend-wasm registered (single-threaded SIMD build in Node), kept to switch back. */
let stockFactory: BackendFactory | undefined;

/** The thread count the registered 'wasm' factory gives: 1 for the stock factory in Node. */
let registeredThreads = 1;

/** The subset of the emscripten module `BackendWasm` needs (it reads `module.tfjs`). */
interface EmscriptenModule {
  PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
}

interface EmscriptenConfig {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(
    imports: { env: Record<string, unknown> },
    receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ): Record<string, never>;
  onAbort(what: unknown): void;
}

/** Stands for the pthread worker script in `locateFile`; the patched `Worker` runs it from source. */
const WORKER_SENTINEL = 'tbptt-wasm-threaded-simd.worker.js';

/**
 * Loads tfjs-backend-wasm's threaded-SIMD build in Node and returns a `BackendWasm` with `threads` XNNPACK
 * threads (the main thread and `threads - 1` pthread workers; their memory is one shared `WebAssembly.Memory`).
 *
 * tfjs disables this build in Node (its flag `WASM_HAS_MULTITHREAD_SUPPORT` returns false there) and, in
 * any runtime, caps the thread pool at half of `emscripten_num_logical_cores()` (1 on a 2-core machine).
 * Here the emscripten module is created directly, with:
 * - `locateFile`/`mainScriptUrlOrBlob`: the glue and `.wasm` from `wasm-out/` by path (tfjs passes Blob
 *   URLs, which Node's `Worker` and the workers' `importScripts` cannot load);
 * - the pthread worker script (shipped as a string, `wasmWorkerContents`) started with `{ eval: true }` by
 *   swapping `worker_threads.Worker` for a subclass while the glue creates its worker pool;
 * - `instantiateWasm` (emscripten's documented hook) reporting `2 · threads` logical cores, so that the
 *   half-the-cores cap allows `threads`.
 */
async function createThreadedBackend(threads: number): Promise<tf.KernelBackend> {
  const wasmPackage = await import('@tensorflow/tfjs-backend-wasm');
  const { dirname, join } = await import('node:path');
  const { readFile } = await import('node:fs/promises');
  const require = await packageRequire();
  const folder = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const gluePath = join(folder, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(gluePath) as (config: EmscriptenConfig) => Promise<EmscriptenModule>;
  const { wasmWorkerContents } = require(join(folder, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The script is a template literal: its "\n" escapes became newlines; put them back (as tfjs does).
  const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
  const binary = await readFile(join(folder, 'tfjs-backend-wasm-threaded-simd.wasm'));
  const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
  const NodeWorker = workerThreads.Worker;
  class EvalWorker extends NodeWorker {
    constructor(filename: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      // The worker source is CommonJS: drop an inherited --input-type=module (a `node --input-type=module -e` host).
      const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
      if (filename === WORKER_SENTINEL) super(workerSource, { eval: true, execArgv });
      else super(filename, options);
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = new Promise<EmscriptenModule>((resolve, reject) => {
    // A ref'd timer also keeps Node alive while the workers load (they are unref'd until then only).
    timer = setTimeout(
      () =>
        reject(new Error(`the threaded-SIMD wasm build did not start within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    const config: EmscriptenConfig = {
      locateFile: (path) => (path.endsWith('.worker.js') ? WORKER_SENTINEL : join(folder, path)),
      mainScriptUrlOrBlob: gluePath,
      instantiateWasm: (imports, receive) => {
        imports.env.emscripten_num_logical_cores = () => 2 * threads;
        // The shared heap, which this package's own SIMD kernels import (simd-kernels.ts).
        (config as { tbpttMemory?: unknown }).tbpttMemory = imports.env.memory;
        WebAssembly.instantiate(binary, imports as WebAssembly.Imports).then(
          ({ instance, module }) => receive(instance, module),
          reject,
        );
        return {};
      },
      onAbort: (what) => reject(new Error(`the threaded-SIMD wasm build aborted: ${String(what)}`)),
    };
    // The glue reads `require('worker_threads').Worker` when it creates its pool, synchronously here.
    (workerThreads as { Worker: unknown }).Worker = EvalWorker;
    try {
      factory(config).then(resolve, reject);
    } catch (error) {
      reject(error);
    } finally {
      (workerThreads as { Worker: unknown }).Worker = NodeWorker;
    }
  });
  let module: EmscriptenModule;
  try {
    module = await started;
  } finally {
    clearTimeout(timer);
  }
  // What tfjs-backend-wasm's init() attaches before constructing the backend.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  // BackendWasm's constructor creates the thread pool with the count set here.
  wasmPackage.setThreadsCount(threads);
  const backend = new wasmPackage.BackendWasm(module as never);
  const actual = wasmPackage.getThreadsCount();
  if (actual !== threads) {
    backend.dispose();
    throw new Error(`the threaded-SIMD wasm build started ${actual} threads, not ${threads}`);
  }
  // The pool's threads run (wait) for the module's lifetime and emscripten keeps their workers ref'd,
  // which would keep Node from exiting: unref them (they only ever work inside a synchronous kernel call).
  for (const worker of [
    ...(module.PThread?.runningWorkers ?? []),
    ...(module.PThread?.unusedWorkers ?? []),
  ]) {
    worker.unref();
  }
  return backend;
}

/** Checks a thread count; `label` names the function and argument in the error (e.g. `'f: threads'`). */
export function checkWasmThreads(threads: unknown, label: string): number {
  if (
    typeof threads !== 'number' ||
    !Number.isInteger(threads) ||
    threads < 1 ||
    threads > MAX_WASM_THREADS
  ) {
    throw new Error(
      `${label} must be an integer from 1 to ${MAX_WASM_THREADS}, got ${JSON.stringify(threads)}; ` +
        'use 1 (the default, single-threaded) or the number of cores.',
    );
  }
  return threads;
}

/**
 * Makes the next initialisation of tfjs's `'wasm'` backend use `threads` XNNPACK threads.
 *
 * - Node, `threads > 1`: the threaded-SIMD build, loaded by this package (see `createThreadedBackend`);
 *   `threads === 1`: tfjs-backend-wasm's own factory (the single-threaded SIMD build, the default).
 * - Browsers: `setThreadsCount(threads)` before the backend starts; tfjs itself picks the threaded
 *   build when the page is cross-origin isolated, and caps the pool at half the logical cores.
 *
 * In Node, when the wasm backend is already initialised with another thread count, it is removed first
 * (`tf.removeBackend`, which also stops its workers): every tensor on it is lost. The caller then activates it (`tf.setBackend('wasm')`).
 * Call only after `@tensorflow/tfjs-backend-wasm` has been imported (it registers the stock factory).
 */
export async function useWasmThreads(threads: number): Promise<void> {
  checkWasmThreads(threads, 'useWasmThreads: threads');
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) {
    if (tf.engine().registry.wasm != null && threads !== registeredThreads) {
      throw new Error(
        `useWasmThreads: the wasm backend already runs with ${registeredThreads} thread(s), got threads ${threads}; ` +
          'in a browser pass threads in the first selectBackend call.',
      );
    }
    (await import('@tensorflow/tfjs-backend-wasm')).setThreadsCount(threads);
    registeredThreads = threads;
    return;
  }
  if (threads === registeredThreads && tf.findBackendFactory('wasm') != null) return;
  if (stockFactory == null) {
    const current = tf.findBackendFactory('wasm');
    if (current == null) {
      throw new Error(
        'useWasmThreads: no "wasm" backend is registered; import @tensorflow/tfjs-backend-wasm first.',
      );
    }
    stockFactory = current as BackendFactory;
  }
  const stock = stockFactory;
  const wasmPackage = await import('@tensorflow/tfjs-backend-wasm');
  // Only microtasks from here to the caller's tf.setBackend: no I/O lets an old initialisation land.
  tf.removeBackend('wasm');
  const factory: BackendFactory =
    threads === 1
      ? () => {
          wasmPackage.setThreadsCount(-1); // tfjs's default (the single-threaded build has one thread)
          return stock();
        }
      : () => createThreadedBackend(threads);
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
  registeredThreads = threads;
}

/**
 * Checks, after `tf.setBackend('wasm')`, that the active wasm backend runs `threads` threads (in Node with
 * `threads > 1`: the threaded build's module); throws otherwise, e.g. when an initialisation of the stock
 * factory started elsewhere (`tf.findBackend('wasm')`, `tf.ready()`) finished in between.
 */
export async function verifyWasmThreads(threads: number): Promise<void> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode || threads === 1) return;
  const backend = tf.engine().registry.wasm as unknown as { wasm?: { PThread?: unknown } } | undefined;
  const actual = (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
  if (backend?.wasm?.PThread == null || actual !== threads) {
    throw new Error(
      `selectBackend: the wasm backend runs ${backend?.wasm?.PThread == null ? 'the single-threaded build' : `${actual} threads`}, ` +
        `not the threaded build with ${threads} threads; call selectBackend('wasm', { threads: ${threads} }) ` +
        'before anything else initialises the wasm backend (tf.ready(), tf.findBackend, the first op).',
    );
  }
}

/** The thread count the registered (or active) `'wasm'` backend was set up with by this package. */
export function wasmThreads(): number {
  return registeredThreads;
}
