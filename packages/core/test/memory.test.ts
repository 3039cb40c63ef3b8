import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { adaptiveTruncation, tokenStream, train } from '../src/index';
import { tinyRnn } from './fixtures/tiny-models';

it('tf.memory().numTensors stays flat over 500 updates with adaptive refreshes, bias monitoring and evaluations', async () => {
  const vocab = 5;
  const batch = 3;
  const tokens = new Int32Array(300 * batch).map((_, i) => (i * 3 + (i >> 4)) % vocab);
  const model = tinyRnn({ vocab, hidden: 4, dropout: 0.2 });
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  let refreshes = 0;
  let evaluations = 0;
  let monitored = 0;
  const result = await train({
    model,
    train: tokenStream({ data: tokens, steps: 300, batch }),
    valid: tokenStream({ data: tokens.slice(0, 60 * 2), steps: 60, batch: 2 }),
    truncation: adaptiveTruncation({
      refreshAtStart: true,
      delta: 0.2,
      window: 8,
      burnIn: 2,
      samples: 3,
      repeats: 1,
      refreshEvery: 50,
      kmin: 2,
      kmax: 6,
    }),
    optimizer: { name: 'adam', learningRate: 0.01 },
    clip: { norm: 1 },
    monitorBias: { every: 125, window: 8, burnIn: 2, samples: 3 },
    stop: { updates: 500 },
    evaluation: { every: 100 },
    onEvent: (e) => {
      if (e.type === 'step') counts.push(tf.memory().numTensors);
      if (e.type === 'estimate') refreshes++;
      if (e.type === 'bias') monitored++;
      if (e.type === 'evaluate') evaluations++;
    },
  });
  expect(result.updates).toBe(500);
  expect(refreshes).toBe(10);
  expect(evaluations).toBe(5);
  expect(monitored).toBe(4);
  // Flat: after update 1 (optimiser slots, carried state) the count does not change until the first evaluation
  // keeps a copy of the best weights (one tensor per variable), and then not again.
  expect(new Set(counts.slice(1, 100)).size).toBe(1);
  expect(new Set(counts.slice(100)).size).toBe(1);
  expect(counts[100]! - counts[1]!).toBe(model.variables.length);
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
});
