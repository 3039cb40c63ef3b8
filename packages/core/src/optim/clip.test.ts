import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clipByGlobalNorm, globalNorm } from './clip';
import { scaledLearningRate } from './learning-rate';

const context = (lossPositions: number) => ({ parameters: [], lossPositions, learningRate: 1 });

describe('clipByGlobalNorm', () => {
  it('scales every gradient by c / ‖g‖ when the global norm exceeds c', () => {
    const before = tf.memory().numTensors;
    const grads = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])]; // global norm 5
    expect(globalNorm(grads)).toBeCloseTo(5, 6);
    const clip = clipByGlobalNorm({ norm: 1 });
    const { updates } = clip.update(grads, clip.init([]), context(7));
    expect(updates[0]!.dataSync()[0]).toBeCloseTo(0.6, 5);
    expect(updates[1]!.dataSync()[1]).toBeCloseTo(0.8, 5);
    const loose = clipByGlobalNorm({ norm: 10 });
    const untouched = loose.update(grads, loose.init([]), context(7)).updates;
    expect(Array.from(untouched[0]!.dataSync())).toEqual([3, 0]);
    tf.dispose([...grads, ...updates, ...untouched]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a non-finite norm when any entry is', () => {
    const grads = [tf.tensor1d([1, Number.NaN])];
    expect(Number.isFinite(globalNorm(grads))).toBe(false);
    tf.dispose(grads);
  });

  it("over: 'sum' clips the summed window loss's gradient at c, i.e. the mean's at c / K (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        (values, k, c) => {
          const g = [tf.tensor1d(values)];
          const sum = clipByGlobalNorm({ norm: c, over: 'sum' });
          const got = sum.update(g, sum.init([]), context(k)).updates;
          // Independent: the sum gradient is K·g; clip it at c (PyTorch's rule), divide by K.
          const n = Math.hypot(...values) * k;
          const scale = n > c ? c / (n + 1e-6) : 1;
          const want = values.map((v) => (v * k * scale) / k);
          const atMean = clipByGlobalNorm({ norm: c / k });
          const viaMean = atMean.update(g, atMean.init([]), context(k)).updates;
          const a = got[0]!.dataSync();
          const b = viaMean[0]!.dataSync();
          want.forEach((w, i) => {
            expect(Math.abs(a[i]! - w)).toBeLessThan(1e-5 * Math.max(1, Math.abs(w)));
            expect(a[i]).toBe(b[i]);
          });
          tf.dispose([...g, ...got, ...viaMean]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a bad threshold, naming the field', () => {
    expect(() => clipByGlobalNorm({ norm: 0 })).toThrow(/clip.norm must be a finite number > 0, got 0/);
    expect(() => clipByGlobalNorm({ norm: 1, over: 'max' as 'sum' })).toThrow(/clip.over/);
  });
});

describe('scaledLearningRate', () => {
  it('multiplies by 1, √K or K', () => {
    expect(scaledLearningRate(0.1, 16, 'none')).toBe(0.1);
    expect(scaledLearningRate(0.1, 16, 'sqrt')).toBeCloseTo(0.4, 12);
    expect(scaledLearningRate(0.1, 16, 'linear')).toBeCloseTo(1.6, 12);
    expect(() => scaledLearningRate(0.1, 16, 'log' as 'linear')).toThrow(/scaling must be/);
  });
});
