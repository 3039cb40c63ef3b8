/**
 * `npm run bench -w @tbptt/models`: tokens/s of one training step (forward, backward, SGD update) for the
 * copy-task and word-LM configurations of issue 3, on each available backend, against the same model in
 * tfjs-layers and in PyTorch (when `/usr/bin/python3 -c 'import torch'` works).
 *
 * Each measurement runs in its own child process (clean heap, its own peak RSS).
 *
 *   --backends wasm,cpu   --configs copy,lm   --steps 10   --warmup 2   --warmup-seconds 1.5
 *   (warm-up runs at least --warmup steps and at least --warmup-seconds, at most 200 steps, in PyTorch too)
 *   (a backend `wasm:N` is wasm with N XNNPACK threads: `selectBackend('wasm', { threads: N })`)
 *   --ablation            also run wasm with each fix turned off, to show what each one pays
 *   --no-layers --no-torch
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KernelFixOptions } from '../src/kernels/register-kernel-fixes.js';
import { type BenchConfig, CONFIGS, stepFlops, TARGETS } from './configs.js';

interface Job {
  backend: string;
  config: BenchConfig['name'];
  impl: 'tbptt' | 'layers';
  variant: string;
  steps: number;
  warmup: number;
  /** Warm-up also lasts at least this long (the first tens of steps run slower while the JIT settles). */
  warmupSeconds: number;
}

interface Result extends Job {
  /** wasm threads the backend ran (0: not wasm). */
  threads?: number;
  medianMs: number;
  /** Warm-up steps run before the measured ones (at least `warmup`, and for at least `warmupSeconds`). */
  warmupSteps: number;
  /** CPU time of all the process's threads per step (median): the step's cost where cores are shared. */
  cpuMs: number;
  tokensPerS: number;
  gflops: number;
  peakGflops: number;
  kernels: number;
  topKernels: [string, number][];
  peakRssMb: number;
  error?: string;
}

const STOCK = 'stock (segment-sum fix only)';

/** A bound on time-based warm-up steps (a fast step would otherwise run thousands). */
const MAX_WARMUP_STEPS = 200;

/** Variants: which of this package's fixes are on (see registerKernelFixes). */
const VARIANTS: Record<string, KernelFixOptions> = {
  all: {},
  'own-only (no stock kernel replaced)': { kernels: 'own-only' },
  'per-step cells': { fusedLayers: false },
  'per-step cells, no shared Identity': { fusedLayers: false, sharedIdentity: false },
  'no shared Identity': { sharedIdentity: false },
  'no transposing matMul': { transposingMatMul: false },
  'no leading-axes Sum': { leadingAxesSum: false },
  'no heap Slice/Unpack': { heapSlice: false },
  'no SIMD kernels': { simdKernels: false },
  'no SIMD linear (decoder)': { linearKernels: false },
  'no layer loops (XNNPACK per step)': { layerLoops: false },
  'no kernel threads': { kernelThreads: false },
  [STOCK]: {
    transposingMatMul: false,
    sharedIdentity: false,
    fusedLayers: false,
    leadingAxesSum: false,
    heapSlice: false,
  },
};

/** `'wasm:2'` → wasm with 2 threads; a plain name → that backend as selectBackend sets it up. */
function parseBackend(label: string): { name: string; threads?: number | 'auto' } {
  const [name, threads] = label.split(':');
  if (threads == null) return { name: name! };
  if (name === 'wasm' && threads === 'auto') return { name, threads: 'auto' };
  const count = Number(threads);
  if (name !== 'wasm' || !Number.isInteger(count) || count < 1) {
    throw new Error(`bench: --backends takes names, wasm:N (N threads) and wasm:auto, got "${label}"`);
  }
  return { name, threads: count };
}

