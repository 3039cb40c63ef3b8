/**
 * Activates a TensorFlow.js backend in the page. wasm: the `.wasm` binaries are bundled by Vite (`?url`) and
 * handed to tfjs-backend-wasm; SIMD is used when the browser has it, and the threaded-SIMD build when the
 * page is cross-origin isolated and more than one thread is asked for. webgl: the backend package is imported
 * here (a bundler cannot follow `selectBackend`'s optional import of a peer), then activated.
 */
import { selectBackend } from '@tbptt/models';
import { ensureGradients, registerKernelFixes } from '@tbptt/models/kernels';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';

export type DemoBackend = 'wasm' | 'webgl' | 'cpu';

export interface BackendInfo {
  name: DemoBackend;
  /** wasm: threads XNNPACK runs (1 unless the page is cross-origin isolated and threads were asked for). */
  threads: number;
  simd: boolean;
  crossOriginIsolated: boolean;
}

let active: BackendInfo | undefined;

/**
 * Activates `name` once per page load (a second call with another backend throws: reload the page with
 * `?backend=…`, since tfjs's wasm thread count is fixed at initialisation).
 */
export async function activateBackend(name: DemoBackend, threads: number): Promise<BackendInfo> {
  if (active) {
    if (active.name !== name) {
      throw new Error(
        `activateBackend: the page already runs on ${active.name}; reload it with ?backend=${name} to switch`,
      );
    }
    return active;
  }
  const isolated = globalThis.crossOriginIsolated === true;
  if (name === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    });
    const wanted = isolated ? Math.max(1, Math.min(threads, 8)) : 1;
    await selectBackend('wasm', wanted > 1 ? { threads: wanted } : {});
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    active = {
      name,
      threads: wanted > 1 ? wasm.getThreadsCount() : 1,
      simd: Boolean(simd),
      crossOriginIsolated: isolated,
    };
  } else if (name === 'webgl') {
    await import('@tensorflow/tfjs-backend-webgl');
    if (!(await tf.setBackend('webgl'))) {
      throw new Error('activateBackend: WebGL could not be initialised in this browser; use ?backend=wasm');
    }
    // What selectBackend does after activating a backend: tfjs's gradients, then this project's kernels.
    await ensureGradients();
    registerKernelFixes('webgl');
    active = { name, threads: 1, simd: false, crossOriginIsolated: isolated };
  } else {
    await selectBackend('cpu');
    active = { name, threads: 1, simd: false, crossOriginIsolated: isolated };
  }
  return active;
}
