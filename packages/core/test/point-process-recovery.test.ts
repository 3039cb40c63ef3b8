import { eventStreams, exponentialIntensityProcess } from '@tbptt/datasets';
import { createModel } from '@tbptt/models';
import { describe, expect, it } from 'vitest';
import { evaluate, fixedTruncation, pointProcessStream, train } from '../src/index';

/**
 * Training recovers a known process: on data from `exponentialIntensityProcess` (marks and gaps driven by an
 * exponentially weighted mark history, so the model must carry state), an RMTPP-shaped LSTM reaches a test NLL
 * within a small margin of the true process's exact NLL on the same events.
 */
describe('point-process training on a synthetic process', () => {
  it('reaches a test NLL within 0.03 nats of the true process', async () => {
    const params = { base: 0, excitation: 0.6, memory: 0.7, w: 0.4, markCoupling: 1.2 };
    const train_ = exponentialIntensityProcess({ ...params, sequences: 16, events: 1001, seed: 1 });
    const held = exponentialIntensityProcess({ ...params, sequences: 4, events: 401, seed: 2 });
    // 16,000 train rows as [1000, 16]; 1,600 held-out rows halved into valid and test, each [100, 8].
    const streams = eventStreams({ train: train_.data, test: held.data }, { batch: 16, evalBatch: 8 });
    // The truth on the test half: rows 800..1599 of the held-out rows, in order.
    const heldNll = held.truth.nll.flatMap((sequence) => Array.from(sequence));
    const testRows = heldNll.slice(800);
    const trueNll = testRows.reduce((a, b) => a + b, 0) / testRows.length;
    const model = createModel({
      cell: 'lstm',
      input: 'dense',
      featureSize: 4,
      inputEncoder: { features: 2, size: 8 },
      hiddenSize: 16,
      numLayers: 1,
      outputSize: 4,
      heads: [
        { name: 'marks', size: 2 },
        { name: 'log_intensity', size: 1 },
        { name: 'w', size: 1, kind: 'constant' },
      ],
      seed: 3,
    });
    const test = pointProcessStream(streams.test);
    const initial = evaluate(model, test);
    const result = await train({
      model,
      train: pointProcessStream(streams.train),
      valid: pointProcessStream(streams.valid),
      test,
      truncation: fixedTruncation(5),
      windowing: 'buffer',
      optimizer: { name: 'adam', learningRate: 0.03 },
      stop: { updates: 1000 }, // ≈ 20 s on the cpu backend; 1,500 updates reach 0.014 nats
      evaluation: { every: 100 },
    });
    const final = result.testAtBest!;
    // The margin means something: the untrained model is far off.
    expect(initial.loss - trueNll).toBeGreaterThan(0.3);
    expect(final.loss - trueNll).toBeLessThan(0.03);
    // A model cannot beat the truth by more than sampling noise of 800 events (sd of the mean NLL ≈ 0.04).
    expect(final.loss - trueNll).toBeGreaterThan(-0.1);
    model.dispose();
  }, 240_000); // ≈ 20 s on an idle machine; a loaded one takes several times longer
});
