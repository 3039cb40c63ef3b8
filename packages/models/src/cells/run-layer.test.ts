import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/helpers/cpu-backend';
import type { LayerWeights } from './cell';
import { gruCell } from './gru-cell';
import { lstmCell } from './lstm-cell';
import { type LayerKernel, runLayer, setLayerKernel } from './run-layer';

beforeAll(useCpuBackend);
afterEach(() => {
  setLayerKernel(null);
});

function weights(gates: number, input: number, hidden: number): LayerWeights {
  const v = (n: number, k: number) => Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i * 0.7 + k));
  return {
    weightIh: tf.tensor2d(v(gates * hidden * input, 1), [gates * hidden, input]),
    weightHh: tf.tensor2d(v(gates * hidden * hidden, 2), [gates * hidden, hidden]),
    biasIh: tf.tensor1d(v(gates * hidden, 3)),
    biasHh: tf.tensor1d(v(gates * hidden, 4)),
  };
}

describe('runLayer', () => {
  it('equals T single-step runs chained by hand (one step per call)', () => {
    const w = weights(4, 2, 3);
    const input = tf.tensor2d([0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8, 0.9, -1, 0.2, 0.1], [6, 2]);
    const state = [tf.fill([2, 3], 0.1) as tf.Tensor2D, tf.fill([2, 3], -0.2) as tf.Tensor2D];
    const window = runLayer(lstmCell, input, 3, w, state);
    let carried = state;
    const rows: number[] = [];
    for (let t = 0; t < 3; t++) {
      const one = runLayer(lstmCell, tf.slice(input, [2 * t, 0], [2, 2]), 1, w, carried);
      rows.push(...one.outputs.dataSync());
      carried = one.finalState;
    }
    expect(Array.from(window.outputs.dataSync())).toEqual(rows);
    expect(Array.from(window.finalState[1]!.dataSync())).toEqual(Array.from(carried[1]!.dataSync()));
  });

  it('uses an installed layer kernel when it accepts, and the per-step path when it declines', () => {
    const w = weights(3, 2, 3);
    const input = tf.ones([4, 2]) as tf.Tensor2D;
    const state = [tf.zeros([2, 3]) as tf.Tensor2D];
    const calls: string[] = [];
    const kernel: LayerKernel = (cell, _input, _weights, s, probes) => {
      calls.push(cell.type);
      return probes === undefined ? { outputs: tf.zeros([4, 3]) as tf.Tensor2D, finalState: [...s] } : null;
    };
    expect(setLayerKernel(kernel)).toBeNull();
    expect(Array.from(runLayer(gruCell, input, 2, w, state).outputs.dataSync())).toEqual(
      new Array(12).fill(0),
    );
    const probes = [[tf.zeros([2, 3]) as tf.Tensor2D], [tf.zeros([2, 3]) as tf.Tensor2D]];
    const declined = runLayer(gruCell, input, 2, w, state, probes);
    expect(Math.max(...Array.from(declined.outputs.dataSync()).map(Math.abs))).toBeGreaterThan(0);
    expect(calls).toEqual(['gru', 'gru']);
  });
});
