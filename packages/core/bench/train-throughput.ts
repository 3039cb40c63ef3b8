/**
 * Training through the engine against the bare step, at the same configuration (issue 12): tokens with a
 * loss per second of `createTrainer().step` (what `train()` loops over: window planning, slicing the stream,
 * carried state, clipping, the optimiser chain, events) next to a bare training step on pre-uploaded data
 * (forward over the same window, softmax cross-entropy on the same loss positions, gradients, SGD update).
 * The two alternate update by update in one process, so they share the machine's load alike.
 *
 *   npx tsx bench/train-throughput.ts [--config lm|copy] [--windowing tf,buffer] [--truncations 10,35]
 *                                     [--updates 20] [--warmup 5] [--threads N|auto] [--json FILE]
 *
 * The word-LM configuration of issue 12: vocabulary 10,000, embedding 200, 2-layer LSTM 200, B = 20, SGD at
 * lr 1 with clip 0.25, on a random token stream (the throughput does not depend on the text).
 */
import { writeFileSync } from 'node:fs';
import { createModel, type ModelSpec, selectBackend, softmaxCrossEntropy } from '@tbptt/models';
import { wasmThreads } from '@tbptt/models/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { createTrainer, fixedTruncation, tokenStream } from '../src/index';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] != null ? process.argv[i + 1]! : fallback;
}

const CONFIGS: Record<string, { spec: ModelSpec; batch: number }> = {
  lm: {
    spec: {
      cell: 'lstm',
      input: 'embedding',
      vocabSize: 10_000,
      embeddingSize: 200,
      hiddenSize: 200,
      numLayers: 2,
      outputSize: 10_000,
      seed: 1,
    },
    batch: 20,
  },
  copy: {
    spec: {
      cell: 'lstm',
      input: 'embedding',
      vocabSize: 6,
      embeddingSize: 6,
      hiddenSize: 50,
      numLayers: 2,
      outputSize: 6,
      seed: 1,
    },
    batch: 64,
  },
};

const configName = option('config', 'lm');
const config = CONFIGS[configName];
if (config == null) throw new Error(`train-throughput: --config must be lm or copy, got "${configName}"`);
const windowings = option('windowing', 'tf,buffer').split(',') as ('tf' | 'buffer')[];
const truncations = option('truncations', '10,35').split(',').map(Number);
const updates = Number(option('updates', '20'));
const warmup = Number(option('warmup', '5'));
const threadsOption = option('threads', '');
const jsonPath = option('json', '');

const backend = await selectBackend(
  'wasm',
  threadsOption === ''
    ? {}
    : threadsOption === 'auto'
      ? { threads: 'auto', model: config.spec, batch: config.batch }
      : { threads: Number(threadsOption) },
);
const threads = wasmThreads();
console.log(`train-throughput: ${configName} on ${backend}, ${threads} thread(s)`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Row {
  config: string;
  windowing: string;
  truncation: number;
  stepTokensPerS: number;
  trainTokensPerS: number;
  ratio: number;
  stepMs: number;
  trainMs: number;
}

const rows: Row[] = [];
for (const windowing of windowings) {
  for (const K of truncations) {
    const { spec, batch } = config;
    const vocab = spec.outputSize;
    const steps = 4000;
    const data = new Int32Array(steps * batch);
    let seed = 12345;
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = seed % vocab;
    }
    // The engine.
    const model = createModel(spec);
    const trainer = createTrainer({
      model,
      train: tokenStream({ data, steps, batch }),
      truncation: fixedTruncation(K),
      windowing,
      optimizer: { name: 'sgd', learningRate: 1 },
      clip: { norm: 0.25 },
      stop: { updates: warmup + updates + 1 },
    });
    trainer.open();
    let state = trainer.init();
    // The bare step at the same window: 2K − 1 steps with losses on the last K (buffer), K and K (tf).
    const bare = createModel(spec);
    const length = windowing === 'buffer' ? 2 * K - 1 : K;
    const inputs = tf.tensor2d(data.subarray(0, length * batch), [length, batch], 'int32');
    const targets = tf.tensor1d(data.subarray(batch, batch + K * batch), 'int32');
    const bareState = bare.initialState(batch);
    const lr = tf.scalar(1);
    const bareStep = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const { logits } = bare.forward(inputs, bareState, { training: true, decodeFrom: length - K });
          // [K, B, O] -> [K·B, O]
          return softmaxCrossEntropy(targets, tf.reshape(logits, [K * batch, vocab]) as tf.Tensor2D);
        }, bare.variables);
        for (const v of bare.variables) v.assign(tf.sub(v, tf.mul(grads[v.name]!, lr)));
        value.dataSync();
      });
    const stepTimes: number[] = [];
    const trainTimes: number[] = [];
    for (let i = 0; i < warmup + updates; i++) {
      // Alternating, and which goes first alternates too.
      const order = i % 2 === 0 ? ['step', 'train'] : ['train', 'step'];
      for (const which of order) {
        const t0 = performance.now();
        if (which === 'step') bareStep();
        else state = trainer.step(state);
        const ms = performance.now() - t0;
        if (i >= warmup) (which === 'step' ? stepTimes : trainTimes).push(ms);
      }
    }
    trainer.close(state);
    tf.dispose([inputs, targets, lr, ...bareState]);
    bare.dispose();
    model.dispose();
    const stepMs = median(stepTimes);
    const trainMs = median(trainTimes);
    const row: Row = {
      config: configName,
      windowing,
      truncation: K,
      stepMs,
      trainMs,
      stepTokensPerS: (K * batch * 1000) / stepMs,
      trainTokensPerS: (K * batch * 1000) / trainMs,
      ratio: stepMs / trainMs,
    };
    rows.push(row);
    console.log(
      `${configName} ${windowing.padEnd(6)} K=${String(K).padStart(3)}: step ${stepMs.toFixed(1)} ms ` +
        `(${row.stepTokensPerS.toFixed(0)} tok/s), train ${trainMs.toFixed(1)} ms (${row.trainTokensPerS.toFixed(0)} tok/s): ` +
        `train at ${(100 * row.ratio).toFixed(0)} % of the step`,
    );
  }
}
if (jsonPath !== '')
  writeFileSync(jsonPath, JSON.stringify({ backend, threads, updates, warmup, rows }, null, 2));
