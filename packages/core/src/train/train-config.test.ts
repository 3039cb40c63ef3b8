import { describe, expect, it } from 'vitest';
import { linearRnn } from '../../test/fixtures/tiny-models';
import { fixedTruncation } from '../controllers/fixed-truncation';
import { adam } from '../optim/adam';
import { tokenStream } from '../streams/token-stream';
import { resolveTrainConfig, type TrainConfig } from './train-config';

const model = linearRnn(0.5, 2);
const base: TrainConfig = {
  model,
  train: tokenStream({ data: new Int32Array(20), steps: 10, batch: 2 }),
  truncation: fixedTruncation(3),
  stop: { updates: 5 },
};

describe('resolveTrainConfig', () => {
  it('fills the documented defaults', () => {
    const c = resolveTrainConfig(base);
    expect(c.windowing).toBe('buffer');
    expect(c.optimizer.name).toBe('sgd');
    expect(c.optimizer.learningRate).toBe(1);
    expect(c.learningRateScaling).toBe('none');
    expect(c.clip).toBeUndefined();
    expect(c.resetStateEachEpoch).toBe(true);
    expect(c.maxNonFinite).toBe(5);
    expect(c.keep).toBe(2);
    expect(c.monitor).toBeUndefined();
    expect(resolveTrainConfig({ ...base, monitorBias: {} }).monitor).toEqual({
      every: 500,
      deltas: [1, 0.9, 0.5, 0.1],
      window: 100,
      burnIn: 20,
      samples: 64,
      cumulative: 'exact',
    });
  });

  it('takes an optimiser object as well as a spec, with per-optimiser defaults', () => {
    expect(resolveTrainConfig({ ...base, optimizer: adam() }).optimizer.learningRate).toBe(0.001);
    expect(
      resolveTrainConfig({ ...base, optimizer: { name: 'adam', learningRate: 0.01 } }).optimizer.learningRate,
    ).toBe(0.01);
  });

  it('takes a token budget alone, and a token cadence of validation', () => {
    const c = resolveTrainConfig({
      ...base,
      stop: { tokens: 2_000_000 },
      evaluation: { everyTokens: 50_000 },
    });
    expect(c.stop).toEqual({ tokens: 2_000_000 });
    expect(c.evaluation).toEqual({ everyTokens: 50_000 });
  });

  it('names the bad field and the value', () => {
    const bad: [Partial<TrainConfig>, RegExp][] = [
      [{ windowing: 'full' as 'tf' }, /train: windowing must be 'tf' or 'buffer', got "full"/],
      [
        { optimizer: { name: 'sgd', learningRate: 0 } },
        /sgd: learningRate must be a finite number > 0, got 0/,
      ],
      [{ optimizer: { name: 'sgd', learningRate: Number.NaN } }, /got NaN/],
      [{ learningRateScaling: 'log' as 'linear' }, /learningRateScaling must be 'none', 'sqrt' or 'linear'/],
      [{ clip: { norm: -1 } }, /clip.norm must be a finite number > 0, got -1/],
      [{ plateau: { factor: 1 } }, /plateau.factor must be a finite number > 1, got 1/],
      [{ stop: {} }, /stop must be at least one of \{ epochs, updates, tokens, wallTimeSeconds \}/],
      [{ stop: { updates: 0 } }, /stop.updates must be a number > 0, got 0/],
      [{ stop: { epochs: -2 } }, /stop.epochs must be a number > 0, got -2/],
      [{ stop: { wallTimeSeconds: Number.NaN } }, /stop.wallTimeSeconds must be a number > 0, got NaN/],
      [{ evaluation: { every: 1.5 } }, /evaluation.every must be a positive integer, got 1.5/],
      [{ stop: { tokens: 0 } }, /train: stop.tokens must be a positive integer \(training tokens\), got 0/],
      [{ stop: { tokens: 2500.5 } }, /stop.tokens must be a positive integer .* got 2500.5/],
      [{ stop: { tokens: Number.POSITIVE_INFINITY } }, /stop.tokens .* got Infinity/],
      [
        { evaluation: { everyTokens: 0 } },
        /train: evaluation.everyTokens must be a positive integer .* got 0/,
      ],
      [{ evaluation: { everyTokens: -100 } }, /evaluation.everyTokens .* got -100/],
      [
        { evaluation: { every: 10, everyTokens: 1000 } },
        /train: evaluation.every \(10 updates\) and evaluation.everyTokens \(1000 tokens\) exclude each other; give one of them/,
      ],
      [{ checkpoint: { dir: 'x', every: 0 } }, /checkpoint.every must be a positive integer, got 0/],
      [{ checkpoint: { dir: '' } }, /checkpoint.dir must be a non-empty directory path, got ""/],
      [{ checkpoint: { dir: 'x', keep: 0 } }, /checkpoint.keep must be a positive integer .* got 0/],
      [{ checkpoint: { dir: 'x', keep: -1 } }, /checkpoint.keep .* got -1/],
      [{ checkpoint: { dir: 'x', keep: Number.NaN } }, /checkpoint.keep .* got NaN/],
      [{ maxNonFinite: 0 }, /maxNonFinite must be a positive integer, got 0/],
      [{ monitorBias: { deltas: [0] } }, /monitorBias.deltas must be a non-empty list of δ in \(0, 1\]/],
      [{ train: undefined as unknown as TrainConfig['train'] }, /train: train must be a Stream/],
    ];
    for (const [override, message] of bad) {
      expect(() => resolveTrainConfig({ ...base, ...override })).toThrow(message);
    }
  });
});
