import { selectBackend } from '@tbptt/models';
import { setSimdKernels } from '@tbptt/models/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipOptions, checkClip, clipByGlobalNorm, globalNorm } from './clip';
import { createOptimizer } from './create-optimizer';
import { fusedChainUpdate } from './fused-update';
import { applyUpdates, chain, disposeChainState, type NamedParameter } from './gradient-transformation';
import { scaleByLearningRate } from './learning-rate';
import type { OptimizerSpec } from './optimizer';

const SPECS: OptimizerSpec[] = [
  { name: 'sgd', learningRate: 0.1 },
  { name: 'sgd', learningRate: 0.1, weightDecay: 0.01 },
  { name: 'momentum', learningRate: 0.05, momentum: 0.8, weightDecay: 0.001 },
  { name: 'adam', learningRate: 0.01, weightDecay: 0.01 },
  { name: 'adadelta', learningRate: 1 },
];

function values(n: number, seed: number): Float32Array {
  let a = seed;
  return Float32Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) >>> 0;
    return 2 * (a / 2 ** 32) - 1;
  });
}

/** Runs 3 updates with the chain + applyUpdates and with the fused kernels from the same start. */
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function both(spec: OptimizerSpec, clip: ClipOptions | undefined) {
  const shapes = [[3, 5], [7], [1]];
  const runs = [false, true].map((fused) => {
    const parameters: NamedParameter[] = shapes.map((shape, i) => ({
      name: `p${i}`,
      variable: tf.tidy(() => tf.variable(tf.tensor(values(size(shape), 10 + i), shape))),
    }));
    const optimizer = createOptimizer(spec);
    const resolved = clip ? checkClip('test', clip) : undefined;
    const optimization = chain(
      ...(resolved ? [clipByGlobalNorm(resolved)] : []),
      optimizer,
      scaleByLearningRate(),
    );
    let state = optimization.init(parameters);
    for (let update = 0; update < 3; update++) {
      const grads = shapes.map((shape, i) =>
        tf.tidy(() => tf.mul(tf.tensor(values(size(shape), 100 * update + i), shape), 3)),
      );
      const context = {
        parameters,
        lossPositions: 5,
        learningRate: optimizer.learningRate * (1 + update),
        gradNorm: globalNorm(grads),
      };
      if (fused) {
        const next = fusedChainUpdate(optimizer, resolved, parameters, grads, state, context);
        expect(next).toBeDefined();
        state = next!;
      } else {
        const out = optimization.update(grads, state, context);
        applyUpdates(parameters, out.updates);
        tf.dispose(out.updates);
        state = out.state;
      }
      tf.dispose(grads);
    }
    const weights = parameters.map((p) => p.variable.dataSync().slice());
    const slots = state.flatMap((s) => [...s.slots.values()].map((t) => t.dataSync().slice()));
    disposeChainState(state);
    for (const p of parameters) p.variable.dispose();
    return { weights, slots };
  });
  return { chain: runs[0]!, fused: runs[1]! };
}

const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return w;
};

describe.each([
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as const)('fusedChainUpdate on %s (SIMD %s) equals chain + applyUpdates', (backend, simd) => {
  beforeAll(async () => {
    await selectBackend(backend);
    setSimdKernels(simd);
  });
  afterAll(() => {
    setSimdKernels(true);
  });
  for (const spec of SPECS) {
    for (const clip of [undefined, { norm: 0.5 }, { norm: 1, over: 'sum' as const }]) {
      it(`${JSON.stringify(spec)}, clip ${JSON.stringify(clip)}: weights and slots after 3 updates`, () => {
        const before = tf.memory().numTensors;
        const { chain: c, fused: f } = both(spec, clip);
        expect(tf.memory().numTensors).toBe(before);
        c.weights.forEach((w, i) => {
          expect(worst(f.weights[i]!, w), `weights ${i}`).toBeLessThan(1e-6);
        });
        expect(f.slots.length).toBe(c.slots.length);
        c.slots.forEach((s, i) => {
          expect(worst(f.slots[i]!, s), `slot ${i}`).toBeLessThan(1e-6);
        });
      });
    }
  }
});
