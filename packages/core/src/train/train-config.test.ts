import { describe, expect, it } from 'vitest';
import { linearRnn } from '../../test/fixtures/tiny-models';
import { fixedTruncation } from '../controllers/fixed-truncation';
import { tokenStream } from '../streams/token-stream';
import { resolveTrainConfig, type TrainConfig } from './train-config';

const model = linearRnn(0.5, 2);
const base: TrainConfig = {
  model,
  train: tokenStream({ tokens: new Int32Array(20), batch: 2 }),
  truncation: fixedTruncation(3),
  stop: { updates: 5 },
};

describe('resolveTrainConfig', () => {
  it('fills the documented defaults', () => {
    const c = resolveTrainConfig(base);
    expect(c.windowing).toBe('buffer');
    expect(c.learningRate).toBe(1);
    expect(c.optimizer).toEqual({ name: 'sgd' });
    expect(c.lrScaling).toBe('none');
    expect(c.resetStateEachEpoch).toBe(true);
    expect(c.evalBatch).toBe(10);
    expect(c.maxNonFinite).toBe(5);
  });

  it('names the bad field and the value (issue test 7)', () => {
    const bad: [Partial<TrainConfig>, RegExp][] = [
      [{ windowing: 'full' as 'tf' }, /train: windowing must be 'tf' or 'buffer', got "full"/],
      [{ learningRate: 0 }, /learningRate must be a finite number > 0, got 0/],
      [{ lrScaling: 'log' as 'K' }, /lrScaling must be 'none', 'sqrt' or 'K'/],
      [{ clipNorm: -1 }, /clipNorm must be a number > 0, got -1/],
      [{ stop: {} }, /stop must be at least one of/],
      [{ stop: { updates: 0 } }, /stop.updates must be a number > 0, got 0/],
      [{ stop: { epochs: -2 } }, /stop.epochs must be a number > 0, got -2/],
      [{ evaluation: { batch: 0 } }, /evaluation.batch must be a positive integer, got 0/],
      [{ evaluation: { every: 1.5 } }, /evaluation.every must be a positive integer, got 1.5/],
      [{ checkpoint: { dir: 'x', every: 0 } }, /checkpoint.every must be a positive integer, got 0/],
      [{ maxNonFinite: 0 }, /maxNonFinite must be a positive integer, got 0/],
    ];
    for (const [override, message] of bad) {
      expect(() => resolveTrainConfig({ ...base, ...override })).toThrow(message);
    }
  });
});
