import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, float32View } from './backend-memory.js';

/**
 * `Sum` over leading axes (axis 0 of a matrix: every bias gradient, Σ_rows δ) as one row-wise loop on the
 * backend's memory:
 *
 *     out[j] = Σ_o x[o, j]        x viewed as [outer, inner], outer = ∏ shape[0..k), inner = ∏ shape[k..)
 *
 * wasm's stock Sum reduces only the innermost axis, so it first transposes: 5–7 ms for a [1280, 200]
 * bias gradient, where this loop reads the data once, in order. Accumulates in float64. Every other
 * reduction goes to the stock kernel.
 */
function leadingAxes(axis: number | number[], rank: number): number | null {
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return null;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return null;
  return axes.length;
}

function leadingAxesSum(stock: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const count = x.dtype === 'float32' ? leadingAxes(axis, x.shape.length) : null;
    if (count === null) return stock.kernelFunc(args);
    const backend = args.backend as KernelBackend;
    const innerShape = x.shape.slice(count);
    const inner = innerShape.reduce((p, d) => p * d, 1);
    const outer = x.shape.slice(0, count).reduce((p, d) => p * d, 1);
    const outShape = keepDims ? [...x.shape.slice(0, count).map(() => 1), ...innerShape] : innerShape;
    const out = allocate(backend, outShape, 'float32');
    const xs = float32View(backend, x);
    const sums = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      const base = o * inner;
      for (let j = 0; j < inner; j++) sums[j]! += xs[base + j]!;
    }
    float32View(backend, out).set(sums);
    return out;
  };
}

/** The replacement for a stock `Sum` config (wasm, cpu). */
export function leadingAxesSumConfig(stock: KernelConfig | undefined): KernelConfig {
  if (stock == null) throw new Error('leadingAxesSumConfig: no stock Sum kernel to wrap');
  return { ...stock, kernelFunc: leadingAxesSum(stock) };
}
