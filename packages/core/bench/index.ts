/**
 * Benchmarks of the TBPTT engine (issue 5), on the models' default backend (WASM in Node):
 *  1. the one-pass gradient-norm profile against W separate backward calls, and against one
 *     forward + backward over W steps, at W = 100 (copy configuration) and W = 200 (language-model configuration);
 *  2. the adaptive overhead: share of wall time spent estimating K in a copy-task run at default settings;
 *  3. time per token and peak memory against K for the `tf` and `buffer` windowing styles.
 *
 * Run: npm run bench -w @tbptt/core   (TBPTT_BENCH_QUICK=1 for a shorter run)
 */
import { copyTask, SYNTHETIC_VOCAB_SIZE } from '@tbptt/datasets';
import { createModel, type ModelSpec, type RecurrentModel, selectBackend } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import {
  adaptiveTruncation,
  gradientNormProfile,
  planWindow,
  type Stream,
  tokenStream,
  train,
  windowGradients,
} from '../src/index';
import { meanLoss } from '../src/internal/loss';

const quick = process.env.TBPTT_BENCH_QUICK === '1';
const backend = await selectBackend('auto');
console.log(`@tbptt/core bench on ${backend}${quick ? ' (quick)' : ''}\n`);

const seconds = (start: number) => (performance.now() - start) / 1000;

/** Median wall time of `repeats` runs, in seconds (the machine may be shared: one run can be an outlier). */
function medianSeconds(run: () => void, repeats = 3): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(seconds(start));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function copyStream(steps: number, batch: number): Stream {
  const data = copyTask({ steps, batch, length: 10, minLength: 5, seed: 1 });
  return tokenStream(data, { oneHot: SYNTHETIC_VOCAB_SIZE });
}

const copySpec: ModelSpec = {
  cell: 'lstm',
  input: 'dense',
  featureSize: SYNTHETIC_VOCAB_SIZE,
  hiddenSize: 64,
  numLayers: 2,
  outputSize: SYNTHETIC_VOCAB_SIZE,
  seed: 1,
};
const lmSpec: ModelSpec = {
  cell: 'lstm',
  input: 'embedding',
  vocabSize: 10_000,
  embeddingSize: 200,
  hiddenSize: 200,
  numLayers: 2,
  outputSize: 10_000,
  seed: 1,
};

// ---------------------------------------------------------------------------------------------------------
// 1. One-pass profile vs W separate backward calls.
// ---------------------------------------------------------------------------------------------------------

/** One backward call for lag k: the state after step W−1−k as input, the last step's loss differentiated. */
function lagBackward(
  model: RecurrentModel,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  window: number,
  k: number,
): void {
  tf.tidy(() => {
    const rows = inputs.shape[1]!;
    const t = window - 1 - k;
    const atT = model.forward(tf.slice(inputs, 0, t + 1), model.initialState(rows)).finalState;
    const rest = tf.slice(inputs, t + 1, Math.max(1, window - t - 1));
    const last = tf.slice(targets, window - 1, 1);
    const grads = tf.grads((...h: tf.Tensor[]) => {
      const { logits } = model.forward(rest, h as tf.Tensor2D[]);
      const loss = meanLoss(tf.slice(logits, logits.shape[0]! - 1, 1), last, 'classes');
      return tf.add(loss, tf.mul(tf.addN(h.map((x) => tf.sum(x))), 0)) as tf.Scalar;
    })(atT);
    grads[0]!.dataSync();
  });
}

/** One forward + backward over W steps with a loss on every step (a training update's cost). */
function forwardBackward(model: RecurrentModel, inputs: tf.Tensor, targets: tf.Tensor): void {
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const { logits } = model.forward(inputs, model.initialState(inputs.shape[1]!));
      return meanLoss(logits, targets, 'classes');
    }, model.variables);
    Object.values(grads)[0]!.dataSync();
  });
}

