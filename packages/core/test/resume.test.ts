import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, type RecurrentModel } from '@tbptt/models';
import { describe, expect, it } from 'vitest';
import {
  adaptiveTruncation,
  type OptimizerSpec,
  type TrainConfig,
  type TruncationController,
  tokenStream,
  train,
  variableTruncation,
} from '../src/index';
import { tinyRnn } from './fixtures/tiny-models';

const vocab = 6;
const batch = 3;
const tokens = new Int32Array(60 * batch).map((_, i) => (i * 7 + (i >> 3)) % vocab);

function run(
  controller: () => TruncationController,
  optimizer: OptimizerSpec,
  windowing: 'tf' | 'buffer',
  overrides: Partial<TrainConfig>,
  lstm = false,
) {
  const model: RecurrentModel = lstm
    ? createModel({
        cell: 'lstm',
        input: 'embedding',
        vocabSize: vocab,
        embeddingSize: 4,
        hiddenSize: 5,
        numLayers: 2,
        outputSize: vocab,
        dropout: 0.25,
        seed: 9,
      })
    : tinyRnn({ vocab, hidden: 5, dropout: 0.3, seed: 9 });
  return {
    model,
    promise: train({
      model,
      train: tokenStream({ data: tokens, steps: 60, batch }),
      valid: tokenStream({ data: tokens.slice(0, 30 * 2), steps: 30, batch: 2 }),
      truncation: controller(),
      optimizer: { ...optimizer, learningRate: optimizer.name === 'adam' ? 0.01 : 0.3 },
      windowing,
      learningRateScaling: 'sqrt',
      clip: { norm: 2, over: 'sum' },
      resetStateEachEpoch: false,
      evaluation: { every: 9 },
      seed: 5,
      stop: { updates: 40 },
      ...overrides,
    }),
  };
}

const cases = [
  {
    name: 'adaptive + adam + buffer',
    controller: () =>
      adaptiveTruncation({
        delta: 0.3,
        window: 10,
        burnIn: 3,
        samples: 3,
        repeats: 2,
        refreshEvery: 7,
        kmin: 2,
        kmax: 8,
      }),
    optimizer: { name: 'adam', weightDecay: 1e-3 } as OptimizerSpec,
    windowing: 'buffer' as const,
  },
  {
    name: 'variable + momentum + tf',
    controller: () => variableTruncation({ mean: 6, sd: 2, kmin: 2, seed: 4 }),
    optimizer: { name: 'momentum' } as OptimizerSpec,
    windowing: 'tf' as const,
  },
  {
    name: 'adaptive + adadelta + buffer',
    controller: () =>
      adaptiveTruncation({
        delta: 0.2,
        window: 10,
        burnIn: 2,
        samples: 2,
        repeats: 1,
        refreshEvery: 11,
        kmin: 2,
        kmax: 8,
      }),
    optimizer: { name: 'adadelta' } as OptimizerSpec,
    windowing: 'buffer' as const,
  },
  {
    name: '2-layer LSTM with dropout (models package) + adaptive + sgd + buffer',
    controller: () =>
      adaptiveTruncation({
        delta: 0.3,
        window: 10,
        burnIn: 3,
        samples: 3,
        repeats: 1,
        refreshEvery: 9,
        kmin: 2,
        kmax: 8,
      }),
    optimizer: { name: 'sgd' } as OptimizerSpec,
    windowing: 'buffer' as const,
    lstm: true,
  },
];

describe('resume (issue test 6)', () => {
  for (const c of cases) {
    it(`N updates + checkpoint + resume + N updates is bit-identical to 2N straight: ${c.name}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tbptt-resume-'));
      try {
        const straight = run(c.controller, c.optimizer, c.windowing, { stop: { updates: 40 } }, c.lstm);
        const straightResult = await straight.promise;
        // The stream has 59 positions: 40 updates cross an epoch boundary.
        expect(straightResult.epochs).toBeGreaterThanOrEqual(1);

        const first = run(
          c.controller,
          c.optimizer,
          c.windowing,
          {
            stop: { updates: 20 },
            checkpoint: { dir },
          },
          c.lstm,
        );
        const firstResult = await first.promise;
        expect(firstResult.checkpoint).toBeDefined();
        first.model.dispose();

        const second = run(
          c.controller,
          c.optimizer,
          c.windowing,
          {
            stop: { updates: 40 },
            resumeFrom: dir,
          },
          c.lstm,
        );
        const secondResult = await second.promise;
        expect(secondResult.updates).toBe(40);
        straight.model.variables.forEach((v, i) => {
          const a = Buffer.from(v.dataSync().buffer);
          const b = Buffer.from(second.model.variables[i]!.dataSync().buffer);
          expect(a.equals(b), v.name).toBe(true);
        });
        expect(secondResult.truncation).toBe(straightResult.truncation);
        expect(secondResult.tokens).toBe(straightResult.tokens);
        expect(secondResult.bestValid).toEqual(straightResult.bestValid);
        straight.model.dispose();
        second.model.dispose();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('writes checkpoints atomically and keeps the newest ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tbptt-ckpt-'));
    try {
      const c = cases[1]!;
      const { model, promise } = run(c.controller, c.optimizer, c.windowing, {
        stop: { updates: 12 },
        checkpoint: { dir, every: 3, keep: 2 },
      });
      const events: string[] = [];
      await promise;
      events.push(...readdirSync(dir).sort());
      expect(events).toEqual(['latest', 'update-000000009', 'update-000000012']);
      expect(readdirSync(join(dir, 'update-000000012')).sort()).toEqual([
        'best.safetensors',
        'manifest.json',
        'optimizer.safetensors',
        'state.safetensors',
        'trainer.json',
        'weights.safetensors',
      ]);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
