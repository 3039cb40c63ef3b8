// @tbptt/core: adaptive truncation on the copy task, with the events a program can observe.
import { adaptiveTruncation, tokenStream, train } from '@tbptt/core';
import { copyTask, SYNTHETIC_VOCAB_SIZE } from '@tbptt/datasets';
import { createModel, selectBackend } from '@tbptt/models';

await selectBackend('wasm');
const vocab = SYNTHETIC_VOCAB_SIZE;
const data = (steps: number, batch: number, seed: number) =>
  tokenStream(copyTask({ steps, batch, length: 10, minLength: 5, seed }), { oneHot: vocab });
const model = createModel({
  cell: 'lstm',
  input: 'dense',
  featureSize: vocab,
  hiddenSize: 32,
  numLayers: 1,
  outputSize: vocab,
  seed: 1,
});

const result = await train({
  model,
  train: data(5_000, 16, 1),
  valid: data(400, 8, 2),
  // δ = 0.1: keep the relative bias of the truncated gradient under 10 %; re-estimate K every 20 updates.
  truncation: adaptiveTruncation({ delta: 0.1, preset: 'synthetic', refreshEvery: 20, samples: 32 }),
  windowing: 'buffer', // TBPTT(K, 2K − 1): every loss sees at least K lags
  optimizer: { name: 'adam', learningRate: 0.01 },
  clip: { norm: 1, over: 'sum' },
  stop: { updates: 60 },
  evaluation: { every: 30 },
  onEvent: (event) => {
    if (event.type === 'estimate')
      console.log(
        `update ${event.update}: β̂ ${event.beta.toFixed(3)}, δ̂(${event.current}) ${event.deltaAtCurrent.toFixed(3)} → K ${event.chosen}`,
      );
    if (event.type === 'truncation') console.log(`update ${event.update}: K ${event.from} → ${event.to}`);
    if (event.type === 'evaluate')
      console.log(`update ${event.update}: valid perplexity ${event.perplexity.toFixed(3)}`);
  },
});
console.log(
  `${result.updates} updates, K now ${result.truncation}, ${Math.round(result.tokensPerSecond)} tokens/s`,
);
model.dispose();
