import * as tf from '@tensorflow/tfjs-core';
import { setInstalledWasmVersion } from '../kernels/wasm-internals.js';
import { type BackendLoaders, importOptional } from './backend-loaders';
import { useWasmThreads, verifyWasmThreads } from './wasm-threads.js';

const HOW_TO_GET = {
  wasm: 'it ships with @tbptt/models as @tensorflow/tfjs-backend-wasm; reinstall the package if it is missing',
  cpu: 'it ships with @tbptt/models as @tensorflow/tfjs-backend-cpu; reinstall the package if it is missing',
  tensorflow:
    'run `npm install @tensorflow/tfjs-node` on a machine with internet access (its install script downloads ' +
    'libtensorflow; with --ignore-scripts the native addon is missing), or choose "wasm"',
  webgl: 'webgl runs in browsers: choose "wasm" in Node',
  webgpu: 'webgpu runs in browsers: choose "wasm" in Node',
} as const;

/** Node: wasm's binaries from node_modules, optional XNNPACK threads, tfjs-node when installed. */
export const backendLoaders: BackendLoaders = {
  autoOrder: ['tensorflow', 'wasm', 'cpu'],
  async load(name, { threads, wasmPaths }) {
    switch (name) {
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        return;
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        setInstalledWasmVersion(wasm.version_wasm);
        // (`tf.findBackend` would start initialising the stock factory: look at the registry instead.)
        if (tf.engine().registry.wasm == null) {
          // Only before initialisation: point the loader at the binaries inside node_modules.
          const { wasmBinaryFolder } = await import('./wasm-binaries.js');
          wasm.setWasmPaths((wasmPaths as string | undefined) ?? (await wasmBinaryFolder()));
        }
        if (threads != null) await useWasmThreads(threads);
        return;
      }
      case 'tensorflow':
        // Registers the 'tensorflow' backend as an import side effect.
        await importOptional('@tensorflow/tfjs-node');
        return;
      case 'webgl':
      case 'webgpu':
        throw new Error('this runtime is Node, which has no WebGL or WebGPU');
    }
  },
  async verify(name, { threads }) {
    if (name === 'wasm' && threads != null) await verifyWasmThreads(threads);
  },
  howToGet: (name) => HOW_TO_GET[name],
};
