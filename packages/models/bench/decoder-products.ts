/**
 * Where a large-vocabulary decoder's time goes: the three products of `logits = h Eᵀ + b` with E [V, H]
 * (tied or not), timed as the model issues them, kernel by kernel (tfjs's profiler: names, shapes, ms).
 *
 *     forward   logits [N, V] = h [N, H] · Eᵀ + b
 *     backward  dh [N, H] = dlogits [N, V] · E [V, H];  dE [V, H] = dlogitsᵀ · h;  db [V] = 1ᵀ dlogits
 *
 * plus the embedding lookup's gradient (a dense [V, H] from UnsortedSegmentSum; tf.gather's and this
 * package's embeddingLookup, which skips tf.gather's identity transposes) and the tied sum of both
 * gradients, and isolated XNNPACK products that separate packing (XNNPACK packs the "weights" operand
 * once per tensor) from the product itself. Measurements alternate between the paths in one process.
 *
 *   npx tsx bench/decoder-products.ts [--vocab 33278] [--hidden 128] [--rows 16,160,800] [--repeats 5]
 *     [--backend wasm] [--threads 1]
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backends/select-backend.js';
import { embeddingLookup } from '../src/internal/embedding-lookup.js';
import { linear, linearReference } from '../src/kernels/linear-kernel.js';
import { median } from './measure.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

const vocab = Number(option('vocab', '33278'));
const hidden = Number(option('hidden', '128'));
const rowCounts = option('rows', '16,160,800').split(',').map(Number);
const repeats = Number(option('repeats', '5'));
const backendName = option('backend', 'wasm');
const threads = Number(option('threads', '1'));

/** A decoder path: logits from (h, E, b), differentiable in all three. */
/** A timed job: `prepare` (untimed) makes its fresh inputs, `run` is timed. */
interface Job {
  name: string;
  prepare?: () => tf.Tensor[];
  run: (prepared: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

type DecoderPath = (h: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

const PATHS: Record<string, DecoderPath> = {
  // What decoderParts issued before the kernels: [V, H] -> [H, V];  [N, H] x [H, V] + [V] -> [N, V]
  reference: linearReference,
  // The SIMD kernels (wasm): W read as [V, H]
  kernels: linear,
};

/** Wall ms of `f` (results read back), median of `repeats` after one warm-up. */
function wallMs(f: () => tf.Tensor | tf.Tensor[]): number {
  const times: number[] = [];
  for (let i = 0; i <= repeats; i++) {
    const t0 = performance.now();
    tf.tidy(() => {
      const out = f();
      for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
    });
    if (i > 0) times.push(performance.now() - t0);
  }
  return median(times);
}

/** One run of `f` under tfjs's profiler: every kernel call with its shapes and time. */
async function kernelCalls(f: () => tf.Tensor | tf.Tensor[]): Promise<string[]> {
  const profile = await tf.profile(() => {
    tf.tidy(() => {
      const out = f();
      for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
    });
  });
  return profile.kernels.map(
    (k) =>
      `    ${k.name.padEnd(20)} ${JSON.stringify(k.inputShapes).padEnd(34)} -> ${JSON.stringify(k.outputShapes).padEnd(14)} ${Number(k.kernelTimeMs).toFixed(2).padStart(8)} ms`,
  );
}

const gflops = (flops: number, ms: number) => (flops / (ms * 1e6)).toFixed(1);

async function main(): Promise<void> {
  await selectBackend(backendName as 'wasm', backendName === 'wasm' ? { threads } : {});
  console.log(
    `decoder products on ${tf.getBackend()} (${threads} thread(s)): V ${vocab}, H ${hidden}, N ${rowCounts.join(', ')}; median of ${repeats}`,
  );
  const weight = tf.randomNormal([vocab, hidden], 0, 0.1, 'float32', 1) as tf.Tensor2D;
  const bias = tf.randomNormal([vocab], 0, 0.1, 'float32', 2) as tf.Tensor1D;
  const fixedWeightT = tf.transpose(weight) as tf.Tensor2D; // [H, V], one tensor: XNNPACK packs it once
  console.log(`  transpose E [V, H] -> [H, V]: ${wallMs(() => tf.transpose(weight)).toFixed(1)} ms`);
  const start = tf.memory().numTensors;
  for (const rows of rowCounts) {
    const h = tf.randomNormal([rows, hidden], 0, 1, 'float32', 3) as tf.Tensor2D;
    const dy = tf.randomNormal([rows, vocab], 0, 1e-3, 'float32', 4) as tf.Tensor2D;
    const ids = tf.randomUniform([rows], 0, vocab, 'int32', 5) as tf.Tensor1D;
    const productFlops = 2 * rows * hidden * vocab;
    console.log(`\nN = ${rows} (one product ${(productFlops / 1e9).toFixed(2)} GFLOP)`);
    // Isolated products: the operand XNNPACK treats as weights packed on every call (a fresh tensor)
    // or once (the same tensor every call); and the product transposed (E as the rows, hᵀ as weights).
    const hT = tf.transpose(h) as tf.Tensor2D; // [H, N]
    const fresh = (t: tf.Tensor2D) => () => [tf.mul(t, 1) as tf.Tensor2D]; // a copy: a new tensor id
    const paths = Object.entries(PATHS);
    const jobs: Job[] = [
      { name: 'h·Eᵀ, Eᵀ packed every call', prepare: fresh(fixedWeightT), run: ([b]) => tf.matMul(h, b!) },
      { name: 'h·Eᵀ, Eᵀ packed once', run: () => tf.matMul(h, fixedWeightT) },
      { name: 'E·hᵀ, hᵀ packed every call', prepare: fresh(hT), run: ([b]) => tf.matMul(weight, b!) },
      { name: 'dlogits·E, E packed every call', prepare: fresh(weight), run: ([b]) => tf.matMul(dy, b!) },
      { name: 'hᵀ·dlogits, dlogits packed every call', prepare: fresh(dy), run: ([b]) => tf.matMul(hT, b!) },
      ...paths.map(([name, path]): Job => ({ name: `${name}: forward`, run: () => path(h, weight, bias) })),
      ...paths.map(
        ([name, path]): Job => ({
          name: `${name}: forward + backward (dh, dE, db)`,
          run: () =>
            tf.grads((a, w, c) => path(a as tf.Tensor2D, w as tf.Tensor2D, c as tf.Tensor1D))(
              [h, weight, bias],
              dy,
            ),
        }),
      ),
      {
        name: 'tf.gather + its gradient (dense [V, H])',
        run: () => tf.grad((w) => tf.gather(w, ids))(weight, h),
      },
      {
        name: 'embeddingLookup + its gradient (dense [V, H])',
        run: () => tf.grad((w) => embeddingLookup(w as tf.Tensor2D, ids))(weight, h),
      },
      { name: 'tied sum of two [V, H] gradients', prepare: fresh(weight), run: ([b]) => tf.add(weight, b!) },
    ];
    const times = new Map<string, number[]>();
    // Alternating: round r runs every job once, in a rotated order.
    for (let r = 0; r <= repeats; r++) {
      jobs.forEach((_, k) => {
        const job = jobs[(k + r) % jobs.length]!;
        const prepared = job.prepare?.() ?? [];
        const t0 = performance.now();
        tf.tidy(() => {
          const out = job.run(prepared);
          for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
        });
        if (r > 0) times.set(job.name, [...(times.get(job.name) ?? []), performance.now() - t0]);
        tf.dispose(prepared);
      });
    }
    for (const { name } of jobs) {
      const ms = median(times.get(name)!);
      const products = name.includes('backward') ? 3 : name.includes('forward') || name.includes('·') ? 1 : 0;
      const rate = products > 0 ? ` (${gflops(products * productFlops, ms)} GFLOP/s)` : '';
      console.log(`  ${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms${rate}`);
    }
    for (const [name, path] of paths) {
      console.log(`  kernels, ${name}, forward + backward:`);
      for (const line of await kernelCalls(() =>
        tf.grads((a, w, c) => path(a as tf.Tensor2D, w as tf.Tensor2D, c as tf.Tensor1D))(
          [h, weight, bias],
          dy,
        ),
      ))
        console.log(line);
    }
    console.log('  kernels, tf.gather + gradient:');
    for (const line of await kernelCalls(() => tf.grad((w) => tf.gather(w, ids))(weight, h)))
      console.log(line);
    tf.dispose([h, dy, ids, hT]);
  }
  console.log(`\ntensors: ${start} before, ${tf.memory().numTensors} after`);
  tf.dispose([weight, bias, fixedWeightT]);
}

main();
