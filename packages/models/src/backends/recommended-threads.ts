import type { ModelSpec } from '../types.js';
// `-node` resolves to the browser variant in the browser build (scripts/browser-build.ts).
import { nodeCoreCount } from './core-count-node';
import { MAX_WASM_THREADS } from './wasm-thread-count.js';

/**
 * Matrix-product work per time step (all B rows, forward + backward ≈ 3 × forward), in FLOP, from which
 * the threaded wasm build pays. Measured on 2 free cores (issue 12) since this package's own kernels — the
 * whole-layer loops, the layer input projections, the decoder and softmax — are split between threads,
 * whose workers poll between jobs: the copy model (≈ 12 MFLOP per step) 1.1–1.6× faster on 2 threads than on
 * 1 (bench/step-threads.ts, one process alternating), the word LM (≈ 320 MFLOP) 1.7–1.8×. Before that split
 * only XNNPACK's products ran on 2 threads, and the copy model was 1.3–1.8× slower there. The threshold
 * sits just below the copy model, the smallest model measured to gain: smaller ones stay on 1 thread.
 */
export const THREADED_FLOPS_PER_STEP = 5e6;

/** Work per step for each pair of threads beyond the first two (a product must be large enough to split). */
export const FLOPS_PER_THREAD_PAIR = 100e6;

/**
 * Matrix-product FLOPs of one training time step of `spec` at batch B (forward + backward = 3 × forward):
 * per layer 2·B·(in + H)·G·H (input projection and recurrence), the decoder 2·B·H·O.
 */
export function stepMatMulFlops(spec: ModelSpec, batch: number): number {
  const gates = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 }[spec.cell] ?? 4;
  let forward = 0;
  for (let l = 0; l < spec.numLayers; l++) {
    const input =
      l > 0
        ? spec.hiddenSize
        : spec.input === 'embedding'
          ? (spec.embeddingSize ?? spec.hiddenSize)
          : spec.featureSize;
    forward += 2 * batch * (input + spec.hiddenSize) * gates * spec.hiddenSize;
  }
  forward += 2 * batch * spec.hiddenSize * spec.outputSize;
  return 3 * forward;
}

/**
 * The wasm thread count that trains `spec` at batch `batch` fastest: 1 below
 * {@link THREADED_FLOPS_PER_STEP} of matrix-product work per time step, or when fewer than 2 cores are
 * free; else the free cores (at least 2, at most 2 per {@link FLOPS_PER_THREAD_PAIR} of work, at most {@link MAX_WASM_THREADS}).
 *
 * Free cores: `cores` (default: the machine's logical cores, `os.availableParallelism` in Node,
 * `navigator.hardwareConcurrency` in browsers) less `busyCores` (default 0: pass what other work keeps busy,
 * e.g. the number of other training jobs; the load average is not read, as it lags by a minute and counts
 * this process's own build or benchmark just before), rounded. Threads only pay on free cores: measured on
 * 2 cores kept busy by a 2-job sweep
 * (issue 12; Linux shares the CPU between sessions, so extra threads get no extra time), the word LM's
 * step took 1.1–3.1× longer on 2 threads than on 1, the copy model's 1.2–3.4× longer; with free cores the
 * LM was 1.3–1.5× faster on 2 threads (bench/README.md, "Threads").
 *
 * `selectBackend('wasm', { threads: 'auto', model: spec, batch })` uses it; `{ threads: N }` overrides it.
 */
export function recommendedWasmThreads(
  spec: ModelSpec,
  batch: number,
  cores = logicalCores(),
  busyCores = 0,
): number {
  const flops = stepMatMulFlops(spec, batch);
  const free = Math.round(cores - busyCores);
  if (flops < THREADED_FLOPS_PER_STEP || free < 2) return 1;
  const byWork = Math.max(2, 2 * Math.floor(flops / FLOPS_PER_THREAD_PAIR));
  return Math.max(1, Math.min(free, byWork, MAX_WASM_THREADS));
}

function logicalCores(): number {
  const g = globalThis as {
    navigator?: { hardwareConcurrency?: number };
    process?: { versions?: { node?: string } };
  };
  if (g.navigator?.hardwareConcurrency != null) return g.navigator.hardwareConcurrency;
  return nodeCores ?? 1;
}

let nodeCores: number | undefined;
/**
 * Reads the Node core count (once); selectBackend awaits it
 * before calling recommendedWasmThreads.
 */
export async function loadCoreCount(): Promise<void> {
  nodeCores ??= await nodeCoreCount();
}
