/**
 * This package's own kernels on one thread and split between threads (threaded wasm build), call by call,
 * alternating in one process: the decoder's three products and softmax cross-entropy forward and backward
 * at a range of sizes, so that the work below which a split does not pay (MIN_SPLIT_FLOPS) can be read
 * off. Kernel calls only (outputs disposed, nothing read back).
 *
 *   npx tsx bench/kernel-threads.ts [--threads 2] [--repeats 15] [--hidden 200] [--rows 20,140,700]
 *     [--outputs 64,512,10000]
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backends/select-backend.js';
import {
  LINEAR,
  LINEAR_GRAD_INPUT,
  LINEAR_GRAD_WEIGHT,
  useLinearKernel,
} from '../src/kernels/linear-kernel.js';
import { setKernelThreads, simdKernelsFor } from '../src/kernels/simd/simd-kernels.js';
import {
  SOFTMAX_CE,
  SOFTMAX_CE_GRAD,
  useSoftmaxCrossEntropyKernel,
} from '../src/loss/softmax-cross-entropy-kernel.js';
import { median } from './measure.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

const threads = Number(option('threads', '2'));
const repeats = Number(option('repeats', '15'));
const hidden = Number(option('hidden', '200'));
const rowCounts = option('rows', '20,140,700').split(',').map(Number);
const outputCounts = option('outputs', '64,512,10000').split(',').map(Number);

await selectBackend('wasm', { threads });
const simd = simdKernelsFor(tf.backend());
if (simd == null || simd.threads < 2 || !useLinearKernel() || !useSoftmaxCrossEntropyKernel()) {
  throw new Error(
    `kernel-threads bench: needs the threaded wasm build with kernel workers (got ${simd?.threads} threads)`,
  );
}

/** ms of one call, median over `repeats`, one thread and split alternating call by call. */
function compare(run: () => tf.Tensor | tf.Tensor[]): { one: number; split: number } {
  const times = { one: [] as number[], split: [] as number[] };
  for (let i = 0; i <= repeats; i++) {
    for (const variant of i % 2 === 0 ? (['one', 'split'] as const) : (['split', 'one'] as const)) {
      setKernelThreads(variant === 'split', 0);
      const t0 = performance.now();
      tf.dispose(run());
      if (i > 0) times[variant].push(performance.now() - t0);
    }
  }
  setKernelThreads(true);
  return { one: median(times.one), split: median(times.split) };
}

console.log(`kernel calls on 1 thread vs split over ${simd.threads} threads (median of ${repeats}, ms)`);
console.log('kernel                      rows  outputs      MFLOP   1 thread     split   ratio');
for (const rows of rowCounts) {
  for (const outputs of outputCounts) {
    const x = tf.randomNormal([rows, hidden], 0, 1, 'float32', 1);
    const w = tf.randomNormal([outputs, hidden], 0, 0.1, 'float32', 2);
    const b = tf.randomNormal([outputs], 0, 1, 'float32', 3);
    const dy = tf.randomNormal([rows, outputs], 0, 1, 'float32', 4);
    const targets = tf.randomUniform([rows], 0, outputs, 'int32', 5);
    const scale = tf.fill([rows], 1 / rows);
    const [, p] = tf.engine().runKernel(SOFTMAX_CE, { logits: dy, targets }, {}) as tf.Tensor[];
    const products = 2 * rows * hidden * outputs;
    const jobs: [string, number, () => tf.Tensor | tf.Tensor[]][] = [
      [
        'linear forward',
        products,
        () => tf.engine().runKernel(LINEAR, { x, weight: w, bias: b }) as tf.Tensor,
      ],
      [
        'linear backward input',
        products,
        () => tf.engine().runKernel(LINEAR_GRAD_INPUT, { dy, weight: w }) as tf.Tensor,
      ],
      [
        'linear backward weight',
        products,
        () =>
          tf.engine().runKernel(LINEAR_GRAD_WEIGHT, { dy, x }, { hasBias: true }) as unknown as tf.Tensor[],
      ],
      [
        'softmax CE forward',
        20 * rows * outputs,
        () => tf.engine().runKernel(SOFTMAX_CE, { logits: dy, targets }, {}) as unknown as tf.Tensor[],
      ],
      [
        'softmax CE backward',
        rows * outputs,
        () =>
          tf
            .engine()
            .runKernel(SOFTMAX_CE_GRAD, { probabilities: p!, targets, rowScale: scale }, {}) as tf.Tensor,
      ],
    ];
    for (const [name, flops, run] of jobs) {
      const { one, split } = compare(run);
      console.log(
        `${name.padEnd(26)} ${String(rows).padStart(5)} ${String(outputs).padStart(8)} ${(flops / 1e6).toFixed(2).padStart(10)} ${one.toFixed(3).padStart(10)} ${split.toFixed(3).padStart(9)} ${(one / split).toFixed(2).padStart(7)}`,
      );
    }
    tf.dispose([x, w, b, dy, targets, scale, p!]);
  }
}
