import { batchify } from '@tbptt/datasets';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tokenStream } from './token-stream';

// A corpus 0..23 batchified into 4 columns of 6: column b holds 6b..6b+5, row t holds [t, 6+t, 12+t, 18+t].
const batch = 4;
const rows = 6;
const tokens = new Int32Array(rows * batch);
for (let t = 0; t < rows; t++) for (let b = 0; b < batch; b++) tokens[t * batch + b] = b * rows + t;

describe('tokenStream', () => {
  it('language modelling: targets are the next token; T = N − 1', () => {
    const stream = tokenStream({ data: tokens, steps: rows, batch });
    expect(stream.steps).toBe(5);
    const { inputs, targets } = stream.slice(1, 3);
    expect(inputs.arraySync()).toEqual([
      [1, 7, 13, 19],
      [2, 8, 14, 20],
    ]);
    expect(targets.arraySync()).toEqual([
      [2, 8, 14, 20],
      [3, 9, 15, 21],
    ]);
    tf.dispose([inputs, targets]);
  });

  it('gathers (start, column) samples into batch rows', () => {
    const stream = tokenStream({ data: tokens, steps: rows, batch });
    const { inputs, targets } = stream.gather([0, 2], [3, 1], 3);
    expect(inputs.arraySync()).toEqual([
      [18, 8],
      [19, 9],
      [20, 10],
    ]);
    expect(targets.arraySync()).toEqual([
      [19, 9],
      [20, 10],
      [21, 11],
    ]);
    tf.dispose([inputs, targets]);
  });

  it('consumes what batchify returns, and describes what the model must accept', () => {
    const ids = Int32Array.from({ length: 24 }, (_, i) => i);
    const stream = tokenStream(batchify(ids, 4));
    const { inputs, targets } = stream.slice(0, 1);
    expect(inputs.arraySync()).toEqual([[0, 6, 12, 18]]);
    expect(targets.arraySync()).toEqual([[1, 7, 13, 19]]);
    expect(stream.describe()).toEqual({ input: 'ids', inputSize: 22, targetSize: 23 });
    tf.dispose([inputs, targets]);
  });

  it('one-hot inputs and explicit targets', () => {
    const stream = tokenStream(
      { inputs: Int32Array.from([0, 1, 2, 0]), targets: Int32Array.from([1, 1, 0, 0]), steps: 2, batch: 2 },
      { oneHot: 3 },
    );
    expect(stream.describe()).toEqual({ input: 'dense', inputSize: 3, targetSize: 1 });
    const { inputs, targets } = stream.slice(0, 2);
    expect(inputs.shape).toEqual([2, 2, 3]);
    expect(inputs.dtype).toBe('float32');
    expect(inputs.arraySync()).toEqual([
      [
        [1, 0, 0],
        [0, 1, 0],
      ],
      [
        [0, 0, 1],
        [1, 0, 0],
      ],
    ]);
    expect(targets.arraySync()).toEqual([
      [1, 1],
      [0, 0],
    ]);
    tf.dispose([inputs, targets]);
  });

  it('refuses bad layouts and ranges, naming the argument', () => {
    expect(() => tokenStream({ data: new Int32Array(5), steps: 3, batch: 2 })).toThrow(
      /steps × batch = 3 × 2 .* got length 5/,
    );
    expect(() =>
      tokenStream(
        { inputs: Int32Array.from([0, 5]), targets: Int32Array.from([0, 0]), steps: 1, batch: 2 },
        { oneHot: 3 },
      ),
    ).toThrow(/input id 5 does not fit oneHot: 3/);
    expect(() => tokenStream({ data: tokens, steps: rows, batch: 0 })).toThrow(
      /batch must be a positive integer, got 0/,
    );
    expect(() => tokenStream({ data: tokens, steps: rows, batch }).slice(3, 9)).toThrow(/window \[3, 9\)/);
    expect(() => tokenStream({ data: tokens, steps: rows, batch }).gather([4], [0], 3)).toThrow(/sample 0/);
  });
});
