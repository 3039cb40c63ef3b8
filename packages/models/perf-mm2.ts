import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './src/backends/select-backend';
import { matMulPeak } from './bench/measure';
await selectBackend('wasm');
console.log('peak', matMulPeak(512));
const a = tf.randomNormal([200, 700]); const b = tf.randomNormal([700, 800]);
for (let i = 0; i < 5; i++) { const t0 = performance.now(); const c = tf.matMul(a, b); c.dataSync(); c.dispose(); console.log((performance.now() - t0).toFixed(2)); }
