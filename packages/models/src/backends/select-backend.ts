import * as tf from '@tensorflow/tfjs-core';
import { registerKernelFixes } from '../kernels/register-kernel-fixes.js';
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
  threads?: number;
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
const activate = (name: BackendName, threads?: number) =>
  withoutEmscriptenHandlers(() => activateBackend(name, threads));
async function activateBackend(name: BackendName, threads?: number): Promise<void> {
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
  registerKernelFixes(name);
}

/** The order 'auto' tries: native TensorFlow, then wasm in Node; GPU first in browsers. */
function autoOrder(): BackendName[] {
  return isNode() ? ['tensorflow', 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
}

/**
 * Chooses, initialises and activates the TensorFlow.js backend, makes sure tfjs's gradients are
 * registered, and registers this package's kernel fixes and fused cell kernels for the backend
 * (nothing is registered at import time).
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
  const { threads } = options;
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
    await activate(choice, threads);
    return choice;
  }
  const failures: string[] = [];
  for (const name of autoOrder()) {
    try {
      await activate(name, name === 'wasm' ? threads : undefined);
      return name;
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  throw new Error(`selectBackend: no backend could be initialised:\n${failures.join('\n')}`);
}
