import * as tf from '@tensorflow/tfjs-core';
import { type KernelMode, registerKernelFixes } from '../kernels/register-kernel-fixes.js';
import { attachSimdKernels } from '../kernels/simd/simd-kernels.js';
import type { ModelSpec } from '../types.js';
import type { BackendModule, BackendName, LoadOptions } from './backend-loaders';
// `-node` resolves to the browser loaders in the browser build (scripts/browser-build.ts).
import { backendLoaders as loaders } from './backend-loaders-node';
import { loadCoreCount, recommendedWasmThreads } from './recommended-threads.js';
import { ensureGradients } from './register-gradients.js';
import { withoutEmscriptenHandlers } from './uncaught-errors.js';
import { checkWasmThreads, MAX_WASM_THREADS } from './wasm-thread-count.js';

export type { BackendModule, BackendName } from './backend-loaders';

/** `'auto'` picks the fastest available backend (see {@link selectBackend}). */
export type BackendChoice = 'auto' | BackendName;

const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow', 'webgl', 'webgpu'];

/** Which backend {@link selectBackend} activated, and why each one tried before it was not used. */
export interface BackendReport {
  /** The active backend. */
  backend: BackendName;
  /** What was asked for. */
  choice: BackendChoice;
  /**
   * Backends `'auto'` tried first, in order: `installed: false` when their package is absent (expected: an
   * optional peer), `true` when it is there but would not start (a missing `.wasm` file, no WebGL context).
   */
  skipped: { backend: BackendName; installed: boolean; reason: string }[];
}

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
   * by {@link recommendedWasmThreads} (1 for models below 5 MFLOP of products per time step and whenever
   * fewer than 2 cores are free; else 2 or more, e.g. for the copy task's 2 × LSTM(50) at batch 64 and for a
   * word LM). `tbptt train` does this by default (`--threads auto`).
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
  /**
   * wasm: where its `.wasm` binaries are served from, a folder URL ending in `/` (or a map from file name to
   * URL), passed to tfjs-backend-wasm's `setWasmPaths`. The files are in this package's dependency,
   * `node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm`: copy them to your site (a bundler does not).
   * Node finds them in node_modules itself; browsers need it unless the files sit beside the page.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * Browsers: the webgl / webgpu backend modules, when the page did not import them already; e.g.
   * `{ webgl: () => import('@tensorflow/tfjs-backend-webgl') }` (an import your bundler sees).
   */
  modules?: Partial<Record<'webgl' | 'webgpu', BackendModule>>;
  /**
   * Told which backend runs and why the ones before it did not. Without it, a fallback past a backend that
   * is installed but failed to start is reported with `console.warn` (never silent).
   */
  onReport?: (report: BackendReport) => void;
}

/** Loads, initialises and activates one backend, then registers this package's kernels for it. */
const activate = (name: BackendName, options: LoadOptions, kernels: KernelMode) =>
  withoutEmscriptenHandlers(() => activateBackend(name, options, kernels));
async function activateBackend(name: BackendName, options: LoadOptions, kernels: KernelMode): Promise<void> {
  try {
    await loaders.load(name, options);
  } catch (error) {
    throw new BackendError(
      `selectBackend: backend "${name}" is not available (${(error as Error).message ?? error}); ` +
        `to get it, ${loaders.howToGet(name)}.`,
      false,
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
    throw new BackendError(
      `selectBackend: backend "${name}" could not be initialised in this runtime (${reason}); ` +
        `to get it, ${loaders.howToGet(name)}.`,
      true,
    );
  }
  await loaders.verify(name, options);
  await ensureGradients();
  registerKernelFixes(name, { kernels });
  // This package's SIMD kernels, compiled asynchronously (browsers refuse a synchronous compile on the
  // main thread), and on the threaded build their worker threads.
  if (name === 'wasm') await attachSimdKernels(tf.backend());
}

/** A backend that could not be activated; `installed` tells absent from failed to start. */
class BackendError extends Error {
  constructor(
    message: string,
    readonly installed: boolean,
  ) {
    super(message);
  }
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
  const { kernels = 'replace', wasmPaths, modules = {}, onReport } = options;
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
  const load = (name: BackendName): LoadOptions => ({
    threads: name === 'wasm' ? threads : undefined,
    wasmPaths,
    modules,
  });
  if (choice !== 'auto') {
    await activate(choice, load(choice), kernels);
    onReport?.({ backend: choice, choice, skipped: [] });
    return choice;
  }
  const skipped: BackendReport['skipped'] = [];
  for (const name of loaders.autoOrder) {
    try {
      await activate(name, load(name), kernels);
    } catch (error) {
      const installed = error instanceof BackendError ? error.installed : true;
      skipped.push({ backend: name, installed, reason: (error as Error).message });
      continue;
    }
    const report: BackendReport = { backend: name, choice, skipped };
    if (onReport) onReport(report);
    else if (skipped.some((s) => s.installed)) {
      console.warn(
        `selectBackend('auto') runs on "${name}"; skipped: ${skipped
          .filter((s) => s.installed)
          .map((s) => s.reason)
          .join(' ')} Pass onReport to handle this yourself, or choose a backend by name.`,
      );
    }
    return name;
  }
  throw new Error(
    `selectBackend: no backend could be initialised:\n${skipped.map((s) => s.reason).join('\n')}`,
  );
}
