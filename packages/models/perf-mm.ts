import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './src/backends/select-backend';
await selectBackend('wasm');
const time = (name: string, f: () => tf.Tensor) => {
  const ts = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    tf.tidy(() => { f().dataSync(); });
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  console.log(name, ts[10]!.toFixed(2), 'ms');
};
for (const [M, K, N] of [[50, 1280, 200], [200, 1280, 50], [200, 700, 800], [800, 700, 200], [64,200,50],[64,50,200]]) {
  const b = tf.randomNormal([K, N]);
  const a = tf.randomNormal([M, K]);
  time(`[${M},${K}]x[${K},${N}] same b  `, () => tf.matMul(a, b));
  time(`[${M},${K}]x[${K},${N}] fresh b `, () => tf.matMul(a, tf.mul(b, 1)));
  time(`[${M},${K}]x[${K},${N}] fresh a `, () => tf.matMul(tf.mul(a, 1), b));
  time(`  mul cost`, () => tf.mul(b, 1));
}
