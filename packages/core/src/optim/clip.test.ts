import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from './clip';
import { scaledLearningRate } from './lr-scaling';

describe('clipByGlobalNorm', () => {
  it('scales every gradient by maxNorm / ‖g‖ when the global norm exceeds it', () => {
    const grads = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])]; // global norm 5
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(Array.from(clipped[0]!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(Array.from(clipped[1]!.dataSync())[1]).toBeCloseTo(0.8, 5);
    const untouched = clipByGlobalNorm(grads, 10);
    expect(Array.from(untouched.grads[0]!.dataSync())).toEqual([3, 0]);
    tf.dispose([...grads, ...clipped, ...untouched.grads]);
  });

  it('reports a non-finite norm when any entry is', () => {
    const grads = [tf.tensor1d([1, Number.NaN])];
    const { grads: out, norm } = clipByGlobalNorm(grads, 1);
    expect(Number.isFinite(norm)).toBe(false);
    tf.dispose([...grads, ...out]);
  });
});

describe('scaledLearningRate', () => {
  it('multiplies by 1, √K or K', () => {
    expect(scaledLearningRate(0.1, 16, 'none')).toBe(0.1);
    expect(scaledLearningRate(0.1, 16, 'sqrt')).toBeCloseTo(0.4, 12);
    expect(scaledLearningRate(0.1, 16, 'K')).toBeCloseTo(1.6, 12);
    expect(() => scaledLearningRate(0.1, 16, 'log' as 'K')).toThrow(/lrScaling/);
  });
});
