import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../backends/select-backend.js';
import { softmaxCrossEntropy } from '../../loss/softmax-cross-entropy.js';
import {
  SOFTMAX_CE,
  SOFTMAX_CE_GRAD,
  useSoftmaxCrossEntropyKernel,
} from '../../loss/softmax-cross-entropy-kernel.js';
import { createModel } from '../../model/create-model.js';
import type { EmbeddingModelSpec } from '../../types.js';
import { LINEAR, LINEAR_GRAD_INPUT, LINEAR_GRAD_WEIGHT, useLinearKernel } from '../linear-kernel.js';
import { partRowsFor, startKernelThreads } from './kernel-threads.js';
import { KERNELS_SHARED_WASM_BASE64 } from './kernels-binary.js';
import { setKernelThreads, simdKernelsFor } from './simd-kernels.js';

/** A deterministic pseudo-random float32 fill in [−1, 1). */
function fill(view: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < view.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    view[i] = s / 2 ** 31 - 1;
  }
}

/** Rows each of `threads` equal threads runs when they claim parts of `rows` rows in turn (a simulation). */
function shares(total: number, rows: number, threads: number): number[] {
  const done = new Array<number>(threads).fill(0);
  for (let lo = 0; lo < total; lo += rows) {
    // the thread that is free first (least work so far) claims the next part
    const next = done.indexOf(Math.min(...done));
    done[next]! += Math.min(rows, total - lo);
  }
  return done;
}

describe('partRowsFor (rows per part of a split call)', () => {
  it('gives parts of whole grains whose in-turn claiming loads the threads within 10 % of the best split', () => {
    for (const threads of [2, 3, 4]) {
      for (const grain of [1, 2, 4]) {
        for (let total = 1; total <= 300; total += total < 40 ? 1 : 17) {
          const rows = partRowsFor(total, grain, threads);
          expect(rows % grain).toBe(0);
          expect(Math.ceil(total / rows)).toBeLessThanOrEqual(64);
          // the best any multiple of the grain could do, by simulation
          let best = Number.POSITIVE_INFINITY;
          for (let r = grain; r <= Math.max(grain, total + grain); r += grain) {
            best = Math.min(best, Math.max(...shares(total, r, threads)));
          }
          expect(Math.max(...shares(total, rows, threads))).toBeLessThanOrEqual(best * 1.1);
        }
      }
    }
  });

  it('splits 20 batch rows evenly on 2 threads and keeps about 4 parts per thread where that is even', () => {
    expect(shares(20, partRowsFor(20, 2, 2), 2)).toEqual([10, 10]);
    expect(partRowsFor(64, 2, 2)).toBe(8);
    expect(partRowsFor(4096, 4, 3)).toBe(344);
  });
});

/** A pool of the caller and one Node worker (handed back, to be terminated) that gives up after 0.3 s. */
async function poolOfOneWorker() {
  const module = new WebAssembly.Module(Buffer.from(KERNELS_SHARED_WASM_BASE64, 'base64'));
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<
    string,
    (...args: number[]) => void
  >;
  const { startKernelWorker } = await import('./kernel-workers-node.js');
  const started: Worker[] = [];
  const pool = await startKernelThreads(module, memory, exports, 2, {
    stallMs: 300,
    startWorker: async (init) => {
      const worker = (await startKernelWorker(init)) as unknown as Worker | null;
      if (worker != null) started.push(worker);
      return worker;
    },
  });
  expect(pool).not.toBeNull();
  expect(started).toHaveLength(1);
  return { pool: pool!, worker: started[0]!, memory, exports };
}

