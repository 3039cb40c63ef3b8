import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { slice_util } from '@tensorflow/tfjs-core';
import { allocate, float32View, int32View } from './backend-memory.js';

/**
 * wasm `Slice` and `Unpack` that copy straight from the heap.
 *
 * The stock wasm Slice starts with `backend.readSync(x)`, a copy of the whole input into a fresh
 * ArrayBuffer, for every slice; Unpack (tf.unstack) slices once per output, so unstacking a window's
 * input projection [T, B, G·H] copied the whole tensor T times (≈ 190 ms for the LM's [35, 20, 800]).
 * Here each output is copied once from a view of the heap: one contiguous run when the slice is
 * contiguous, else one run per row of the last axis. float32 and int32; other dtypes go to the stock kernel.
 */
function viewOf(backend: KernelBackend, info: TensorInfo): Float32Array | Int32Array {
  return info.dtype === 'int32' ? int32View(backend, info) : float32View(backend, info);
}

function sliceInto(backend: KernelBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = allocate(backend, size, x.dtype as 'float32' | 'int32');
  const src = viewOf(backend, x);
  const dst = viewOf(backend, out);
  const rank = x.shape.length;
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= x.shape[d]!;
  }
  const total = dst.length;
  if (total === 0) return out;
  if (slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = slice_util.computeFlatOffset(begin, strides);
    dst.set(src.subarray(offset, offset + total));
    return out;
  }
  // One contiguous run of the last axis per output row; an odometer over the other axes.
  const run = size[rank - 1]!;
  const index = new Array<number>(rank - 1).fill(0);
  for (let written = 0; written < total; written += run) {
    let offset = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) offset += (begin[d]! + index[d]!) * strides[d]!;
    dst.set(src.subarray(offset, offset + run), written);
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

function heapSlice(stock: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return stock.kernelFunc(args);
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    const [begin_, size_] = slice_util.parseSliceParams(x, begin, size);
    return sliceInto(args.backend as KernelBackend, x, begin_!, size_!);
  };
}

function heapUnpack(stock: KernelConfig): KernelFunc {
  return (args) => {
    const value = args.inputs.value as TensorInfo;
    if (value.dtype !== 'float32' && value.dtype !== 'int32') return stock.kernelFunc(args);
    const rank = value.shape.length;
    let axis = (args.attrs as { axis: number }).axis;
    if (axis < 0) axis += rank;
    const outShape = value.shape.filter((_, d) => d !== axis);
    const begin = new Array<number>(rank).fill(0);
    const size = value.shape.slice();
    size[axis] = 1;
    const outs: TensorInfo[] = [];
    for (let i = 0; i < value.shape[axis]!; i++) {
      begin[axis] = i;
      const out = sliceInto(args.backend as KernelBackend, value, begin, size);
      outs.push({ dataId: out.dataId, dtype: out.dtype, shape: outShape });
    }
    return outs;
  };
}

/** The replacement for the stock wasm `Slice` config. */
export function heapSliceConfig(stock: KernelConfig | undefined): KernelConfig {
  if (stock == null) throw new Error('heapSliceConfig: no stock Slice kernel to wrap');
  return { ...stock, kernelFunc: heapSlice(stock) };
}

/** The replacement for the stock wasm `Unpack` config. */
export function heapUnpackConfig(stock: KernelConfig | undefined): KernelConfig {
  if (stock == null) throw new Error('heapUnpackConfig: no stock Unpack kernel to wrap');
  return { ...stock, kernelFunc: heapUnpack(stock) };
}
