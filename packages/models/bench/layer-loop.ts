/**
 * One recurrent layer over a window on wasm, forward and forward + backward, by the whole-layer WebAssembly loops
 * (one call per direction) and by the scaffold (XNNPACK's matMul per step, the SIMD pointwise steps), the two
 * alternating call by call in one process. Default: the copy task's layer (LSTM, T 20, B 64, H 50).
 *
 *   npx tsx bench/layer-loop.ts [--cell lstm|gru|rnn_tanh|rnn_relu] [--steps 20] [--batch 64] [--hidden 50]
 *     [--repeats 30]
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backends/select-backend.js';
import { gruLayer } from '../src/kernels/gru-layer-kernel.js';
import { lstmLayer } from '../src/kernels/lstm-layer-kernel.js';
import { rnnLayer } from '../src/kernels/rnn-layer-kernel.js';
import { setLayerLoops } from '../src/kernels/simd/simd-layer-loop.js';
import { median } from './measure.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

const cell = option('cell', 'lstm');
const steps = Number(option('steps', '20'));
const batch = Number(option('batch', '64'));
const hidden = Number(option('hidden', '50'));
const repeats = Number(option('repeats', '30'));
const gates = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;

async function main(): Promise<void> {
  await selectBackend('wasm');
  const rows = steps * batch;
  const inputGates = tf.randomNormal([rows, gates * hidden], 0, 1, 'float32', 1) as tf.Tensor2D;
  const weightHhT = tf.randomNormal([hidden, gates * hidden], 0, 0.2, 'float32', 2) as tf.Tensor2D;
  const biasHh = tf.randomNormal([gates * hidden], 0, 0.1, 'float32', 3) as tf.Tensor1D;
  const h0 = tf.zeros([batch, hidden]) as tf.Tensor2D;
  const c0 = tf.zeros([batch, hidden]) as tf.Tensor2D;
  const dOut = tf.randomNormal([rows, hidden], 0, 1, 'float32', 4) as tf.Tensor2D;
  const layer = (x: tf.Tensor2D, w: tf.Tensor2D) =>
    cell === 'lstm'
      ? lstmLayer({ inputGates: x, weightHhT: w, h0, c0 }).outputs
      : cell === 'gru'
        ? gruLayer({ inputGates: x, weightHhT: w, biasHh, h0 }).outputs
        : rnnLayer({ inputGates: x, weightHhT: w, h0, nonlinearity: cell === 'rnn_relu' ? 'relu' : 'tanh' })
            .outputs;
  const jobs = {
    forward: () => [layer(inputGates, weightHhT)],
    'forward + backward': () =>
      tf.grads((x, w) => tf.sum(tf.mul(layer(x as tf.Tensor2D, w as tf.Tensor2D), dOut)))([
        inputGates,
        weightHhT,
      ]),
  };
  const flops = 2 * rows * hidden * gates * hidden;
  console.log(
    `${cell} layer on wasm: T ${steps}, B ${batch}, H ${hidden} (recurrent product ${(flops / 1e6).toFixed(1)} MFLOP per direction); median of ${repeats}, loops and scaffold alternating`,
  );
  for (const [name, job] of Object.entries(jobs)) {
    const times = { loops: [] as number[], scaffold: [] as number[] };
    for (let i = 0; i <= repeats; i++) {
      for (const variant of i % 2 === 0
        ? (['loops', 'scaffold'] as const)
        : (['scaffold', 'loops'] as const)) {
        setLayerLoops(variant === 'loops');
        const t0 = performance.now();
        tf.tidy(() => {
          for (const t of job()) t.dataSync();
        });
        if (i > 0) times[variant].push(performance.now() - t0);
      }
    }
    const loops = median(times.loops);
    const scaffold = median(times.scaffold);
    console.log(
      `  ${name.padEnd(20)} loops ${loops.toFixed(2).padStart(7)} ms   scaffold ${scaffold.toFixed(2).padStart(7)} ms   ${(scaffold / loops).toFixed(2)}×`,
    );
  }
  setLayerLoops(true);
  tf.dispose([inputGates, weightHhT, biasHh, h0, c0, dOut]);
}

main();
