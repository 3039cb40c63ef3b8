import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ensureGradients } from './register-gradients';

describe('ensureGradients', () => {
  it('registers a gradient for every kernel tfjs-core’s register_all_gradients lists', async () => {
    await ensureGradients();
    // The independent list: the gradient configs tfjs-core's own ES file registers, read from its source.
    const require = createRequire(import.meta.url);
    const source = readFileSync(
      require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'),
      'utf8',
    );
    const configs = [...source.matchAll(/import \{ (\w+GradConfig) \} from '\.\/gradients\/(\w+)_grad'/g)];
    expect(configs.length).toBeGreaterThan(100);
    const kernels = configs.map(([, , file]) => file!);
    const missing = kernels.filter((name) => tf.getGradient(name) == null);
    expect(missing).toEqual([]);
  });

  it('differentiates through the one tfjs-core engine: d/dX Σ(XX) against its closed form', async () => {
    await ensureGradients();
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const X = [
      [1, 2],
      [3, 4],
    ];
    const x = tf.tensor2d(X);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.matMul(a, a)))(x);
    // ∂/∂X_ij Σ_kl (XX)_kl = Σ_l X_jl + Σ_k X_ki: row sum j plus column sum i.
    const closed = X.map((_, i) =>
      X.map((__, j) => X[j]!.reduce((s, v) => s + v, 0) + X.reduce((s, row) => s + row[i]!, 0)),
    );
    expect(await dx.array()).toEqual(closed);
    tf.dispose([x, dx]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
