/**
 * This package's own kernels on one thread and split between threads (threaded wasm build), call by call,
 * alternating in one process: the decoder's three products and softmax cross-entropy forward and backward
 * at a range of sizes, so that the work below which a split does not pay (MIN_SPLIT_FLOPS) can be read
 * off. Kernel calls only (outputs disposed, nothing read back). The work column is in operations of the
 * decoder's products (softmax: the equivalent the kernels pass to `split`). Wall time and the CPU time of
 * all threads: on a machine whose cores are busy with other jobs a split cannot gain wall time, and the
 * CPU time shows what it costs.
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

interface Timing {
  /** Wall ms of one call (median). */
  wall: number;
  /** CPU ms of one call over all threads (median): what the call costs where the cores are shared. */
  cpu: number;
}

/** One call on one thread and split, alternating call by call, median over `repeats`. */
function compare(run: () => tf.Tensor | tf.Tensor[]): { one: Timing; split: Timing } {
  const wall = { one: [] as number[], split: [] as number[] };
  const cpu = { one: [] as number[], split: [] as number[] };
  for (let i = 0; i <= repeats; i++) {
    for (const variant of i % 2 === 0 ? (['one', 'split'] as const) : (['split', 'one'] as const)) {
      setKernelThreads(variant === 'split', 0);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      tf.dispose(run());
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (i > 0) {
        wall[variant].push(ms);
        cpu[variant].push((c.user + c.system) / 1000);
      }
    }
  }
  setKernelThreads(true);
  return {
    one: { wall: median(wall.one), cpu: median(cpu.one) },
    split: { wall: median(wall.split), cpu: median(cpu.split) },
  };
}

console.log(
  `kernel calls on 1 thread vs split over ${simd.threads} threads (median of ${repeats}; wall ms, and CPU ms of all threads)`,
);
console.log(
  'kernel                      rows  outputs      MFLOP  wall: 1 thread     split   ratio   CPU: 1 thread     split',
);
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
        70 * rows * outputs,
        () => tf.engine().runKernel(SOFTMAX_CE, { logits: dy, targets }, {}) as unknown as tf.Tensor[],
      ],
      [
        'softmax CE backward',
        6 * rows * outputs,
        () =>
          tf
            .engine()
            .runKernel(SOFTMAX_CE_GRAD, { probabilities: p!, targets, rowScale: scale }, {}) as tf.Tensor,
      ],
    ];
    for (const [name, flops, run] of jobs) {
      const { one, split } = compare(run);
      console.log(
        `${name.padEnd(26)} ${String(rows).padStart(5)} ${String(outputs).padStart(8)} ${(flops / 1e6).toFixed(2).padStart(10)} ` +
          `${one.wall.toFixed(3).padStart(16)} ${split.wall.toFixed(3).padStart(9)} ${(one.wall / split.wall).toFixed(2).padStart(7)} ` +
          `${one.cpu.toFixed(3).padStart(15)} ${split.cpu.toFixed(3).padStart(9)}`,
      );
    }
    tf.dispose([x, w, b, dy, targets, scale, p!]);
  }
}
