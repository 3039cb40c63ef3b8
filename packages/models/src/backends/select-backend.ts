import * as tf from '@tensorflow/tfjs-core';
import { type KernelMode, registerKernelFixes } from '../kernels/register-kernel-fixes.js';
import { setInstalledWasmVersion } from '../kernels/wasm-internals.js';
import type { ModelSpec } from '../types.js';
import { loadCoreCount, recommendedWasmThreads } from './recommended-threads.js';
import { ensureGradients } from './register-gradients.js';
import { withoutEmscriptenHandlers } from './uncaught-errors.js';
import { checkWasmThreads, MAX_WASM_THREADS, useWasmThreads, verifyWasmThreads } from './wasm-threads.js';

/** A TensorFlow.js backend this package can run on. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow' | 'webgl' | 'webgpu';

/** `'auto'` picks the fastest available backend (see {@link selectBackend}). */
export type BackendChoice = 'auto' | BackendName;

const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow', 'webgl', 'webgpu'];

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * wasm only, opt-in: XNNPACK threads for matrix products and other kernels (1 to 8; default 1, the
   * single-threaded SIMD build). In Node, `threads > 1` loads tfjs-backend-wasm's threaded-SIMD build with
   * `threads - 1` worker threads sharing the wasm memory (tfjs turns it off in Node); in browsers it sets
   * tfjs's thread count (tfjs uses the threaded build only on cross-origin-isolated pages). Changing the
   * count of an initialised wasm backend in Node re-creates it: tensors on the old one are lost.
   */
  threads?: number | 'auto';
  /**
   * With `threads: 'auto'`: the model (and `batch`) the thread count is chosen for,
   * by {@link recommendedWasmThreads} (1 for small models such as the copy task, where threads hurt; 2 or
   * more for matrix-product bound ones such as a word LM).
   */
  model?: ModelSpec;
  /** With `threads: 'auto'`: the training batch B. */
  batch?: number;
  /**
   * How this package's kernels are registered (wasm and cpu). `'replace'` (default): also replace stock
   * tfjs kernels, process-wide, by exact faster ones (wasm: BatchMatMul, _FusedMatMul, Identity, Slice,
   * Unpack, Sum; cpu: Sum, UnsortedSegmentSum), which every tfjs user in the process then runs.
   * `'own-only'`: replace nothing; add only this package's own kernels and those the backend lacks (slower
   * on wasm). See `registerKernelFixes` in `@tbptt/models/kernels`.
   */
  kernels?: KernelMode;
}

/** How to obtain each backend's package, for error messages. */
const HOW_TO_GET: Record<BackendName, string> = {
  wasm: 'it ships with @tbptt/models as @tensorflow/tfjs-backend-wasm; reinstall the package if it is missing',
  cpu: 'it ships with @tbptt/models as @tensorflow/tfjs-backend-cpu; reinstall the package if it is missing',
  tensorflow:
    'run `npm install @tensorflow/tfjs-node` on a machine with internet access (its install script downloads ' +
    'libtensorflow; with --ignore-scripts the native addon is missing), or choose "wasm"',
  webgl: 'run `npm install @tensorflow/tfjs-backend-webgl` and run in a browser with WebGL, or choose "wasm"',
  webgpu:
    'run `npm install @tensorflow/tfjs-backend-webgpu` and run in a browser with WebGPU, or choose "wasm"',
};

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * Imports a module by a name the bundler and the type checker must not follow: optional peers may be absent.
 */
async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name);
}

/** Loads the package that registers `name` with tfjs; throws with the reason on failure. */
async function loadBackendPackage(name: BackendName, threads: number | undefined): Promise<void> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      setInstalledWasmVersion(wasm.version_wasm);
      // (`tf.findBackend` would start initialising the stock factory: look at the registry instead.)
      if (isNode() && tf.engine().registry.wasm == null) {
        // Only before initialisation: point the loader at the binaries inside node_modules.
        const { wasmBinaryFolder } = await import('./wasm-binaries.js');
        wasm.setWasmPaths(await wasmBinaryFolder());
      }
      if (threads != null) await useWasmThreads(threads);
      return;
    }
    case 'tensorflow':
      // Registers the 'tensorflow' backend as an import side effect.
      await importOptional('@tensorflow/tfjs-node');
      return;
    case 'webgl':
      await importOptional('@tensorflow/tfjs-backend-webgl');
      return;
    case 'webgpu':
      if (typeof navigator === 'undefined' || !('gpu' in navigator)) {
        throw new Error('this runtime has no navigator.gpu');
      }
      await importOptional('@tensorflow/tfjs-backend-webgpu');
      return;
  }
}

