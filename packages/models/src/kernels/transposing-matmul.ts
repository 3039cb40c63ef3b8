import type {
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';

/**
 * wasm `BatchMatMul` and `_FusedMatMul` that take XNNPACK's fast path for transposed products.
 *
 * The stock wasm kernels hand a product to XNNPACK only when neither operand is transposed; otherwise a
 * scalar loop runs at about 2 GFLOP/s. Every product of a matMul's backward pass is transposed
 * (`dA = dY Bᵀ`, `dB = Aᵀ dY`), so training ran mostly in that loop. These wrappers materialise the
 * transpose (one wasm Transpose, O(size)) and call the stock kernel untransposed:
 *
 *     A [.., K, M] with transposeA  ->  transpose(A) [.., M, K];  then  [.., M, K] x [.., K, N] -> [.., M, N]
 *
 * The transpose of an operand that recurs (a weight used at every step of a window) is cached while its
 * source tensor lives (16 entries, 32 MiB at most), so it is made once per window, not once per step.
 */

interface WasmBackendLike extends KernelBackend {
  dataIdMap: { has(dataId: object): boolean };
}

/** Transposes of recent operands, keyed by the source's dataId (immutable while the source lives). */
interface CachedTranspose {
  source: object;
  /** Reshapes share a dataId, so the shape is part of the key. */
  shape: number[];
  transposed: TensorInfo;
}

/** At most this many transposes, of at most this many bytes in all, are kept (the least recent go first). */
const CACHE_SIZE = 16;
const CACHE_BYTES = 32 * 1024 * 1024;
const cache: CachedTranspose[] = [];

function bytesOf(info: TensorInfo): number {
  return 4 * info.shape.reduce((p, d) => p * d, 1);
}

function swapInner(shape: number[]): number[] {
  const out = shape.slice();
  const r = shape.length;
  out[r - 1] = shape[r - 2]!;
  out[r - 2] = shape[r - 1]!;
  return out;
}

function innerPerm(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Drops cache entries whose source tensor has been disposed, freeing their transposes. */
function sweep(backend: WasmBackendLike): void {
  for (let i = cache.length - 1; i >= 0; i--) {
    const entry = cache[i]!;
    if (!backend.dataIdMap.has(entry.source)) {
      backend.disposeData(entry.transposed.dataId);
      cache.splice(i, 1);
    }
  }
}

/**
 * The transpose of the last two axes of `x`, from the cache or computed by the backend's Transpose
 * kernel. Returned infos belong to the cache: callers must not dispose them.
 */
function transposed(backend: WasmBackendLike, x: TensorInfo): { info: TensorInfo; temporary: boolean } {
  for (let i = 0; i < cache.length; i++) {
    const entry = cache[i]!;
    if (entry.source === x.dataId && sameShape(entry.shape, x.shape)) {
      // Most recently used last.
      cache.splice(i, 1);
      cache.push(entry);
      return {
        info: { dataId: entry.transposed.dataId, shape: swapInner(x.shape), dtype: x.dtype },
        temporary: false,
      };
    }
  }
  const transpose = getKernel('Transpose', 'wasm');
  if (transpose == null) throw new Error('transposingMatMul: the wasm backend has no Transpose kernel');
  const out = transpose.kernelFunc({
    inputs: { x },
    backend,
    attrs: { perm: innerPerm(x.shape.length) },
  }) as TensorInfo;
  // A transpose bigger than half the budget is used once and freed (large activations rarely recur).
  if (bytesOf(out) > CACHE_BYTES / 2) return { info: out, temporary: true };
  cache.push({ source: x.dataId, shape: x.shape.slice(), transposed: out });
  let bytes = cache.reduce((sum, entry) => sum + bytesOf(entry.transposed), 0);
  while (cache.length > CACHE_SIZE || bytes > CACHE_BYTES) {
    const evicted = cache.shift()!;
    bytes -= bytesOf(evicted.transposed);
    backend.disposeData(evicted.transposed.dataId);
  }
  return { info: out, temporary: false };
}

/** Empties the transpose cache (frees its wasm memory). Called when the backend is reset. */
export function clearTransposeCache(backend: KernelBackend): void {
  for (const entry of cache.splice(0)) backend.disposeData(entry.transposed.dataId);
}

function wrap(stock: KernelConfig): KernelFunc {
  return (args) => {
    const attrs = args.attrs as NamedAttrMap & { transposeA?: boolean; transposeB?: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return stock.kernelFunc(args);
    const backend = args.backend as WasmBackendLike;
    sweep(backend);
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const ta = attrs.transposeA ? transposed(backend, a) : null;
    const tb = attrs.transposeB ? transposed(backend, b) : null;
    const inputs = { ...args.inputs, a: ta?.info ?? a, b: tb?.info ?? b };
    const out = stock.kernelFunc({
      ...args,
      inputs,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    for (const t of [ta, tb]) if (t?.temporary) backend.disposeData(t.info.dataId);
    return out;
  };
}

/** The replacement for a stock wasm `BatchMatMul` or `_FusedMatMul` config. */
export function transposingMatMulConfig(stock: KernelConfig | undefined): KernelConfig {
  if (stock == null) throw new Error('transposingMatMulConfig: no stock matMul kernel to wrap');
  return { ...stock, kernelFunc: wrap(stock) };
}
