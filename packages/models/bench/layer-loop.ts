/**
 * One recurrent layer over a window on wasm, forward and forward + backward, by the whole-layer WebAssembly loops
 * (one call per direction) and by the scaffold (XNNPACK's matMul per step, the SIMD pointwise steps), the two
 * alternating call by call in one process. Default: the copy task's layer (LSTM, T 20, B 64, H 50). With
 * `--threads N` (the threaded build on N threads): the loops on one thread against the loops split between the
 * kernel threads (batch rows, then rows of ∂W_hh), wall time and the CPU time of all threads.
 *
 *   npx tsx bench/layer-loop.ts [--cell lstm|gru|rnn_tanh|rnn_relu] [--steps 20] [--batch 64] [--hidden 50]
 *     [--repeats 30] [--threads N]
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backends/select-backend.js';
import { gruLayer } from '../src/kernels/gru-layer-kernel.js';
import { lstmLayer } from '../src/kernels/lstm-layer-kernel.js';
import { rnnLayer } from '../src/kernels/rnn-layer-kernel.js';
import { setKernelThreads } from '../src/kernels/simd/simd-kernels.js';
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
const threads = process.argv.includes('--threads') ? Number(option('threads', '2')) : null;
const gates = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;

async function main(): Promise<void> {
  await selectBackend('wasm', threads == null ? {} : { threads });
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
  const [a, b] =
    threads == null ? (['loops', 'scaffold'] as const) : (['1 thread', `${threads} threads`] as const);
  const use = (variant: string) => {
    if (threads == null) setLayerLoops(variant === 'loops');
    else setKernelThreads(variant !== '1 thread');
  };
  console.log(
    `${cell} layer on wasm${threads == null ? '' : ` (threaded build, ${threads} threads)`}: T ${steps}, B ${batch}, H ${hidden} (recurrent product ${(flops / 1e6).toFixed(1)} MFLOP per direction); median of ${repeats}, ${a} and ${b} alternating`,
  );
  for (const [name, job] of Object.entries(jobs)) {
    const times = new Map<string, number[]>([
      [a, []],
      [b, []],
    ]);
    const cpu = new Map<string, number[]>([
      [a, []],
      [b, []],
    ]);
    for (let i = 0; i <= repeats; i++) {
      for (const variant of i % 2 === 0 ? [a, b] : [b, a]) {
        use(variant);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        tf.tidy(() => {
          for (const t of job()) t.dataSync();
        });
        const wall = performance.now() - t0;
        const used = process.cpuUsage(c0);
        if (i > 0) {
          times.get(variant)!.push(wall);
          cpu.get(variant)!.push((used.user + used.system) / 1000);
        }
      }
    }
    const ta = median(times.get(a)!);
    const tb = median(times.get(b)!);
    console.log(
      `  ${name.padEnd(20)} ${a} ${ta.toFixed(2).padStart(7)} ms (CPU ${median(cpu.get(a)!).toFixed(2)})   ${b} ${tb.toFixed(2).padStart(7)} ms (CPU ${median(cpu.get(b)!).toFixed(2)})   ${(tb / ta).toFixed(2)}× the time`,
    );
  }
  setKernelThreads(true);
  setLayerLoops(true);
  tf.dispose([inputGates, weightHhT, biasHh, h0, c0, dOut]);
}

main();