/** Loads, initialises and activates one backend, then registers this package's kernels for it. */
const activate = (name: BackendName, threads: number | undefined, kernels: KernelMode) =>
  withoutEmscriptenHandlers(() => activateBackend(name, threads, kernels));
async function activateBackend(
  name: BackendName,
  threads: number | undefined,
  kernels: KernelMode,
): Promise<void> {
  try {
    await loadBackendPackage(name, threads);
  } catch (error) {
    throw new Error(
      `selectBackend: backend "${name}" is not available (${(error as Error).message ?? error}); ` +
        `to get it, ${HOW_TO_GET[name]}.`,
    );
  }
  let ok = false;
  let reason = 'initialisation failed';
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    reason = (error as Error).message ?? String(error);
  }
  if (!ok) {
    throw new Error(
      `selectBackend: backend "${name}" could not be initialised in this runtime (${reason}); ` +
        `to get it, ${HOW_TO_GET[name]}.`,
    );
  }
  if (name === 'wasm' && threads != null) await verifyWasmThreads(threads);
  await ensureGradients();
  registerKernelFixes(name, { kernels });
}

/** The order 'auto' tries: native TensorFlow, then wasm in Node; GPU first in browsers. */
function autoOrder(): BackendName[] {
  return isNode() ? ['tensorflow', 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
}

/**
 * Chooses, initialises and activates the TensorFlow.js backend, makes sure tfjs's gradients are
 * registered, and registers this package's kernels for the backend (nothing is registered at import
 * time). By default (`kernels: 'replace'`) that replaces some stock tfjs kernels process-wide by exact
 * faster ones; `selectBackend(name, { kernels: 'own-only' })` replaces none (see
 * {@link SelectBackendOptions.kernels}).
 *
 * - `'auto'` in Node: `'tensorflow'` when the optional peer `@tensorflow/tfjs-node` can be imported,
 *   otherwise `'wasm'` (XNNPACK, SIMD), otherwise `'cpu'`. In browsers: `'webgpu'`, `'webgl'`, `'wasm'`,
 *   `'cpu'`, the first that initialises.
 * - A named backend that is not available throws an error that says how to get it.
 * - `options.threads` (wasm, opt-in): see {@link SelectBackendOptions.threads}; e.g.
 *   `selectBackend('wasm', { threads: 2 })`. Without it the wasm backend stays as initialised (by default
 *   single-threaded).
 *
 * @returns the name of the active backend.
 */
export async function selectBackend(
  choice: BackendChoice = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendName> {
  if (choice !== 'auto' && !BACKEND_NAMES.includes(choice)) {
    throw new Error(
      `selectBackend: choice must be "auto" or one of ${BACKEND_NAMES.map((n) => `"${n}"`).join(', ')}, ` +
        `got ${JSON.stringify(choice)}.`,
    );
  }
  const { kernels = 'replace' } = options;
  let threads: number | undefined;
  if (options.threads === 'auto') {
    if (options.model == null || !Number.isInteger(options.batch) || options.batch! < 1) {
      throw new Error(
        `selectBackend: options.threads 'auto' needs options.model (a ModelSpec) and options.batch (a positive integer), ` +
          `got model ${options.model == null ? 'missing' : 'given'} and batch ${JSON.stringify(options.batch)}; ` +
          'pass them, or a thread count.',
      );
    }
    await loadCoreCount();
    threads = recommendedWasmThreads(options.model, options.batch!);
  } else {
    threads = options.threads;
  }
  if (kernels !== 'replace' && kernels !== 'own-only') {
    throw new Error(
      `selectBackend: options.kernels must be "replace" or "own-only", got ${JSON.stringify(kernels)}.`,
    );
  }
  if (threads != null) {
    checkWasmThreads(threads, 'selectBackend: options.threads');
    if (choice !== 'auto' && choice !== 'wasm') {
      throw new Error(
        `selectBackend: options.threads applies to "wasm" (1 to ${MAX_WASM_THREADS}), got threads ${threads} ` +
          `with backend "${choice}"; drop threads or choose "wasm".`,
      );
    }
  }
  if (choice !== 'auto') {
    await activate(choice, threads, kernels);
    return choice;
  }
  const failures: string[] = [];
  for (const name of autoOrder()) {
    try {
      await activate(name, name === 'wasm' ? threads : undefined, kernels);
      return name;
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  throw new Error(`selectBackend: no backend could be initialised:\n${failures.join('\n')}`);
}
