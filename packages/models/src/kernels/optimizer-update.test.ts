import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstError } from '../../test/helpers/layer-reference';
import { selectBackend } from '../backends/select-backend';
import { hasOptimizerUpdate, type OptimizerRule, optimizerUpdate, sumOfSquares } from './optimizer-update';
import { setSimdKernels } from './simd/simd-kernels';

/** A float64 reference of each rule, written from the formulas (PyTorch's forms, coupled weight decay). */
function reference(
  rule: OptimizerRule,
  lr: number,
  s: number,
  wd: number,
  theta: number[],
  g: number[],
  slots: number[][],
) {
  const out = theta.slice();
  const next = slots.map((x) => x.slice());
  for (let i = 0; i < theta.length; i++) {
    const gg = s * g[i]! + wd * theta[i]!;
    if (rule.rule === 'sgd') out[i] = theta[i]! - lr * gg;
    if (rule.rule === 'momentum') {
      next[0]![i] = rule.momentum * slots[0]![i]! + gg;
      out[i] = theta[i]! - lr * next[0]![i]!;
    }
    if (rule.rule === 'adam') {
      const m = rule.beta1 * slots[0]![i]! + (1 - rule.beta1) * gg;
      const v = rule.beta2 * slots[1]![i]! + (1 - rule.beta2) * gg * gg;
      next[0]![i] = m;
      next[1]![i] = v;
      const mHat = m / (1 - rule.beta1 ** rule.step);
      const vHat = v / (1 - rule.beta2 ** rule.step);
      out[i] = theta[i]! - (lr * mHat) / (Math.sqrt(vHat) + rule.epsilon);
    }
    if (rule.rule === 'adadelta') {
      const sq = rule.rho * slots[0]![i]! + (1 - rule.rho) * gg * gg;
      const delta = (Math.sqrt(slots[1]![i]! + rule.epsilon) / Math.sqrt(sq + rule.epsilon)) * gg;
      next[0]![i] = sq;
      next[1]![i] = rule.rho * slots[1]![i]! + (1 - rule.rho) * delta * delta;
      out[i] = theta[i]! - lr * delta;
    }
  }
  return { out, next };
}

const RULES: OptimizerRule[] = [
  { rule: 'sgd' },
  { rule: 'momentum', momentum: 0.9 },
  { rule: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 3 },
  { rule: 'adadelta', rho: 0.9, epsilon: 1e-6 },
];

function values(n: number, seed: number, positive = false): number[] {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) >>> 0;
    const u = a / 2 ** 32;
    return Math.fround(positive ? u : 2 * u - 1);
  });
}

describe.each([
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as const)('optimizerUpdate and sumOfSquares on %s (SIMD %s)', (backend, simd) => {
  beforeAll(async () => {
    await selectBackend(backend);
    setSimdKernels(simd);
  });
  afterAll(() => {
    setSimdKernels(true);
  });

  for (const rule of RULES) {
    it.each([1, 7, 1001])(`${rule.rule}, n = %i, equals the float64 formulas to float32 rounding`, (n) => {
      expect(hasOptimizerUpdate()).toBe(true);
      const theta = values(n, 1 + n);
      const g = values(n, 2 + n);
      const slotCount = { sgd: 0, momentum: 1, adam: 2, adadelta: 2 }[rule.rule];
      const slots = Array.from({ length: slotCount }, (_, k) =>
        values(n, 3 + k + n, rule.rule !== 'momentum'),
      );
      const before = tf.memory().numTensors;
      const t = tf.tensor1d(theta);
      const gt = tf.tensor1d(g);
      const st = slots.map((x) => tf.tensor1d(x));
      const result = optimizerUpdate(
        rule,
        { learningRate: 0.05, gradScale: 0.7, weightDecay: 0.01 },
        t,
        gt,
        st,
      );
      const got = result.theta.dataSync();
      const gotSlots = result.slots.map((x) => x.dataSync());
      tf.dispose([t, gt, ...st, result.theta, ...result.slots]);
      expect(tf.memory().numTensors).toBe(before);
      const want = reference(rule, 0.05, 0.7, 0.01, theta, g, slots);
      expect(worstError(got, want.out)).toBeLessThan(3e-7);
      gotSlots.forEach((x, k) => {
        expect(worstError(x, want.next[k]!), `slot ${k}`).toBeLessThan(3e-7);
      });
    });
  }

  it('refuses a wrong slot count, naming the rule', () => {
    const t = tf.zeros([3]);
    expect(() =>
      optimizerUpdate(
        { rule: 'adam', beta1: 0.9, beta2: 0.99, epsilon: 1e-8, step: 1 },
        { learningRate: 1, gradScale: 1, weightDecay: 0 },
        t,
        t,
        [t],
      ),
    ).toThrow(/adam takes 2 slot\(s\), got 1/);
    t.dispose();
  });

  it('sumOfSquares equals the float64 sum over tensors of several sizes', () => {
    const xs = [1, 5, 4099].map((n) => values(n, 9 * n));
    const ts = xs.map((x) => tf.tensor1d(x));
    const want = xs.flat().reduce((s, v) => s + v * v, 0);
    expect(Math.abs(sumOfSquares(ts) - want) / want).toBeLessThan(1e-12);
    const bad = tf.tensor1d([1, Number.NaN]);
    expect(Number.isNaN(sumOfSquares([...ts, bad]))).toBe(true);
    tf.dispose([...ts, bad]);
  });
});
