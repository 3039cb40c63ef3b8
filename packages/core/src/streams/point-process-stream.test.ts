import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { pointProcessStream } from './point-process-stream';

// T = 3, B = 2, F = 4 (2 marks + flag + gap): input value = 10·t + b + f/10; targets (mark, gap) = ((t + b) % 2, t + b/2)
const steps = 3;
const batch = 2;
const inputs = Float32Array.from({ length: steps * batch * 4 }, (_, i) => {
  const f = i % 4;
  const cell = (i - f) / 4;
  return 10 * Math.floor(cell / batch) + (cell % batch) + f / 10;
});
const targets = Float32Array.from({ length: steps * batch * 2 }, (_, i) => {
  const cell = i >> 1;
  const t = Math.floor(cell / batch);
  const b = cell % batch;
  return i % 2 === 0 ? (t + b) % 2 : t + b / 2;
});

describe('pointProcessStream', () => {
  const stream = pointProcessStream({ inputs, targets, steps, batch, features: 4, markCount: 2 });

  it('is a point-process stream of dense inputs whose model needs M + 2 outputs', () => {
    expect(stream.targetKind).toBe('point-process');
    expect(stream.describe()).toEqual({ input: 'dense', inputSize: 4, targetSize: 4 });
  });

  it('slices and gathers [T, B, F] inputs and [T, B, 2] targets', () => {
    const before = tf.memory().numTensors;
    const window = stream.slice(1, 3);
    expect(window.inputs.shape).toEqual([2, 2, 4]);
    expect(window.targets.arraySync()).toEqual([
      [
        [1, 1],
        [0, 1.5],
      ],
      [
        [0, 2],
        [1, 2.5],
      ],
    ]);
    const gathered = stream.gather([1, 0], [0, 1], 2);
    expect((gathered.inputs.arraySync() as number[][][]).map((row) => row.map((cell) => cell[0]))).toEqual([
      [10, 1],
      [20, 11],
    ]);
    expect((gathered.targets.arraySync() as number[][][]).map((row) => row.map((cell) => cell[1]))).toEqual([
      [1, 0.5],
      [2, 1.5],
    ]);
    tf.dispose([window.inputs, window.targets, gathered.inputs, gathered.targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses marks outside [0, M) and negative gaps, naming the position', () => {
    const bad = targets.slice();
    bad[2 * 3] = 2; // step 1, column 1
    expect(() =>
      pointProcessStream({ inputs, targets: bad, steps, batch, features: 4, markCount: 2 }),
    ).toThrow(
      'pointProcessStream: the target at step 1, column 1 is (mark 2, gap 1.5); expected an integer mark in [0, 2) and a finite gap ≥ 0',
    );
    const negative = targets.slice();
    negative[1] = -0.1;
    expect(() =>
      pointProcessStream({ inputs, targets: negative, steps, batch, features: 4, markCount: 2 }),
    ).toThrow('the target at step 0, column 0 is (mark 0, gap -0.1');
    expect(() => pointProcessStream({ inputs, targets, steps, batch, features: 5, markCount: 2 })).toThrow(
      'pointProcessStream: inputs must be a Float32Array of steps × batch × features = 3 × 2 × 5',
    );
  });
});