describe('startKernelThreads (the pool alone, on a shared memory of its own)', () => {
  it.each([2, 3])(
    'splits many calls of every size between the caller and workers with the same bits as one call (%i threads)',
    async (threads) => {
      const module = new WebAssembly.Module(Buffer.from(KERNELS_SHARED_WASM_BASE64, 'base64'));
      const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
      const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<
        string,
        (...args: number[]) => void
      >;
      const pool = await startKernelThreads(module, memory, exports, threads);
      expect(pool).not.toBeNull();
      try {
        expect(pool!.threads).toBe(threads);
        const heap = new Float32Array(memory.buffer);
        // x [N, K] at 0, W [O, K], b [O], and two outputs [N, O] (split, whole) after them; float indices.
        let partsBefore = 0;
        for (let call = 0; call < 60; call++) {
          const N = 1 + ((call * 7) % 23);
          const K = 1 + ((call * 5) % 19);
          const O = 1 + ((call * 37) % 301);
          const x = 0;
          const w = x + N * K;
          const b = w + O * K;
          const split = b + O;
          const whole = split + N * O;
          fill(heap.subarray(x, b + O), call + 1);
          heap.fill(Number.NaN, split, whole + N * O);
          pool!.run('linear_forward', [4 * x, 4 * w, 4 * b, 4 * split, N, K, O, 1], O, 4);
          exports.linear_forward!(4 * x, 4 * w, 4 * b, 4 * whole, N, K, O, 1);
          expect(heap.subarray(split, split + N * O)).toEqual(heap.subarray(whole, whole + N * O));
        }
        // Every part on the workers (the caller only waits): their parts alone make the whole output.
        for (const [N, K, O, parts] of [
          [1, 13, 203, threads === 2 ? 8 : 9],
          [64, 64, 4096, 4 * threads],
        ] as const) {
          fill(heap.subarray(0, N * K + O * K + O), 99);
          const out = N * K + O * K + O;
          const reference = out + N * O;
          heap.fill(Number.NaN, out, reference);
          partsBefore = pool!.workerParts;
          pool!.run('linear_forward', [0, 4 * N * K, 4 * (N * K + O * K), 4 * out, N, K, O, 1], O, 4, false);
          exports.linear_forward!(0, 4 * N * K, 4 * (N * K + O * K), 4 * reference, N, K, O, 1);
          expect(heap.subarray(out, out + N * O)).toEqual(heap.subarray(reference, reference + N * O));
          // About 4 parts per thread, of a multiple of 4 rows, the threads' shares even (partRowsFor): 203
          // rows on 3 threads in 9 parts of 24 (72 rows on the longest thread; 11 parts of 20 would give 80)
          expect(pool!.workerParts - partsBefore).toBe(parts);
        }
      } finally {
        pool!.stop();
      }
      expect(() => pool!.run('linear_forward', [0, 0, 0, 0, 1, 1, 8, 0], 8, 4)).toThrow(/stopped pool/);
    },
    60_000,
  );

  it('polls before sleeping when asked (spinMicros), cuts parts as asked (partsPerThread), same bits', async () => {
    const module = new WebAssembly.Module(Buffer.from(KERNELS_SHARED_WASM_BASE64, 'base64'));
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<
      string,
      (...args: number[]) => void
    >;
    await expect(startKernelThreads(module, memory, exports, 2, { spinMicros: -1 })).rejects.toThrow(
      /spinMicros must be an integer from 0 to 1000000, got -1/,
    );
    const pool = await startKernelThreads(module, memory, exports, 3, { spinMicros: 300 });
    expect(pool).not.toBeNull();
    try {
      expect(pool!.spinMicros).toBe(300);
      expect(() => {
        pool!.spinMicros = 2.5;
      }).toThrow(/spinMicros must be an integer/);
      expect(pool!.spinMicros).toBe(300);
      const heap = new Float32Array(memory.buffer);
      const [N, K, O] = [9, 17, 203];
      const out = N * K + O * K + O;
      const reference = out + N * O;
      for (const [spin, partsPerThread, callerTakesParts] of [
        [300, 1, false],
        [300, 4, false],
        [0, 1, false],
        [300, 1, true],
        [0, 2, true],
      ] as const) {
        // One part per thread: 3 parts of 68 rows; 4 per thread: the even cut partRowsFor picks (9 of 24).
        const parts = callerTakesParts ? -1 : Math.ceil(O / partRowsFor(O, 4, 3, partsPerThread));
        if (partsPerThread === 1 && !callerTakesParts) expect(parts).toBe(3);
        pool!.spinMicros = spin;
        fill(heap.subarray(0, N * K + O * K + O), 5);
        exports.linear_forward!(0, 4 * N * K, 4 * (N * K + O * K), 4 * reference, N, K, O, 1);
        // Back-to-back calls: with polling, the workers take the next job without going to sleep.
        for (let call = 0; call < 20; call++) {
          heap.fill(Number.NaN, out, reference);
          const before = pool!.workerParts;
          pool!.run(
            'linear_forward',
            [0, 4 * N * K, 4 * (N * K + O * K), 4 * out, N, K, O, 1],
            O,
            4,
            callerTakesParts,
            partsPerThread,
          );
          expect(heap.subarray(out, out + N * O)).toEqual(heap.subarray(reference, reference + N * O));
          // With the caller out, every part is a worker's.
          if (parts > 0) expect(pool!.workerParts - before).toBe(parts);
        }
      }
    } finally {
      pool!.stop();
    }
  }, 60_000);

  it('gives up on a call whose parts no worker finishes (a dead worker): throws, names the kernel, stops', async () => {
    const { pool, worker, memory, exports } = await poolOfOneWorker();
    const heap = new Float32Array(memory.buffer);
    const [N, K, O] = [8, 16, 256];
    const out = N * K + O * K + O;
    const reference = out + N * O;
    const args = [0, 4 * N * K, 4 * (N * K + O * K), 4 * out, N, K, O, 1];
    fill(heap.subarray(0, out), 3);
    exports.linear_forward!(0, 4 * N * K, 4 * (N * K + O * K), 4 * reference, N, K, O, 1);
    // Alive: the worker runs every part.
    pool.run('linear_forward', args, O, 4, false);
    expect(heap.subarray(out, out + N * O)).toEqual(heap.subarray(reference, reference + N * O));
    // The worker dies; a call that leaves its parts to the workers no longer hangs.
    await worker.terminate();
    const t0 = performance.now();
    expect(() => pool.run('linear_forward', args, O, 4, false)).toThrow(
      /linear_forward: \d+ of its \d+ parts did not finish within 0\.3 s: a kernel worker has stopped/,
    );
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(pool.stopped).toBe(true);
    expect(() => pool.run('linear_forward', args, O, 4)).toThrow(/stopped pool/);
  }, 30_000);

  it('runs every part on the caller when its worker died before the call (no wait, same bits)', async () => {
    const { pool, worker, memory, exports } = await poolOfOneWorker();
    try {
      await worker.terminate();
      const heap = new Float32Array(memory.buffer);
      const [N, K, O] = [8, 16, 256];
      const out = N * K + O * K + O;
      const reference = out + N * O;
      fill(heap.subarray(0, out), 4);
      heap.fill(Number.NaN, out, reference);
      const before = pool.workerParts;
      pool.run('linear_forward', [0, 4 * N * K, 4 * (N * K + O * K), 4 * out, N, K, O, 1], O, 4);
      exports.linear_forward!(0, 4 * N * K, 4 * (N * K + O * K), 4 * reference, N, K, O, 1);
      expect(heap.subarray(out, out + N * O)).toEqual(heap.subarray(reference, reference + N * O));
      expect(pool.workerParts).toBe(before);
      expect(pool.stopped).toBe(false);
    } finally {
      pool.stop();
    }
  }, 30_000);

  it('gives no pool, without waiting out its timeout, when no worker can instantiate the module', async () => {
    // (module (import "env" "f" (func))): the workers' instantiation fails (no env.f).
    const module = new WebAssembly.Module(
      new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 9, 1, 3, 101, 110, 118, 1, 102, 0, 0,
      ]),
    );
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const warn = console.warn;
    console.warn = () => {};
    try {
      const t0 = Date.now();
      expect(await startKernelThreads(module, memory, {}, 2)).toBeNull();
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      console.warn = warn;
    }
  }, 30_000);
});

