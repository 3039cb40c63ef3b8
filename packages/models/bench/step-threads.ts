/**
 * Where a training step's threads go: one step of a bench model on the threaded wasm build, in four modes
 * alternating step by step in one process: this package's kernels on the calling thread only
 * (`setKernelThreads(false)`; XNNPACK keeps its threads), split between the kernel threads with idle
 * threads sleeping at once, split with idle threads polling `--spin` µs before they sleep, and the same
 * with the layer loops cut into one part per thread. Per kernel of this package that can split
 * (simd.split), the wall time inside its calls, so that the kernels whose split does not pay can be read
 * off. Run it on a quiet machine: on busy cores no split can gain.
 *
 *   npx tsx bench/step-threads.ts [copy|lm] [--threads 2] [--steps 40] [--spin 500] [--json FILE]
 *
 * `--json FILE` also writes the step medians per mode (the root `npm run bench` reads them).
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backends/select-backend.js';
import { partRowsFor } from '../src/kernels/simd/kernel-threads.js';
import { MIN_SPLIT_FLOPS, setKernelThreads, simdKernelsFor } from '../src/kernels/simd/simd-kernels.js';
import { setLayerLoopParts } from '../src/kernels/simd/simd-layer-loop.js';
import { CONFIGS } from './configs.js';
import { median } from './measure.js';
import { tbpttStep } from './tbptt-step.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

const name = process.argv[2]?.startsWith('--') ? 'copy' : (process.argv[2] ?? 'copy');
const threads = Number(option('threads', '2'));
const steps = Number(option('steps', '40'));
const spin = Number(option('spin', '500'));
await selectBackend('wasm', { threads });
const simd = simdKernelsFor(tf.backend());
if (simd == null || simd.threads < 2) {
  console.error(
    `step-threads: no kernel threads on this backend (threads ${threads}); pass --threads 2 or more`,
  );
  process.exit(1);
}
interface Mode {
  name: string;
  threads: boolean;
  spin: number;
  loopParts?: number;
  wall: number[];
  cpu: number[];
  inside: Map<string, number[]>;
  /** Parts run by the workers and parts in all, per kernel, over the measured steps. */
  parts: Map<string, [number, number]>;
}
const modes: Mode[] = [
  { name: 'one thread', threads: false, spin: 0 },
  { name: 'split, sleep at once', threads: true, spin: 0 },
  { name: `split, poll ${spin} µs`, threads: true, spin },
  { name: `split, poll ${spin} µs, loops 1 part/thread`, threads: true, spin, loopParts: 1 },
].map((m) => ({ ...m, wall: [], cpu: [], inside: new Map(), parts: new Map() }));
let perStep = new Map<string, number>();
let current: Mode | undefined;
const split = simd.split.bind(simd);
simd.split = (kernel, args, total, grain, flops, partsPerThread) => {
  const before = simd.workerParts;
  const t0 = performance.now();
  split(kernel, args, total, grain, flops, partsPerThread);
  perStep.set(kernel, (perStep.get(kernel) ?? 0) + performance.now() - t0);
  if (current?.threads && flops >= MIN_SPLIT_FLOPS) {
    const [worker, all] = current.parts.get(kernel) ?? [0, 0];
    const count = Math.ceil(total / partRowsFor(total, grain, simd.threads, partsPerThread));
    current.parts.set(kernel, [worker + simd.workerParts - before, all + count]);
  }
};
const config = CONFIGS.find((c) => c.name === name)!;
const { step, dispose } = tbpttStep(config);
for (let i = 0; i < modes.length * (steps + 2); i++) {
  const mode = modes[i % modes.length]!;
  const warmup = i < 2 * modes.length;
  current = warmup ? undefined : mode;
  setKernelThreads(mode.threads);
  simd.spinMicros = mode.spin;
  setLayerLoopParts(mode.loopParts);
  perStep = new Map();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  step();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (warmup) continue;
  mode.wall.push(ms);
  mode.cpu.push((c.user + c.system) / 1000);
  for (const [kernel, t] of perStep) {
    const list = mode.inside.get(kernel) ?? [];
    list.push(t);
    mode.inside.set(kernel, list);
  }
}
setKernelThreads(true);
setLayerLoopParts(undefined);
dispose();
const f = (x: number) => x.toFixed(2).padStart(8);
console.log(`${name} on the threaded build, ${threads} threads, ${steps} steps per mode, medians in ms:`);
for (const [i, m] of modes.entries()) console.log(`  (${i + 1}) ${m.name}`);
const row = (label: string, values: number[]) =>
  console.log(`  ${label.padEnd(28)}${values.map(f).join('')}`);
row(
  'step wall',
  modes.map((m) => median(m.wall)),
);
row(
  'step CPU, all threads',
  modes.map((m) => median(m.cpu)),
);
const kernels = [...new Set(modes.flatMap((m) => [...m.inside.keys()]))].sort();
console.log('  inside simd.split, per step:');
for (const kernel of kernels)
  row(
    `  ${kernel}`,
    modes.map((m) => median(m.inside.get(kernel) ?? [0])),
  );
row(
  '  all split kernels',
  modes.map((m) => kernels.reduce((s, k) => s + median(m.inside.get(k) ?? [0]), 0)),
);
console.log("  the workers' share of the parts of calls large enough to split, modes 2–4:");
for (const kernel of kernels) {
  const shares = modes.slice(1).map((m) => {
    const [worker, all] = m.parts.get(kernel) ?? [0, 0];
    return (all === 0 ? '–' : `${((100 * worker) / all).toFixed(0)} %`).padStart(8);
  });
  console.log(`    ${kernel.padEnd(26)}${''.padStart(8)}${shares.join('')}`);
}
const jsonPath = option('json', '');
if (jsonPath !== '') {
  const result = {
    config: name,
    threads,
    spinMicros: spin,
    steps,
    modes: modes.map((m) => ({ name: m.name, wallMs: median(m.wall), cpuMs: median(m.cpu) })),
  };
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
}
process.exit(0);
