import * as tf from '@tensorflow/tfjs-core';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `step` warmup + steps times; returns the per-step wall times in ms (after warm-up). */
export async function timeSteps(step: () => unknown, steps: number, warmup: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    await step();
    const ms = performance.now() - t0;
    if (i >= warmup) times.push(ms);
  }
  return times;
}

/**
 * The active backend's own matrix-product peak in GFLOP/s: the best of several [n, n] x [n, n]
 * products (n = 512; 256 on slow backends), read back to force completion.
 */
export function matMulPeak(n = 512, repeats = 5): number {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  // (Nothing returned from tidy: it would walk a returned typed array element by element.)
  const product = () =>
    tf.tidy(() => {
      tf.matMul(a, b).dataSync();
    });
  product();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    product();
    best = Math.min(best, performance.now() - t0);
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (best * 1e6);
}

/** Kernel calls of one run of `f` (tfjs's profiler), and the most frequent kernels. */
export async function countKernels(f: () => unknown): Promise<{ total: number; top: [string, number][] }> {
  const profile = await tf.profile(async () => {
    await f();
  });
  const counts = new Map<string, number>();
  for (const k of profile.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
  const top = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, 8);
  return { total: profile.kernels.length, top };
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