async function runChild(job: Job): Promise<void> {
  const { selectBackend } = await import('../src/backends/select-backend.js');
  const { registerKernelFixes, unregisterKernelFixes } = await import(
    '../src/kernels/register-kernel-fixes.js'
  );
  const { countKernels, matMulPeak, median, peakRssMb } = await import('./measure.js');
  const config = CONFIGS.find((c) => c.name === job.config)!;
  const { name: backendName, threads } = parseBackend(job.backend);
  await selectBackend(
    backendName as 'wasm',
    threads == null
      ? {}
      : threads === 'auto'
        ? { threads, model: config.spec, batch: config.batch }
        : { threads },
  );
  const { wasmThreads } = await import('../src/backends/wasm-threads.js');
  const threadCount = backendName === 'wasm' ? wasmThreads() : 0;
  // 'ablation': every variant on one model, interleaved step by step, so that they share the machine's
  // load (other processes) alike; otherwise one variant.
  const variants = job.variant === 'ablation' ? Object.keys(VARIANTS) : job.variant.split('|');
  const apply = (name: string) => {
    const variant = VARIANTS[name]!;
    unregisterKernelFixes(backendName);
    registerKernelFixes(backendName, variant);
  };
  const { step, dispose } =
    job.impl === 'tbptt'
      ? (await import('./tbptt-step.js')).tbpttStep(config)
      : (await import('./layers-step.js')).layersStep(config);
  const times = new Map<string, number[]>(variants.map((v) => [v, []]));
  const cpuTimes = new Map<string, number[]>(variants.map((v) => [v, []]));
  // Warm-up: at least job.warmup steps and job.warmupSeconds of them. The first steps of a process run
  // slower while V8 compiles the hot JavaScript and WebAssembly (the copy step takes 20–30 steps to
  // settle, 1.3–1.5× slower before), and a training run is all steady state.
  const warmupStart = performance.now();
  let warmupSteps = 0;
  const stepAll = async (i: number, measured: boolean) => {
    // Rotated each step, so that no variant always follows the same one (garbage, caches).
    for (let k = 0; k < variants.length; k++) {
      const name = variants[(k + i) % variants.length]!;
      apply(name);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await step();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (measured) {
        times.get(name)!.push(ms);
        cpuTimes.get(name)!.push((cpu.user + cpu.system) / 1000);
      }
    }
  };
  while (
    warmupSteps < job.warmup ||
    (performance.now() - warmupStart < 1000 * job.warmupSeconds && warmupSteps < MAX_WARMUP_STEPS)
  ) {
    await stepAll(warmupSteps, false);
    warmupSteps++;
  }
  for (let i = 0; i < job.steps; i++) await stepAll(warmupSteps + i, true);
  const kernels = new Map<string, Awaited<ReturnType<typeof countKernels>>>();
  for (const name of variants) {
    apply(name);
    kernels.set(name, await countKernels(step));
  }
  apply(variants[0]!);
  const peakGflops = matMulPeak(backendName === 'cpu' ? 256 : 512);
  dispose();
  for (const name of variants) {
    const medianMs = median(times.get(name)!);
    const result: Result = {
      ...job,
      variant: name,
      medianMs,
      warmupSteps,
      cpuMs: median(cpuTimes.get(name)!),
      tokensPerS: (config.batch * config.window * 1000) / medianMs,
      gflops: stepFlops(config) / (medianMs * 1e6),
      peakGflops,
      kernels: kernels.get(name)!.total,
      topKernels: kernels.get(name)!.top,
      peakRssMb: peakRssMb(),
      threads: threadCount,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  }
}

function spawnJob(job: Job): Result[] {
  const script = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, script, '--child', JSON.stringify(job)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (child.stdout ?? '').split('\n').filter((l) => l.startsWith('RESULT '));
  if (lines.length === 0) {
    const reason = (child.stderr || child.stdout || String(child.error))
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    return [
      {
        ...job,
        medianMs: Number.NaN,
        warmupSteps: 0,
        cpuMs: Number.NaN,
        tokensPerS: Number.NaN,
        gflops: Number.NaN,
        peakGflops: Number.NaN,
        kernels: 0,
        topKernels: [],
        peakRssMb: Number.NaN,
        error: reason,
      },
    ];
  }
  return lines.map((line) => JSON.parse(line.slice('RESULT '.length)) as Result);
}

/** Which BLAS the PyTorch process runs (pytorch_baseline.py's blas_info). */
export interface BlasInfo {
  kind: 'openblas' | 'mkl' | 'blis' | 'reference' | 'unknown';
  valid: boolean;
  libraries: string[];
  config: string;
}

interface TorchResult {
  blas?: BlasInfo;
  config: string;
  median_ms: number;
  tokens_per_s: number;
  steps: number;
  warmup_steps: number;
  peak_rss_mb: number;
  torch: string;
  threads: number;
  matmul_gflops: number;
}

function torchAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

function torchInfo(): { torch: string; threads: number; blas: BlasInfo } | undefined {
  const script = fileURLToPath(new URL('./pytorch_baseline.py', import.meta.url));
  const child = spawnSync('/usr/bin/python3', [script, '--info'], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' },
  });
  const line = child.stdout?.trim().split('\n').pop();
  return child.status === 0 && line ? JSON.parse(line) : undefined;
}