async function profileBench(name: string, spec: ModelSpec, window: number, rows: number): Promise<void> {
  const model = createModel(spec);
  const vocab = spec.input === 'embedding' ? spec.vocabSize : spec.featureSize;
  const ids = tf.randomUniform([window, rows], 0, vocab, 'int32', 1);
  const inputs = spec.input === 'dense' ? tf.cast(tf.oneHot(ids, vocab), 'float32') : ids;
  const targets = tf.randomUniform([window, rows], 0, spec.outputSize, 'int32', 2);
  // Warm-up (kernel set-up, first-use allocations).
  gradientNormProfile(model, inputs, targets, { window, burnIn: 0 });
  forwardBackward(model, inputs, targets);

  const onePass = medianSeconds(() => gradientNormProfile(model, inputs, targets, { window, burnIn: 0 }));
  const fb = medianSeconds(() => forwardBackward(model, inputs, targets));
  // W separate calls cost Σ_k (k + 1) steps; time an evenly spaced subset of lags and scale by the step count.
  const sampled = quick ? 4 : 10;
  const lags = Array.from({ length: sampled }, (_, i) => Math.round(((i + 0.5) * window) / sampled));
  const start = performance.now();
  for (const k of lags) lagBackward(model, inputs, targets, window, k);
  const sampledTime = seconds(start);
  const stepsSampled = lags.reduce((a) => a + window + 1, 0); // each call: W − k forward steps, then k + 1 steps forward and back
  const stepsAll = window * (window + 1);
  const separate = (sampledTime * stepsAll) / stepsSampled;
  console.log(
    `${name}: W = ${window}, ${rows} rows (medians of 3) — one-pass ${onePass.toFixed(2)} s; ` +
      `one forward+backward over W ${fb.toFixed(2)} s (one-pass / f+b = ${(onePass / fb).toFixed(2)}×); ` +
      `${window} separate backward calls ≈ ${separate.toFixed(1)} s (timed ${sampled} lags, scaled) → ` +
      `${(separate / onePass).toFixed(0)}× faster`,
  );
  tf.dispose([ids, inputs, targets]);
  model.dispose();
}

console.log('1. one-pass profile vs separate backward calls');
// 160 rows: the adaptive controller's defaults measure S = 32 samples × 5 repeats in one probe.
await profileBench('copy (2-layer LSTM 64, one-hot 6)', copySpec, 100, 160);
await profileBench('copy (1-layer LSTM 64, one-hot 6)', { ...copySpec, numLayers: 1 }, 100, 160);
await profileBench('language model (2-layer LSTM 200, vocab 10k)', lmSpec, 200, 10);

// ---------------------------------------------------------------------------------------------------------
// 2. Adaptive overhead on the copy task at default settings.
// ---------------------------------------------------------------------------------------------------------
{
  console.log(
    '\n2. adaptive overhead (copy task, adaptiveTruncation({ delta: 0.1, preset: "synthetic" }) defaults)',
  );
  const model = createModel(copySpec);
  const updates = quick ? 1001 : 3001;
  const result = await train({
    model,
    train: copyStream(20_000, 32),
    truncation: adaptiveTruncation({ delta: 0.1, preset: 'synthetic' }),
    optimizer: { name: 'adam', learningRate: 0.005 },
    clip: { norm: 1 },
    monitorBias: { every: 500 },
    stop: { updates },
  });
  console.log(
    `${result.updates} updates in ${result.elapsedSeconds.toFixed(1)} s, ${result.estimateSeconds.toFixed(1)} s estimating: ` +
      `${((100 * result.estimateSeconds) / result.elapsedSeconds).toFixed(1)} % of wall time (K ended at ${result.truncation}); ` +
      `bias monitoring every 500 updates: ${result.monitorSeconds.toFixed(1)} s, ` +
      `${((100 * result.monitorSeconds) / result.elapsedSeconds).toFixed(1)} %`,
  );
  model.dispose();
}

// ---------------------------------------------------------------------------------------------------------
// 3. Time per token and peak memory against K.
// ---------------------------------------------------------------------------------------------------------
{
  console.log('\n3. time per token and peak memory of one update against K (copy model, 32 columns)');
  const model = createModel(copySpec);
  const stream = copyStream(4_000, 32);
  const ks = quick ? [5, 20, 100] : [5, 10, 20, 50, 100, 200];
  console.log('    K   style    µs/token   peak MB');
  for (const k of ks) {
    for (const style of ['tf', 'buffer'] as const) {
      const position = 400; // past the start so the buffer style has its full burn-in
      const plan = planWindow({
        style,
        truncation: k,
        position,
        carriedAt: position - (style === 'buffer' ? k - 1 : 0),
        steps: stream.steps,
      });
      const state = model.initialState(stream.batch);
      const once = () => {
        const out = windowGradients(model, stream, plan, state);
        out.loss.dataSync();
        tf.dispose([out.loss, ...out.grads, ...out.carried]);
      };
      once(); // warm-up
      const info = await tf.profile(once);
      const repeats = Math.max(2, Math.round(400 / k));
      const start = performance.now();
      for (let i = 0; i < repeats; i++) once();
      const perToken = (seconds(start) / repeats / (k * stream.batch)) * 1e6;
      console.log(
        `${String(k).padStart(5)}   ${style.padEnd(6)} ${perToken.toFixed(1).padStart(10)} ${(info.peakBytes / 2 ** 20).toFixed(1).padStart(9)}`,
      );
      tf.dispose(state);
    }
  }
  model.dispose();
}
