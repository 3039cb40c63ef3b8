import type { KernelBackend } from '@tensorflow/tfjs-core';

/**
 * The exact `@tensorflow/tfjs-backend-wasm` version this package is built and tested against (package.json
 * pins it). Its kernels read the backend's private fields, which tfjs may change in any release:
 *
 * - `wasm.HEAPU8` (and `wasm.wasmMemory` in the threaded build): the module's heap, viewed as typed arrays;
 * - `dataIdMap.get(dataId).memoryOffset`, `dataIdMap.has(dataId)`: where a tensor lives in the heap;
 * - `makeOutput(shape, dtype)`: allocates a tensor on the heap;
 * - `incRef(dataId)`: shares a tensor's memory (the shared Identity).
 */
export const PINNED_WASM_BACKEND_VERSION = '4.22.0';

let installedVersion: string | undefined;

/** Records the installed tfjs-backend-wasm version (selectBackend reads it from the loaded package). */
export function setInstalledWasmVersion(version: string | undefined): void {
  installedVersion = version;
}

const checked = new WeakSet<object>();

function missingFields(backend: KernelBackend): string[] {
  const b = backend as unknown as Record<string, unknown>;
  const missing: string[] = [];
  const wasm = b.wasm as { HEAPU8?: { buffer?: unknown } } | undefined;
  if (wasm == null || typeof wasm !== 'object' || wasm.HEAPU8?.buffer == null) missing.push('wasm.HEAPU8');
  const map = b.dataIdMap as { get?: unknown; has?: unknown } | undefined;
  if (map == null || typeof map.get !== 'function' || typeof map.has !== 'function') {
    missing.push('dataIdMap.get/has');
  }
  for (const name of ['makeOutput', 'incRef', 'disposeData']) {
    if (typeof b[name] !== 'function') missing.push(`${name}()`);
  }
  return missing;
}

/**
 * Checks, once per backend instance, that the wasm backend has the private fields this package's kernels
 * use (see {@link PINNED_WASM_BACKEND_VERSION}); throws an error naming what is missing, the installed and
 * the pinned versions, and the fix.
 */
export function checkWasmBackendInternals(backend: KernelBackend): void {
  if (checked.has(backend)) return;
  const missing = missingFields(backend);
  if (missing.length > 0) {
    const installed = installedVersion != null ? ` ${installedVersion}` : '';
    throw new Error(
      `@tbptt/models: the wasm backend (@tensorflow/tfjs-backend-wasm${installed}) lacks the internals this ` +
        `package's kernels use (${missing.join(', ')}); @tbptt/models is built against exactly ` +
        `${PINNED_WASM_BACKEND_VERSION}. Install that version (npm install ` +
        `@tensorflow/tfjs-backend-wasm@${PINNED_WASM_BACKEND_VERSION}), or choose another backend (selectBackend('cpu')).`,
    );
  }
  checked.add(backend);
}
