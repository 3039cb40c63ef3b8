import * as tf from '@tensorflow/tfjs-core';
import { setInstalledWasmVersion } from '../kernels/wasm-internals.js';
import type { BackendLoaders, BackendModule } from './backend-loaders';
import { setWasmThreads } from './wasm-thread-count';

const HOW_TO_GET = {
  wasm:
    'serve the .wasm files of node_modules/@tensorflow/tfjs-backend-wasm/dist/ (tfjs-backend-wasm.wasm, ' +
    'tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm) from your site and pass their folder ' +
    "as selectBackend('wasm', { wasmPaths: '/assets/tfjs-wasm/' })",
  cpu: 'it ships with @tbptt/models as @tensorflow/tfjs-backend-cpu; reinstall the package if it is missing',
  tensorflow: 'tensorflow (tfjs-node) runs in Node only: choose "wasm" or "webgl" in a browser',
  webgl:
    "run `npm install @tensorflow/tfjs-backend-webgl`, then `import '@tensorflow/tfjs-backend-webgl'` in your app " +
    "before selectBackend, or pass { modules: { webgl: () => import('@tensorflow/tfjs-backend-webgl') } }",
  webgpu:
    "run `npm install @tensorflow/tfjs-backend-webgpu`, then `import '@tensorflow/tfjs-backend-webgpu'` in your app " +
    "before selectBackend, or pass { modules: { webgpu: () => import('@tensorflow/tfjs-backend-webgpu') } }",
} as const;

/** Imports a module the page passed (or finds it already imported: its backend factory is registered). */
async function usePageModule(name: 'webgl' | 'webgpu', module: BackendModule | undefined): Promise<void> {
  if (typeof module === 'function') await module();
  if (tf.findBackendFactory(name) == null) {
    throw new Error(
      module === undefined
        ? `@tensorflow/tfjs-backend-${name} was not imported by this page`
        : `the module passed as modules.${name} registered no "${name}" backend`,
    );
  }
}

/**
 * Browsers: cpu and wasm ship with this package (wasm's binaries from `wasmPaths`); webgl and webgpu are
 * the page's own imports (this package never imports them by a name a bundler cannot see).
 */
export const backendLoaders: BackendLoaders = {
  autoOrder: ['webgpu', 'webgl', 'wasm', 'cpu'],
  async load(name, { threads, wasmPaths, modules }) {
    switch (name) {
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        return;
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        setInstalledWasmVersion(wasm.version_wasm);
        if (tf.engine().registry.wasm == null) {
          if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths);
          if (threads != null) {
            wasm.setThreadsCount(threads);
            setWasmThreads(threads);
          }
        }
        return;
      }
      case 'tensorflow':
        throw new Error('this runtime is a browser');
      case 'webgl':
        await usePageModule('webgl', modules.webgl);
        return;
      case 'webgpu':
        if (typeof navigator === 'undefined' || !('gpu' in navigator)) {
          throw new Error('this browser has no navigator.gpu');
        }
        await usePageModule('webgpu', modules.webgpu);
        return;
    }
  },
  async verify() {},
  howToGet: (name) => HOW_TO_GET[name],
};
