/**
 * Where one training step spends its time: kernel calls and kernel time by kernel name (tfjs's profiler),
 * against the step's wall time and the CPU time of all the process's threads.
 * `npx tsx bench/profile-step.ts [copy|lm] [wasm|wasm:N|cpu]` (wasm:N: the threaded build on N threads).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backends/select-backend.js';
import {
  type KernelFixOptions,
  registerKernelFixes,
  unregisterKernelFixes,
} from '../src/kernels/register-kernel-fixes.js';
import { CONFIGS } from './configs.js';
import { median, timeSteps } from './measure.js';
import { tbpttStep } from './tbptt-step.js';

async function main(): Promise<void> {
  const [name = 'copy', label = 'wasm'] = process.argv.slice(2);
  const [backend = 'wasm', threads] = label.split(':');
  await selectBackend(backend as 'wasm', threads == null ? {} : { threads: Number(threads) });
  // FIXES='{"fusedLayers":false}' profiles another combination of registerKernelFixes options.
  if (process.env.FIXES) {
    unregisterKernelFixes(backend);
    const options = JSON.parse(process.env.FIXES) as KernelFixOptions;
    registerKernelFixes(backend, options);
  }
  const config = CONFIGS.find((c) => c.name === name)!;
  const { step, dispose } = tbpttStep(config);
  const wall = median(await timeSteps(step, 5, 2));
  // CPU time of every thread (the caller's, XNNPACK's and this package's workers) over 5 more steps.
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < 5; i++) await step();
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / 5;
  const wallMs = (performance.now() - wall0) / 5;
  const profile = await tf.profile(() => {
    step();
  });
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of profile.kernels) {
    const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += Number(k.kernelTimeMs);
    byName.set(k.name, entry);
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  console.log(
    `${name} on ${label}: wall ${wall.toFixed(1)} ms/step, ${profile.kernels.length} kernel calls, ${total.toFixed(1)} ms inside kernels`,
  );
  console.log(`  CPU, all threads: ${cpuMs.toFixed(1)} ms/step over a wall ${wallMs.toFixed(1)} ms/step`);
  for (const [k, e] of [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${k.padEnd(24)} ${String(e.calls).padStart(5)} calls ${e.ms.toFixed(2).padStart(9)} ms`);
  }
  // Shapes of the calls of one kernel: PROFILE_KERNEL=Sum npx tsx bench/profile-step.ts
  const watched = process.env.PROFILE_KERNEL;
  for (const k of profile.kernels.filter((x) => x.name === watched)) {
    console.log(
      `  ${watched} ${JSON.stringify(k.inputShapes)} -> ${JSON.stringify(k.outputShapes)} ${Number(k.kernelTimeMs).toFixed(2)} ms`,
    );
  }
  dispose();
}

main();
