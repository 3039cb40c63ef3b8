import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './src/backends/select-backend';
import { lstmLayer } from './src/kernels/lstm-layer-kernel';
import { setSimdKernels } from './src/kernels/simd/simd-kernels';
await selectBackend('wasm');
const [T, B, H] = (process.env.SHAPE ?? '20,64,50').split(',').map(Number) as [number, number, number];
const x = tf.randomNormal([T * B, 4 * H]);
const w = tf.mul(tf.randomNormal([H, 4 * H]), 0.1);
const h0 = tf.zeros([B, H]);
const c0 = tf.zeros([B, H]);
const f = (xx: tf.Tensor, ww: tf.Tensor) => {
  const r = lstmLayer({ inputGates: xx as tf.Tensor2D, weightHhT: ww as tf.Tensor2D, h0: h0 as tf.Tensor2D, c0: c0 as tf.Tensor2D });
  return tf.sum(r.outputs);
};
const g = tf.grads(f);
for (const simd of [true, false, true, false]) {
  setSimdKernels(simd);
  const tf0 = [];
  const tb = [];
  for (let i = 0; i < 30; i++) {
    let t0 = performance.now();
    tf.tidy(() => { f(x, w).dataSync(); });
    tf0.push(performance.now() - t0);
    t0 = performance.now();
    tf.tidy(() => { const gs = g([x, w]); gs[1]!.dataSync(); });
    tb.push(performance.now() - t0);
  }
  tf0.sort((a, b) => a - b); tb.sort((a, b) => a - b);
  console.log(`simd ${simd}: forward ${tf0[15]!.toFixed(2)} ms, fwd+bwd ${tb[15]!.toFixed(2)} ms`);
}
(globalThis as any).TIMES = [];
setSimdKernels(true);
for (let i = 0; i < 20; i++) tf.tidy(() => { g([x, w])[1]!.dataSync(); });
const ts = (globalThis as any).TIMES as number[][];
console.log('loop, matMuls, steps, transpose, dW matMul:', ts.slice(-10).map((r) => r.map((v) => v.toFixed(2)).join(' ')).join('\n'));
