import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { evaluate, fixedTruncation, type TrainEvent, tokenStream, train } from '../src/index';
import { tinyRnn } from './fixtures/tiny-models';

const vocab = 5;
const batch = 4;
const tokens = new Int32Array(50 * batch).map((_, i) => (i * 3 + (i >> 2)) % vocab);
/** A [T, B] layout as batchify returns it. */
const lm = (data: Int32Array) => ({ data, steps: data.length / batch, batch });

describe('train', () => {
  it('stops on epochs, walks the stream in windows of K and emits step events in order', async () => {
    const model = tinyRnn({ vocab, hidden: 4 });
    const steps: TrainEvent[] = [];
    const result = await train({
      model,
      train: tokenStream(lm(tokens)),
      truncation: fixedTruncation(7),
      windowing: 'tf',
      optimizer: { name: 'sgd', learningRate: 0.1 },
      stop: { epochs: 2 },
      onEvent: (e) => {
        if (e.type === 'step') steps.push(e);
      },
    });
    // 49 positions in windows of 7: 7 updates per epoch.
    expect(result.updates).toBe(14);
    expect(result.epochs).toBe(2);
    expect(result.stoppedBy).toBe('epochs');
    expect(result.tokens).toBe(2 * 49 * batch);
    expect(steps.map((e) => (e.type === 'step' ? e.position : -1)).slice(0, 7)).toEqual([
      7, 14, 21, 28, 35, 42, 49,
    ]);
    model.dispose();
  });

  it('learns: the validation loss falls, and the test split is scored with the best weights', async () => {
    const model = tinyRnn({ vocab, hidden: 8 });
    const valid = tokenStream(lm(tokens.slice(0, 20 * batch)));
    const initial = evaluate(model, valid);
    const evaluations: number[] = [];
    const result = await train({
      model,
      train: tokenStream(lm(tokens)),
      valid,
      test: valid,
      truncation: fixedTruncation(5),
      optimizer: { name: 'adam', learningRate: 0.05 },
      stop: { updates: 60 },
      evaluation: { every: 20 },
      onEvent: (e) => {
        if (e.type === 'evaluate' && e.split === 'valid') evaluations.push(e.loss);
      },
    });
    expect(evaluations).toHaveLength(3);
    expect(evaluations[2]!).toBeLessThan(initial.loss * 0.7);
    expect(result.bestValid!.loss).toBe(Math.min(...evaluations));
    // Same split, best weights: the test score equals the best validation score.
    expect(result.testAtBest!.loss).toBeCloseTo(result.bestValid!.loss, 10);
    expect(result.testAtBest!.perplexity).toBeCloseTo(Math.exp(result.bestValid!.loss), 10);
    model.dispose();
  });

  it('skips non-finite updates, emits nonFinite, and stops after maxNonFinite in a row restoring the last good checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tbptt-nonfinite-'));
    try {
      const model = tinyRnn({ vocab, hidden: 4 });
      const events: TrainEvent[] = [];
      let updates = 0;
      const run = train({
        model,
        train: tokenStream(lm(tokens)),
        truncation: fixedTruncation(3),
        optimizer: { name: 'sgd', learningRate: 0.1 },
        stop: { updates: 100 },
        checkpoint: { dir, every: 2 },
        maxNonFinite: 3,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'step' && ++updates === 4) {
            // Poison one weight after 4 updates: every later loss is NaN.
            const v = model.variables[0]!;
            const poisoned = tf.fill(v.shape, Number.NaN);
            v.assign(poisoned);
            poisoned.dispose();
          }
        },
      });
      await expect(run).rejects.toThrow(
        /train: 3 non-finite updates in a row .* the weights and optimiser state of the last good checkpoint .*update-000000002 were restored in memory/,
      );
      // Good means good: the NaN weights were never checkpointed, and the model holds the last good weights again.
      for (const v of model.variables) expect(Number.isFinite(tf.sum(v).dataSync()[0]!)).toBe(true);
      const nonFinite = events.filter((e) => e.type === 'nonFinite');
      expect(nonFinite.map((e) => (e.type === 'nonFinite' ? e.consecutive : 0))).toEqual([1, 2, 3]);
      // The checkpoint due at update 4 came after the poisoning: refused, with the reason.
      expect(readdirSync(dir)).not.toContain('update-000000004');
      expect(
        events.some((e) => e.type === 'checkpointFailed' && /weights are not finite/.test(e.message)),
      ).toBe(true);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('evaluate carries the state through the split: one chunk or many give the same loss', () => {
    const model = tinyRnn({ vocab, hidden: 4 });
    const stream = tokenStream(lm(tokens));
    const before = tf.memory().numTensors;
    const whole = evaluate(model, stream, { chunk: 1000 });
    const chunked = evaluate(model, stream, { chunk: 6 });
    expect(tf.memory().numTensors).toBe(before);
    expect(chunked.loss).toBeCloseTo(whole.loss, 5);
    expect(whole.tokens).toBe(49 * batch);
    // Against a direct computation of the mean cross-entropy.
    const { inputs, targets } = stream.slice(0, stream.steps);
    const direct = tf.tidy(() => {
      const { logits } = model.forward(inputs, model.initialState(batch));
      const logp = tf.logSoftmax(logits);
      return -tf.mean(tf.sum(tf.mul(logp, tf.oneHot(targets, vocab)), -1)).dataSync()[0]!;
    });
    expect(whole.loss).toBeCloseTo(direct, 5);
    tf.dispose([inputs, targets]);
    model.dispose();
  });
});

describe('train, validation schedule', () => {
  it('validates at the end of every epoch by default, and always once at the end of training', async () => {
    const model = tinyRnn({ vocab, hidden: 4 });
    const at: number[] = [];
    await train({
      model,
      train: tokenStream(lm(tokens)),
      valid: tokenStream(lm(tokens.slice(0, 20 * batch))),
      truncation: fixedTruncation(7),
      windowing: 'tf',
      optimizer: { name: 'sgd', learningRate: 0.1 },
      stop: { updates: 10 }, // 7 updates per epoch: one epoch end, then a stop mid-epoch
      onEvent: (e) => {
        if (e.type === 'evaluate') at.push(e.update);
      },
    });
    expect(at).toEqual([7, 10]);
    model.dispose();
  });
});