/** The loud warning printed (and written into the report) when PyTorch runs on a reference BLAS. */
export function invalidBlasWarning(blas: BlasInfo): string {
  return (
    `PYTORCH FIGURES INVALID: PyTorch runs on a ${blas.kind} BLAS (${blas.libraries.join(', ') || 'no BLAS library found loaded'}), ` +
    'not OpenBLAS/MKL/BLIS: its steps are ~20x slower than on OpenBLAS and every ratio below is meaningless. ' +
    'Fix: apt-get install -y libopenblas0-pthread (Debian: python3-torch falls back to libblas3 without it).'
  );
}

function runTorch(
  config: BenchConfig,
  steps: number,
  warmup: number,
  warmupSeconds: number,
): TorchResult | string {
  const script = fileURLToPath(new URL('./pytorch_baseline.py', import.meta.url));
  const payload = { name: config.name, ...config.spec, batch: config.batch, window: config.window };
  const child = spawnSync(
    '/usr/bin/python3',
    [
      script,
      JSON.stringify(payload),
      String(steps),
      String(warmup),
      String(warmupSeconds),
      String(MAX_WARMUP_STEPS),
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' },
    },
  );
  const line = child.stdout?.trim().split('\n').pop();
  if (child.status !== 0 || line == null)
    return (child.stderr || 'no output').trim().split('\n').slice(-2).join(' | ');
  return JSON.parse(line) as TorchResult;
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] != null ? args[i + 1]! : fallback;
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const pad = (s: string, n: number) => s.padEnd(n);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex >= 0) {
    await runChild(JSON.parse(args[childIndex + 1]!) as Job);
    return;
  }
  const backends = option(args, 'backends', 'wasm,cpu').split(',');
  for (const backend of backends) parseBackend(backend);
  const configNames = option(args, 'configs', 'copy,lm').split(',');
  const steps = Number(option(args, 'steps', '10'));
  const warmup = Number(option(args, 'warmup', '2'));
  const warmupSeconds = Number(option(args, 'warmup-seconds', '1.5'));
  if (!Number.isInteger(warmup) || warmup < 0 || !(warmupSeconds >= 0))
    throw new Error(
      `bench: --warmup takes a whole number of steps ≥ 0 and --warmup-seconds a number ≥ 0, got ${warmup} and ${warmupSeconds}`,
    );
  const rounds = Math.max(1, Number(option(args, 'rounds', '2')));
  const withLayers = !args.includes('--no-layers');
  const withTorch = !args.includes('--no-torch') && torchAvailable();
  const jsonPath = option(args, 'json', '');
  const torch = withTorch ? torchInfo() : undefined;
  if (torch != null) {
    console.log(
      `PyTorch ${torch.torch}, ${torch.threads} threads, BLAS: ${torch.blas.kind} (${torch.blas.libraries.join(', ')}; ${torch.blas.config})`,
    );
    if (!torch.blas.valid) {
      const banner = '!'.repeat(100);
      console.log(`${banner}\n${invalidBlasWarning(torch.blas)}\n${banner}`);
    }
  }
  const ablation = args.includes('--ablation');
  // --variants 'all|no SIMD kernels': these variants interleaved step by step in one process (A/B).
  const variants = option(args, 'variants', 'all');
  for (const v of variants.split('|')) {
    if (VARIANTS[v] == null)
      throw new Error(`bench: --variants takes names of ${Object.keys(VARIANTS).join(', ')}; got "${v}"`);
  }

  console.log(
    `@tbptt/models bench — node ${process.version}, ${(await import('node:os')).cpus().length} cores, ` +
      `${rounds} round(s): PyTorch and this package alternate, and each keeps its best round ` +
      `(the machine may be shared; a round is a child process of warm-up (≥ ${warmup} steps and ≥ ${warmupSeconds} s) + steps, median step).`,
  );
  const rows: Result[] = [];
  const torchRounds = new Map<string, TorchResult[]>();
  const notes: string[] = [];
  const report = (r: Result, round: number) => {
    rows.push(r);
    const label = `${r.config} ${r.backend}${r.backend === 'wasm:auto' ? `(${r.threads})` : ''} ${r.impl}${r.variant === 'all' ? '' : ` [${r.variant}]`}`;
    if (r.error) {
      console.log(`${pad(label, 48)} failed: ${r.error}`);
      return;
    }
    console.log(
      `${pad(label, 48)} ${fmt(r.medianMs).padStart(9)} ms (CPU ${fmt(r.cpuMs).padStart(7)} ms)  ${fmt(r.tokensPerS, 0).padStart(8)} tok/s  ` +
        `${fmt(r.gflops, 2).padStart(6)} GFLOP/s (${fmt((100 * r.gflops) / r.peakGflops)}% of ${fmt(r.peakGflops)})  ` +
        `${String(r.kernels).padStart(6)} kernels  ${fmt(r.peakRssMb, 0).padStart(5)} MB  (${r.steps} steps after ${r.warmupSteps} warm-up, round ${round})`,
    );
  };

  for (const name of configNames) {
    const config = CONFIGS.find((c) => c.name === name);
    if (config == null) throw new Error(`bench: --configs must list copy and/or lm, got "${name}"`);
    console.log(`\n## ${config.description} — ${(stepFlops(config) / 1e9).toFixed(2)} GFLOP per step`);
    for (let round = 1; round <= rounds; round++) {
      if (withTorch) {
        const t = runTorch(config, steps, warmup, warmupSeconds);
        if (typeof t === 'string') {
          console.log(`${pad(`${name} pytorch`, 48)} failed: ${t}`);
        } else {
          torchRounds.set(name, [...(torchRounds.get(name) ?? []), t]);
          console.log(
            `${pad(`${name} pytorch ${t.torch} (${t.threads} threads)`, 48)} ${fmt(t.median_ms).padStart(9)} ms  ` +
              `${fmt(t.tokens_per_s, 0).padStart(8)} tok/s  ` +
              `${fmt(stepFlops(config) / (t.median_ms * 1e6), 2).padStart(6)} GFLOP/s (${fmt((100 * stepFlops(config)) / (t.median_ms * 1e6) / t.matmul_gflops)}% of ${fmt(t.matmul_gflops)})  ` +
              `${''.padStart(14)}${fmt(t.peak_rss_mb, 0).padStart(5)} MB  (${t.steps} steps after ${t.warmup_steps} warm-up, round ${round})`,
          );
        }
      }
      // The backends in a rotated order each round, so that no one always runs right after PyTorch (a child
      // that did was measured slower round after round than the same configuration in another slot).
      const shift = (round - 1) % backends.length;
      for (const backend of [...backends.slice(shift), ...backends.slice(0, shift)]) {
        // The cpu backend runs the LM at tens of seconds per step: one round, 1 step after 1 warm-up.
        const slow = backend === 'cpu' && name === 'lm';
        if (slow && round > 1) continue;
        const jobSteps = slow ? 1 : steps;
        const jobWarmup = slow ? 1 : warmup;
        if (slow) notes.push('cpu LM: 1 step after 1 warm-up, one round (tens of seconds per step).');
        // --ablation (wasm, first round): every variant interleaved step by step in one process; the LM
        // (whose stock variant takes seconds per step) with 3 steps.
        const variant =
          ablation && backend === 'wasm' && round === 1
            ? 'ablation'
            : backend.startsWith('wasm')
              ? variants
              : 'all';
        const lmAblation = variant === 'ablation' && name === 'lm';
        spawnJob({
          backend,
          config: config.name,
          impl: 'tbptt',
          variant,
          steps: lmAblation ? Math.min(jobSteps, 3) : jobSteps,
          warmup: lmAblation ? 1 : jobWarmup,
          warmupSeconds: slow || lmAblation ? 0 : warmupSeconds,
        }).forEach((r) => {
          report(r, round);
        });
      }
    }
    if (withLayers) {
      for (const backend of backends) {
        // tfjs-layers is far slower: one round; the LM with 3 steps on wasm, and not at all on cpu.
        if (backend === 'cpu' && name === 'lm') {
          notes.push('tfjs-layers LM on cpu: not run (minutes per step).');
          continue;
        }
        const layerSteps = name === 'lm' || backend === 'cpu' ? Math.min(steps, 3) : steps;
        const layerWarmup = name === 'lm' || backend === 'cpu' ? 1 : warmup;
        if (layerSteps < steps) {
          notes.push(
            `tfjs-layers ${name} on ${backend}: ${layerSteps} steps after ${layerWarmup} warm-up, one round.`,
          );
        }
        // With this package's kernel fixes (they speed tfjs-layers up too) and with the stock kernels
        // (but the segment-sum fix: stock wasm has no UnsortedSegmentSum, so no embedding gradient).
        spawnJob({
          backend,
          config: config.name,
          impl: 'layers',
          variant: `all|${STOCK}`,
          steps: layerSteps,
          warmup: layerWarmup,
          warmupSeconds: layerSteps < steps ? 0 : warmupSeconds,
        }).forEach((r) => {
          report(r, 1);
        });
      }
    }
  }

  const best = (config: string, backend: string, impl: Result['impl'], variant = 'all') =>
    rows
      .filter(
        (r) =>
          r.config === config &&
          r.backend === backend &&
          r.impl === impl &&
          r.variant === variant &&
          !r.error,
      )
      .sort((a, b) => a.medianMs - b.medianMs)[0];
  console.log(
    '\n## Best round: tokens/s and ratios (targets: copy ≥ 1.0× PyTorch, LM ≥ 0.5×; both ≥ 3× tfjs-layers)',
  );
  for (const name of configNames) {
    const target = TARGETS[name as BenchConfig['name']];
    const t = (torchRounds.get(name) ?? []).sort((a, b) => a.median_ms - b.median_ms)[0];
    if (t != null)
      console.log(
        `${pad(`${name} pytorch`, 14)} ${fmt(t.median_ms).padStart(9)} ms ${fmt(t.tokens_per_s, 0).padStart(8)} tok/s`,
      );
    for (const backend of backends) {
      const ours = best(name, backend, 'tbptt');
      if (ours == null) continue;
      const layers = best(name, backend, 'layers', STOCK);
      const layersFixed = best(name, backend, 'layers');
      const parts: string[] = [];
      if (t != null) {
        const ratio = ours.tokensPerS / t.tokens_per_s;
        parts.push(
          t.blas?.valid === false
            ? `${ratio.toFixed(2)}× PyTorch — INVALID (PyTorch on a ${t.blas.kind} BLAS)`
            : `${ratio.toFixed(2)}× PyTorch (target ${target.torch}×: ${ratio >= target.torch ? 'met' : 'NOT met'})`,
        );
      }
      if (layers != null) {
        const ratio = ours.tokensPerS / layers.tokensPerS;
        parts.push(
          `${ratio.toFixed(1)}× tfjs-layers on stock kernels (target ${target.layers}×: ${ratio >= target.layers ? 'met' : 'NOT met'})`,
        );
      }
      if (layersFixed != null) {
        parts.push(
          `${(ours.tokensPerS / layersFixed.tokensPerS).toFixed(1)}× tfjs-layers with this package's kernel fixes`,
        );
      }
      console.log(
        `${pad(`${name} ${backend}`, 14)} ${fmt(ours.medianMs).padStart(9)} ms ${fmt(ours.tokensPerS, 0).padStart(8)} tok/s  ${parts.join(';  ')}`,
      );
    }
  }
  if (!withTorch) notes.push("PyTorch not run (no `/usr/bin/python3 -c 'import torch'`, or --no-torch).");
  for (const note of new Set(notes)) console.log(`note: ${note}`);
  if (jsonPath !== '') {
    const { writeFileSync } = await import('node:fs');
    const bestTorch = Object.fromEntries(
      configNames.map((name) => [
        name,
        (torchRounds.get(name) ?? []).sort((a, b) => a.median_ms - b.median_ms)[0],
      ]),
    );
    writeFileSync(
      jsonPath,
      JSON.stringify(
        {
          rounds,
          steps,
          warmup,
          warmupSeconds,
          backends,
          configs: configNames,
          torch,
          rows,
          torchRounds: Object.fromEntries(torchRounds),
          bestTorch,
          notes: [...new Set(notes)],
        },
        null,
        2,
      ),
    );
  }
  for (const name of configNames) {
    for (const backend of backends) {
      const r = best(name, backend, 'tbptt');
      if (r == null) continue;
      console.log(
        `kernels per step, ${name} ${backend}: ${r.kernels} (${r.topKernels.map(([k, n]) => `${k} ${n}`).join(', ')})`,
      );
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