/** Small enough to be quick; with the split threshold at 0 every call of the kernels is split. */
const SPEC: EmbeddingModelSpec = {
  cell: 'lstm',
  input: 'embedding',
  vocabSize: 203,
  embeddingSize: 24,
  hiddenSize: 37,
  numLayers: 2,
  outputSize: 203,
  seed: 5,
};

/**
 * Every output of `run` read back: on one thread, and split with every part on the kernel worker (the
 * caller only waits, so that the worker's parts are what is compared, whatever the timing).
 */
function oneAndSplit(run: () => tf.Tensor[]): { one: Float32Array[]; split: Float32Array[] } {
  const read = () =>
    tf.tidy(() => run().map((t) => t.dataSync().slice() as Float32Array)) as unknown as Float32Array[];
  setKernelThreads(false);
  const one = read();
  setKernelThreads(true, 0, false);
  try {
    return { one, split: read() };
  } finally {
    setKernelThreads(true);
  }
}

describe('kernels split between threads on the threaded wasm build', () => {
  let threaded = false;
  afterAll(async () => {
    await selectBackend('wasm', { threads: 1 });
  });

  async function threadedOrSkip(ctx: { skip: (reason: string) => void }): Promise<boolean> {
    if (!threaded) {
      try {
        await selectBackend('wasm', { threads: 2 });
        threaded = true;
      } catch (error) {
        ctx.skip(`the threaded-SIMD wasm build cannot start here: ${(error as Error).message}`);
        return false;
      }
    }
    expect(simdKernelsFor(tf.backend())?.threads).toBe(2);
    expect(useLinearKernel()).toBe(true);
    expect(useSoftmaxCrossEntropyKernel()).toBe(true);
    return true;
  }

  // [N, K, O]: one row, K not a multiple of 4, O across several of the kernels' 32-row blocks and parts.
  const SHAPES: [number, number, number][] = [
    [1, 13, 203],
    [37, 13, 203],
    [5, 64, 1000],
    [70, 200, 517],
  ];

  it('the decoder kernels (forward with and without bias, both gradients) give the same bits', async (ctx) => {
    if (!(await threadedOrSkip(ctx))) return;
    const simd = simdKernelsFor(tf.backend())!;
    const before = tf.memory().numTensors;
    const partsBefore = simd.workerParts;
    for (const [N, K, O] of SHAPES) {
      const x = tf.randomNormal([N, K], 0, 1, 'float32', N);
      const w = tf.randomNormal([O, K], 0, 1, 'float32', K);
      const b = tf.randomNormal([O], 0, 1, 'float32', O);
      const dy = tf.randomNormal([N, O], 0, 1, 'float32', N + O);
      const { one, split } = oneAndSplit(() => [
        tf.engine().runKernel(LINEAR, { x, weight: w, bias: b }) as tf.Tensor,
        tf.engine().runKernel(LINEAR, { x, weight: w }) as tf.Tensor,
        tf.engine().runKernel(LINEAR_GRAD_INPUT, { dy, weight: w }) as tf.Tensor,
        ...(tf
          .engine()
          .runKernel(LINEAR_GRAD_WEIGHT, { dy, x }, { hasBias: true }) as unknown as tf.Tensor[]),
        ...(tf
          .engine()
          .runKernel(LINEAR_GRAD_WEIGHT, { dy, x }, { hasBias: false }) as unknown as tf.Tensor[]),
      ]);
      expect(split.length).toBe(6);
      split.forEach((values, i) => {
        expect(values, `[${N}, ${K}, ${O}] output ${i}`).toEqual(one[i]);
      });
      // Sanity: the outputs are not trivially equal (zeros).
      expect(Math.max(...one[0]!.map(Math.abs))).toBeGreaterThan(0.1);
      tf.dispose([x, w, b, dy]);
    }
    // The splits ran on the worker (else the comparison proves nothing): 8 parts per call of O ≥ 64.
    expect(simd.workerParts - partsBefore).toBeGreaterThanOrEqual(8 * 5 * (SHAPES.length - 1));
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('softmax cross-entropy forward and backward give the same bits', async (ctx) => {
    if (!(await threadedOrSkip(ctx))) return;
    const simd = simdKernelsFor(tf.backend())!;
    const before = tf.memory().numTensors;
    const partsBefore = simd.workerParts;
    for (const [N, O] of [
      [1, 203],
      [37, 13],
      [101, 1001],
    ] as const) {
      const logits = tf.randomNormal([N, O], 0, 3, 'float32', N);
      const targets = tf.randomUniform([N], 0, O, 'int32', O);
      const scale = tf.randomUniform([N], 0.5, 1.5, 'float32', 7);
      const { one, split } = oneAndSplit(() => {
        const [loss, p] = tf
          .engine()
          .runKernel(SOFTMAX_CE, { logits, targets }, {}) as unknown as tf.Tensor[];
        const grad = tf
          .engine()
          .runKernel(SOFTMAX_CE_GRAD, { probabilities: p!, targets, rowScale: scale }, {}) as tf.Tensor;
        return [loss!, p!, grad];
      });
      split.forEach((values, i) => {
        expect(values, `[${N}, ${O}] output ${i}`).toEqual(one[i]);
      });
      tf.dispose([logits, targets, scale]);
    }
    expect(simd.workerParts).toBeGreaterThan(partsBefore);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it("a whole LM step's loss and gradients are the same bits", async (ctx) => {
    if (!(await threadedOrSkip(ctx))) return;
    const before = tf.memory().numTensors;
    const model = createModel(SPEC);
    const inputs = tf.randomUniform([6, 9], 0, SPEC.vocabSize, 'int32', 11);
    const targets = tf.randomUniform([6 * 9], 0, SPEC.outputSize, 'int32', 12) as tf.Tensor1D;
    const state = model.initialState(9);
    const { one, split } = oneAndSplit(() => {
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.forward(inputs, state, { training: true }).logits;
        const [steps, batch, classes] = logits.shape;
        // [T, B, O] -> [T·B, O]
        return softmaxCrossEntropy(targets, tf.reshape(logits, [steps * batch, classes]) as tf.Tensor2D);
      }, model.variables);
      return [value, ...model.variables.map((v) => grads[v.name]!)];
    });
    expect(split.length).toBe(model.variables.length + 1);
    split.forEach((values, i) => {
      expect(values, `output ${i}`).toEqual(one[i]);
    });
    expect(Math.max(...one.slice(1).map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(1e-4);
    tf.dispose([inputs, targets, ...state]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('every whole-layer loop (LSTM, GRU, RNN tanh / relu), forward and backward with probes, gives the same bits', async (ctx) => {
    if (!(await threadedOrSkip(ctx))) return;
    const simd = simdKernelsFor(tf.backend())!;
    const before = tf.memory().numTensors;
    const partsBefore = simd.workerParts;
    // [T, B, H]: T = 1 (no probe reaches the loss), B = 1, H not a multiple of 4, B odd and past a part.
    const shapes: [number, number, number][] = [
      [1, 3, 5],
      [2, 1, 5],
      [4, 7, 6],
      [3, 20, 13],
    ];
    for (const cell of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
      for (const [steps, batch, hidden] of shapes) {
        const label = `${cell} T=${steps} B=${batch} H=${hidden}`;
        const model = createModel({
          cell,
          input: 'dense',
          featureSize: 3,
          hiddenSize: hidden,
          numLayers: 2,
          outputSize: 4,
          seed: 9,
        });
        const x = tf.randomNormal([steps, batch, 3], 0, 1, 'float32', steps + batch);
        const lossWeights = tf.randomNormal([steps, batch, 4], 0, 1, 'float32', hidden);
        const state = tf.tidy(() =>
          model
            .initialState(batch)
            .map((s, i) => tf.add(s, tf.randomNormal(s.shape, 0, 0.5, 'float32', i)) as tf.Tensor2D),
        );
        const components = state.length;
        const probes = Array.from({ length: steps }, (_, t) =>
          Array.from(
            { length: components },
            (_, j) => tf.randomNormal([batch, hidden], 0, 0.1, 'float32', 10 * t + j) as tf.Tensor2D,
          ),
        );
        // Every probe but the last step's reaches the loss.
        const differentiated = probes.slice(0, steps - 1).flat();
        const { one, split } = oneAndSplit(() => {
          const loss = (...flat: tf.Tensor[]) => {
            const grouped = Array.from({ length: steps - 1 }, (_, t) =>
              flat.slice(t * components, (t + 1) * components),
            );
            const all = [...grouped, probes[steps - 1]!] as tf.Tensor2D[][];
            return tf.sum(tf.mul(model.forward(x, state, { probes: all }).logits, lossWeights)) as tf.Scalar;
          };
          const { value, grads } = tf.variableGrads(() => loss(...differentiated), model.variables);
          const probeGrads = differentiated.length > 0 ? tf.grads(loss)(differentiated) : [];
          return [value, ...model.variables.map((v) => grads[v.name]!), ...probeGrads];
        });
        expect(split.length, label).toBe(1 + model.variables.length + differentiated.length);
        split.forEach((values, i) => {
          expect(values, `${label}: output ${i}`).toEqual(one[i]);
        });
        expect(Math.max(...one.slice(1).map((g) => Math.max(...g.map(Math.abs)))), label).toBeGreaterThan(
          1e-4,
        );
        tf.dispose([x, lossWeights, ...state, ...probes.flat()]);
        model.dispose();
      }
    }
    // The layer loops ran on the worker too: at least one part per loop call (2 layers, forward and the
    // backward's two kernels, twice: the variables' and the probes' gradients).
    expect(simd.workerParts - partsBefore).toBeGreaterThanOrEqual(4 * 4 * 2 * 3);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it("lets Node exit by itself after split calls (the workers are unref'd)", async (ctx) => {
    if (!(await threadedOrSkip(ctx))) return;
    const scratch = mkdtempSync(join(tmpdir(), 'tbptt-kernel-threads-'));
    const source = (file: string) => JSON.stringify(fileURLToPath(new URL(file, import.meta.url)));
    const script = join(scratch, 'user.mts');
    writeFileSync(
      script,
      `const core = await import(${JSON.stringify(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core'))});
const tf = core.default ?? core;
const { selectBackend } = await import(${source('../../backends/select-backend.ts')});
const { linear } = await import(${source('../linear-kernel.ts')});
const { setKernelThreads, simdKernelsFor } = await import(${source('./simd-kernels.ts')});
await selectBackend('wasm', { threads: 2 });
setKernelThreads(true, 0, false);
const x = tf.randomNormal([64, 64]);
const w = tf.randomNormal([4096, 64]);
linear(x, w).dataSync();
console.log('worker parts', simdKernelsFor(tf.backend()).workerParts);
`,
    );
    try {
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.stderr).toBe('');
      expect(child.stdout).toMatch(/worker parts 8/);
      // Exited by itself, not killed at the timeout.
      expect(child.signal).toBeNull();
      expect(child.status).toBe(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 90_000);

  it('stops the workers with the backend: back on one thread there are none', async (ctx) => {
    if (!(await threadedOrSkip(ctx))) return;
    const old = simdKernelsFor(tf.backend())!;
    expect(old.threads).toBe(2);
    await selectBackend('wasm', { threads: 1 });
    threaded = false;
    // The old backend was disposed (tf.removeBackend), and its pool with it.
    expect(old.threads).toBe(1);
    expect(simdKernelsFor(tf.backend())?.threads).toBe(1);
  }, 60_000);
});
