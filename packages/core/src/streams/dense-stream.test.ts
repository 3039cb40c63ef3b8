import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { denseStream } from './dense-stream';

describe('denseStream', () => {
  // T = 3, B = 2, F = 2: value = 100t + 10b + f.
  const inputs = new Float32Array(12);
  for (let t = 0; t < 3; t++)
    for (let b = 0; b < 2; b++)
      for (let f = 0; f < 2; f++) inputs[(t * 2 + b) * 2 + f] = 100 * t + 10 * b + f;

  it('slices [T, B, F] inputs with int targets', () => {
    const stream = denseStream({
      batch: 2,
      features: 2,
      inputs,
      targets: Int32Array.from([0, 1, 2, 3, 4, 5]),
    });
    expect(stream.targetKind).toBe('classes');
    const w = stream.slice(1, 3);
    expect(w.inputs.arraySync()).toEqual([
      [
        [100, 101],
        [110, 111],
      ],
      [
        [200, 201],
        [210, 211],
      ],
    ]);
    expect(w.targets.arraySync()).toEqual([
      [2, 3],
      [4, 5],
    ]);
    tf.dispose([w.inputs, w.targets]);
  });

  it('gathers real targets [T, B, O]', () => {
    const stream = denseStream({ batch: 2, features: 2, inputs, targets: inputs.slice(), outputs: 2 });
    expect(stream.targetKind).toBe('real');
    const w = stream.gather([1], [1], 2);
    expect(w.targets.arraySync()).toEqual([[[110, 111]], [[210, 211]]]);
    tf.dispose([w.inputs, w.targets]);
  });

  it('refuses mismatched targets', () => {
    expect(() => denseStream({ batch: 2, features: 2, inputs, targets: new Int32Array(5) })).toThrow(
      /targets.length \(5\)/,
    );
  });
});
