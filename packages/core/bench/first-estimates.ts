/**
 * Issue 10's check: on the copy task (variable spans 5..10) with the synthetic preset and δ = 0.1, the K chosen by
 * the first three estimates with the exact and with the approximate C(K), from the same initial weights and data.
 * The reference's copy settings: 2 × LSTM 50, batch 64, SGD lr 1·√K, weight decay 1e-5, clip 1 over the summed
 * window loss, `buffer` windowing.
 *
 *     npx tsx packages/core/bench/first-estimates.ts
 */
import { copyTask, SYNTHETIC_VOCAB_SIZE } from '@tbptt/datasets';
import { createModel, selectBackend } from '@tbptt/models';
import { adaptiveTruncation, type EstimateEvent, tokenStream, train } from '../src/index';

await selectBackend('wasm');
const vocab = SYNTHETIC_VOCAB_SIZE;
const data = copyTask({ steps: 4000, batch: 64, length: 10, minLength: 5, seed: 1 });
for (const cumulative of ['exact', 'approximate'] as const) {
  const model = createModel({
    cell: 'lstm',
    input: 'dense',
    featureSize: vocab,
    hiddenSize: 50,
    numLayers: 2,
    outputSize: vocab,
    seed: 1,
  });
  const stop = new AbortController();
  const estimates: EstimateEvent[] = [];
  const started = performance.now();
  await train({
    model,
    train: tokenStream(data, { oneHot: vocab }),
    truncation: adaptiveTruncation({ delta: 0.1, preset: 'synthetic', cumulative }),
    windowing: 'buffer',
    optimizer: { name: 'sgd', learningRate: 1, weightDecay: 1e-5 },
    learningRateScaling: 'sqrt',
    clip: { norm: 1, over: 'sum' },
    resetStateEachEpoch: false,
    stop: { updates: 100_000 },
    onEvent: (e) => {
      if (e.type === 'estimate') {
        estimates.push(e);
        if (estimates.length === 3) stop.abort();
      }
    },
    signal: stop.signal,
  });
  console.log(
    `${cumulative.padEnd(11)} C: K ${estimates.map((e) => `${e.current} → ${e.chosen} (β̂ ${e.beta.toFixed(3)}, δ̂ ${e.deltaAtChosen.toFixed(3)}, update ${e.update})`).join(', ')}` +
      `  [${((performance.now() - started) / 1000).toFixed(0)} s]`,
  );
  model.dispose();
}
