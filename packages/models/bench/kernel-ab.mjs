#!/usr/bin/env node
/**
 * Two builds of this package's WebAssembly kernels, A and B, alternating call by call in one process on one
 * memory (which goes first swaps every repeat): the median time of each whole-layer LSTM export and of the layer input projection's, and B / A.
 * For a change to wasm/tbptt-kernels.c, on a machine too loaded for a step benchmark to see it: both builds
 * meet the same load, so the ratio holds where the times do not. Also checks that the two builds give the
 * same bits (the forward's outputs and saved activations at several input scales).
 *
 *   node scripts/build-wasm.mjs --out /tmp/a          # before the change (say, after git stash)
 *   node scripts/build-wasm.mjs --out /tmp/b          # after
 *   node bench/kernel-ab.mjs /tmp/a/tbptt-kernels.wasm /tmp/b/tbptt-kernels.wasm [--steps 20] [--batch 64]
 *     [--hidden 50] [--input 50] [--repeats 40]
 *   node bench/kernel-ab.mjs A.wasm B.wasm --decoder [--rows 700] [--hidden 200] [--vocab 10000]
 *     (the decoder's three products instead, z = x Wᵀ + b at the word LM's sizes, and their bits)
 *
 * The same file as A and B shows the noise floor: on a loaded 2-core machine B/A came out 0.91–1.01.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const files = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (files.length !== 2) {
  process.stderr.write(
    'usage: node bench/kernel-ab.mjs A.wasm B.wasm [--steps T] [--batch B] [--hidden H]\n',
  );
  process.exit(2);
}
const decoder = args.includes('--decoder');
const T = option('steps', 20);
const B = option('batch', 64);
const H = option('hidden', decoder ? 200 : 50);
const K = option('input', H);
const repeats = option('repeats', decoder ? 10 : 40);
const G = 4 * H;
const N = option('rows', 700);
const V = option('vocab', 10000);

/** Both builds on one fresh memory, its arrays filled by a seeded generator. */
function setup() {
  const floats = decoder ? 2 * (N * V + V * H + N * H) + V : 10 * T * B * (G + K);
  const memory = new WebAssembly.Memory({ initial: 64 + Math.ceil((4 * floats) / 65536) });
  const builds = files.map(
    (file) =>
      new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { memory } }).exports,
  );
  const heap = new Float32Array(memory.buffer);
  let top = 1 << 16;
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 31 - 1;
  };
  const array = (n, scale = 0.1) => {
    const at = top;
    top += (n * 4 + 63) & ~63;
    for (let i = 0; i < n; i++) heap[at / 4 + i] = random() * scale;
    return at;
  };
  return { builds, memory, array };
}

const { builds, memory, array } = setup();
const bits = (at, n) => new Uint32Array(memory.buffer, at, n).slice();
/** Values whose bits differ between the two builds' results. */
const differing = ([a, b]) => a.reduce((count, value, i) => count + (value !== b[i] ? 1 : 0), 0);
let calls;
let differ = 0;
if (decoder) {
  // x [N, H], W [V, H], b [V]; z, g [N, V]; dx [N, H], dW [V, H], db [V]
  const [x, w, b, z, g, dx, dw, db] = [N * H, V * H, V, N * V, N * V, N * H, V * H, V].map((n) => array(n));
  calls = {
    linear_forward: (e) => e.linear_forward(x, w, b, z, N, H, V, 1),
    linear_backward_input: (e) => e.linear_backward_input(g, w, dx, N, H, V),
    linear_backward_weight: (e) => e.linear_backward_weight(g, x, dw, db, N, H, V, 1),
  };
  for (const [name, out, n] of [
    ['linear_forward', z, N * V],
    ['linear_backward_input', dx, N * H],
    ['linear_backward_weight', dw, V * H],
  ]) {
    differ += differing(
      builds.map((e) => {
        calls[name](e);
        return bits(out, n);
      }),
    );
  }
} else {
  const x = array(T * B * G);
  const w = array(H * G);
  const h0 = array(B * H);
  const c0 = array(B * H);
  const [out, cs, saved, hLast, cLast] = [T * B * H, T * B * H, T * B * 5 * H, B * H, B * H].map((n) =>
    array(n),
  );
  const [dout, carryH, carryC, din] = [T * B * H, B * H, B * H, T * B * G].map((n) => array(n));
  const dw = array(H * G);
  const [input, wt, bias, dwt, db, dx] = [T * B * K, K * G, G, K * G, G, T * B * K].map((n) => array(n));

  calls = {
    lstm_layer_forward: (e) =>
      e.lstm_layer_forward(x, w, h0, c0, 0, 0, out, cs, saved, 0, hLast, cLast, T, B, H),
    lstm_layer_backward_rows: (e) =>
      e.lstm_layer_backward_rows(dout, saved, cs, c0, w, carryH, carryC, 0, 0, din, T, B, H),
    layer_recurrent_grad: (e) => e.layer_recurrent_grad(out, h0, din, dw, 0, T, B, H, G),
    layer_input_forward: (e) => e.layer_input_forward(input, wt, bias, x, T * B, K, G),
    layer_input_grad_weight: (e) => e.layer_input_grad_weight(din, input, dwt, db, T * B, K, G),
    layer_input_grad_input: (e) => e.layer_input_grad_input(din, wt, dx, T * B, K, G),
  };

  // The same bits: the forward from the same inputs, at several scales of its gate inputs.
  for (const scale of [0.01, 1, 100]) {
    const heap = new Float32Array(memory.buffer);
    differ += differing(
      builds.map((e) => {
        for (let i = 0; i < T * B * G; i++) heap[x / 4 + i] = Math.sin(i) * scale;
        calls.lstm_layer_forward(e);
        return [...bits(out, T * B * H), ...bits(saved, T * B * 5 * H)];
      }),
    );
  }
}

const times = Object.fromEntries(Object.keys(calls).map((name) => [name, [[], []]]));
for (let r = 0; r < repeats; r++) {
  for (const [name, call] of Object.entries(calls)) {
    // A first on even repeats, B first on odd ones: the second call of a pair finds warmer caches.
    for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      call(builds[i]);
      times[name][i].push(performance.now() - t0);
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(
  `${decoder ? `decoder: rows ${N}, hidden ${H}, vocabulary ${V}` : `T ${T}, B ${B}, H ${H}, input ${K}`}; median of ${repeats}, A and B alternating call by call`,
);
console.log(
  `${decoder ? 'outputs' : 'forward'} bits: ${differ === 0 ? 'identical' : `${differ} values differ`} (A: ${files[0]}, B: ${files[1]})`,
);
for (const [name, [a, b]] of Object.entries(times)) {
  console.log(
    `${name.padEnd(26)} A ${median(a).toFixed(3).padStart(8)} ms   B ${median(b).toFixed(3).padStart(8)} ms   B/A ${(median(b) / median(a)).toFixed(3)}`,
  );
}
