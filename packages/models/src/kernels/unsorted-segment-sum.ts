import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, float32View, int32View } from './backend-memory.js';

/**
 * `UnsortedSegmentSum` (the gradient of `tf.gather`, so of every embedding lookup) as one loop over the
 * rows, on the wasm and cpu backends' own memory:
 *
 *     out[s, :] = Σ_{n : segmentIds[n] = s} x[n, :]        x [N, …inner], segmentIds [N], out [S, …inner]
 *
 * (segmentIds may have any shape that prefixes x's; ids outside [0, S) are dropped, as in the stock
 * kernels). wasm has no such kernel, and cpu's builds a mask per segment: for a 10,000-word vocabulary it
 * ran for minutes. This costs O(S·inner) to zero the output plus O(N·inner) adds.
 */
const unsortedSegmentSum: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' || segmentIds.dtype !== 'int32') {
    throw new Error(
      `UnsortedSegmentSum: expects float32 x and int32 segmentIds, got ${x.dtype} and ${segmentIds.dtype}`,
    );
  }
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const out = allocate(backend, [numSegments, ...innerShape], 'float32');
  // Views after the last allocation (a wasm heap growth detaches earlier ones).
  const xs = float32View(backend, x);
  const ids = int32View(backend, segmentIds);
  const sums = float32View(backend, out);
  sums.fill(0);
  for (let n = 0; n < ids.length; n++) {
    const s = ids[n]!;
    if (s < 0 || s >= numSegments) continue;
    const from = n * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) sums[to + j]! += xs[from + j]!;
  }
  return out;
};

/** The kernel config for one backend ('wasm' or 'cpu'). */
export function unsortedSegmentSumConfig(backendName: string): KernelConfig {
  return { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: unsortedSegmentSum };
}
