import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Direct access to a backend's tensor memory, for kernels written as plain loops.
 *
 * - wasm: every tensor lives in the module's heap at `dataIdMap.get(dataId).memoryOffset`; a typed-array
 *   view on `wasm.HEAPU8.buffer` reads and writes it with no copy. Allocating (malloc) may grow the heap,
 *   which detaches earlier views: allocate every output first, then take views. The threaded build's heap
 *   is a SharedArrayBuffer (not detached on growth, but a new, longer one replaces it): views are taken
 *   from `wasmMemory.buffer`, always the current one, on every call.
 * - cpu: `data.get(dataId).values` is the tensor's own typed array.
 */
interface WasmBackendLike {
  wasm: { HEAPU8: { buffer: ArrayBufferLike }; wasmMemory?: { buffer: ArrayBufferLike } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values?: ArrayLike<number> } | undefined };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array | Int32Array): TensorInfo;
}

function isWasm(backend: KernelBackend): backend is KernelBackend & WasmBackendLike {
  return 'wasm' in backend && 'dataIdMap' in backend;
}

function isCpu(backend: KernelBackend): backend is KernelBackend & CpuBackendLike {
  return 'data' in backend && typeof (backend as { makeTensorInfo?: unknown }).makeTensorInfo === 'function';
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** True when the kernels of this file can work on `backend`'s memory (wasm and cpu). */
export function hasDirectMemory(backend: KernelBackend): boolean {
  return isWasm(backend) || isCpu(backend);
}

/** A float32 view of a tensor's data (no copy). Take it after the kernel's last allocation. */
export function float32View(backend: KernelBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') {
    throw new Error(`float32View: expected a float32 tensor, got ${info.dtype} [${info.shape}]`);
  }
  return view(backend, info) as Float32Array;
}

/** An int32 view of a tensor's data (no copy). Take it after the kernel's last allocation. */
export function int32View(backend: KernelBackend, info: TensorInfo): Int32Array {
  if (info.dtype !== 'int32') {
    throw new Error(`int32View: expected an int32 tensor, got ${info.dtype} [${info.shape}]`);
  }
  return view(backend, info) as Int32Array;
}

function view(backend: KernelBackend, info: TensorInfo): Float32Array | Int32Array {
  const size = sizeOf(info.shape);
  const ArrayType = info.dtype === 'int32' ? Int32Array : Float32Array;
  if (isWasm(backend)) {
    const entry = backend.dataIdMap.get(info.dataId);
    if (entry == null) throw new Error('backend-memory: tensor is not on the wasm backend (disposed?)');
    const heap = backend.wasm.wasmMemory?.buffer ?? backend.wasm.HEAPU8.buffer;
    // A SharedArrayBuffer for the threaded build: typed arrays view it the same way.
    return new ArrayType(heap as ArrayBuffer, entry.memoryOffset, size);
  }
  if (isCpu(backend)) {
    const values = backend.data.get(info.dataId)?.values;
    if (values == null) throw new Error('backend-memory: tensor is not on the cpu backend (disposed?)');
    if (!(values instanceof ArrayType)) {
      // Data written as another array type (rare): convert once, in place of the stored array.
      const converted = ArrayType.from(values);
      (backend.data.get(info.dataId) as { values: ArrayLike<number> }).values = converted;
      return converted;
    }
    return values;
  }
  throw new Error('backend-memory: direct memory access needs the wasm or cpu backend');
}

/** Allocates an uninitialised output tensor on `backend` (take views after all allocations). */
export function allocate(backend: KernelBackend, shape: number[], dtype: 'float32' | 'int32'): TensorInfo {
  if (isWasm(backend)) return backend.makeOutput(shape, dtype);
  if (isCpu(backend)) {
    const values = dtype === 'int32' ? new Int32Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
    return backend.makeTensorInfo(shape, dtype, values);
  }
  throw new Error('backend-memory: direct memory access needs the wasm or cpu backend');
}
