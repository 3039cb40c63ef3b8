/**
 * `npm run bench -w @tbptt/models`: tokens/s of one training step (forward, backward, SGD update) for the
 * copy-task and word-LM configurations of issue 3, on each available backend, against the same model in
 * tfjs-layers and in PyTorch (when `/usr/bin/python3 -c 'import torch'` works).
 *
 * Each measurement runs in its own child process (clean heap, its own peak RSS).
 *
 *   --backends wasm,cpu   --configs copy,lm   --steps 10   --warmup 2
 *   --ablation            also run wasm with each fix turned off, to show what each one pays
 *   --no-layers --no-torch
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BenchConfig, CONFIGS, stepFlops, TARGETS } from './configs.js';

interface Job {
  backend: string;
  config: BenchConfig['name'];
  impl: 'tbptt' | 'layers';
  variant: string;
  steps: number;
  warmup: number;
}

interface Result extends Job {
  medianMs: number;
  tokensPerS: number;
  gflops: number;
  peakGflops: number;
  kernels: number;
  topKernels: [string, number][];
  peakRssMb: number;
  error?: string;
}

/** Variants: which of this package's fixes are on (see registerKernelFixes). */
const VARIANTS: Record<
  string,
  { transposingMatMul: boolean; sharedIdentity: boolean; fusedCells: boolean; fusedLayers: boolean }
> = {
  all: { transposingMatMul: true, sharedIdentity: true, fusedCells: true, fusedLayers: true },
  'per-step fused cells': {
    transposingMatMul: true,
    sharedIdentity: true,
    fusedCells: true,
    fusedLayers: false,
  },
  'per-step plain cells': {
    transposingMatMul: true,
    sharedIdentity: true,
    fusedCells: false,
    fusedLayers: false,
  },
  'no shared Identity': {
    transposingMatMul: true,
    sharedIdentity: false,
    fusedCells: true,
    fusedLayers: true,
  },
  'no transposing matMul': {
    transposingMatMul: false,
    sharedIdentity: true,
    fusedCells: true,
    fusedLayers: true,
  },
  'stock (segment-sum fix only)': {
    transposingMatMul: false,
    sharedIdentity: false,
    fusedCells: false,
    fusedLayers: false,
  },
};

async function runChild(job: Job): Promise<void> {
  const { selectBackend } = await import('../src/backends/select-backend.js');
  const { registerKernelFixes, unregisterKernelFixes } = await import(
    '../src/kernels/register-kernel-fixes.js'
  );
  const { setPointwiseKernels } = await import('../src/cells/pointwise-kernels.js');
  const { countKernels, matMulPeak, median, peakRssMb } = await import('./measure.js');
  const config = CONFIGS.find((c) => c.name === job.config)!;
  await selectBackend(job.backend as 'wasm');
  // 'ablation': every variant on one model, interleaved step by step, so that they share the machine's
  // load (other processes) alike; otherwise one variant.
  const variants = job.variant === 'ablation' ? Object.keys(VARIANTS) : [job.variant];
  const apply = (name: string) => {
    const variant = VARIANTS[name]!;
    unregisterKernelFixes(job.backend);
    registerKernelFixes(job.backend, variant);
    if (!variant.fusedCells) setPointwiseKernels('plain');
  };
  const { step, dispose } =
    job.impl === 'tbptt'
      ? (await import('./tbptt-step.js')).tbpttStep(config)
      : (await import('./layers-step.js')).layersStep(config);
  const times = new Map<string, number[]>(variants.map((v) => [v, []]));
  for (let i = 0; i < job.warmup + job.steps; i++) {
    for (const name of variants) {
      apply(name);
      const t0 = performance.now();
      await step();
      const ms = performance.now() - t0;
      if (i >= job.warmup) times.get(name)!.push(ms);
    }
  }
  const kernels = new Map<string, Awaited<ReturnType<typeof countKernels>>>();
  for (const name of variants) {
    apply(name);
    kernels.set(name, await countKernels(step));
  }
  apply(variants[0]!);
  const peakGflops = matMulPeak(job.backend === 'cpu' ? 256 : 512);
  dispose();
  for (const name of variants) {
    const medianMs = median(times.get(name)!);
    const result: Result = {
      ...job,
      variant: name,
      medianMs,
      tokensPerS: (config.batch * config.window * 1000) / medianMs,
      gflops: stepFlops(config) / (medianMs * 1e6),
      peakGflops,
      kernels: kernels.get(name)!.total,
      topKernels: kernels.get(name)!.top,
      peakRssMb: peakRssMb(),
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

interface TorchResult {
  config: string;
  median_ms: number;
  tokens_per_s: number;
  steps: number;
  peak_rss_mb: number;
  torch: string;
  threads: number;
  matmul_gflops: number;
}

function torchAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

function runTorch(config: BenchConfig, steps: number, warmup: number): TorchResult | string {
  const script = fileURLToPath(new URL('./pytorch_baseline.py', import.meta.url));
  const payload = { name: config.name, ...config.spec, batch: config.batch, window: config.window };
  const child = spawnSync(
    '/usr/bin/python3',
    [script, JSON.stringify(payload), String(steps), String(warmup)],
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
  const configNames = option(args, 'configs', 'copy,lm').split(',');
  const steps = Number(option(args, 'steps', '10'));
  const warmup = Number(option(args, 'warmup', '2'));
  const withLayers = !args.includes('--no-layers');
  const withTorch = !args.includes('--no-torch') && torchAvailable();
  const ablation = args.includes('--ablation');

  console.log(
    `@tbptt/models bench — node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
  );
  const rows: Result[] = [];
  const torch = new Map<string, TorchResult>();
  const notes: string[] = [];
  const report = (r: Result) => {
    rows.push(r);
    const label = `${r.config} ${r.backend} ${r.impl}${r.variant === 'all' ? '' : ` [${r.variant}]`}`;
    if (r.error) {
      console.log(`${pad(label, 48)} failed: ${r.error}`);
      return;
    }
    console.log(
      `${pad(label, 48)} ${fmt(r.medianMs).padStart(9)} ms  ${fmt(r.tokensPerS, 0).padStart(8)} tok/s  ` +
        `${fmt(r.gflops, 2).padStart(6)} GFLOP/s (${fmt((100 * r.gflops) / r.peakGflops)}% of ${fmt(r.peakGflops)})  ` +
        `${String(r.kernels).padStart(6)} kernels  ${fmt(r.peakRssMb, 0).padStart(5)} MB  (${r.steps} steps)`,
    );
  };

  for (const name of configNames) {
    const config = CONFIGS.find((c) => c.name === name);
    if (config == null) throw new Error(`bench: --configs must list copy and/or lm, got "${name}"`);
    console.log(`\n## ${config.description} — ${(stepFlops(config) / 1e9).toFixed(2)} GFLOP per step`);
    if (withTorch) {
      const t = runTorch(config, steps, warmup);
      if (typeof t === 'string') {
        console.log(`${pad(`${name} pytorch`, 48)} failed: ${t}`);
      } else {
        torch.set(name, t);
        console.log(
          `${pad(`${name} pytorch ${t.torch} (${t.threads} threads)`, 48)} ${fmt(t.median_ms).padStart(9)} ms  ` +
            `${fmt(t.tokens_per_s, 0).padStart(8)} tok/s  ` +
            `${fmt(stepFlops(config) / (t.median_ms * 1e6), 2).padStart(6)} GFLOP/s (${fmt((100 * stepFlops(config)) / (t.median_ms * 1e6) / t.matmul_gflops)}% of ${fmt(t.matmul_gflops)})  ` +
            `${''.padStart(14)}${fmt(t.peak_rss_mb, 0).padStart(5)} MB  (${t.steps} steps)`,
        );
      }
    }
    for (const backend of backends) {
      // The cpu backend runs the LM at seconds per step: fewer steps, said in the table.
      const slow = backend === 'cpu' && name === 'lm';
      const jobSteps = slow ? Math.min(steps, 2) : steps;
      const jobWarmup = slow ? 1 : warmup;
      if (slow && jobSteps < steps)
        notes.push(`cpu LM: ${jobSteps} steps after 1 warm-up (seconds per step).`);
      // --ablation on wasm: the copy config runs every variant interleaved in one process; the LM (whose
      // stock variant takes seconds per step) runs them with at most 3 steps.
      const variant = ablation && backend === 'wasm' ? 'ablation' : 'all';
      const variantSteps = variant === 'ablation' && name === 'lm' ? Math.min(jobSteps, 3) : jobSteps;
      spawnJob({
        backend,
        config: config.name,
        impl: 'tbptt',
        variant,
        steps: variantSteps,
        warmup: variant === 'ablation' && name === 'lm' ? 1 : jobWarmup,
      }).forEach(report);
      if (withLayers) {
        const layerSteps = name === 'lm' || backend === 'cpu' ? Math.min(jobSteps, 3) : steps;
        if (layerSteps < steps)
          notes.push(`tfjs-layers ${name} on ${backend}: ${layerSteps} steps after ${jobWarmup} warm-up.`);
        spawnJob({
          backend,
          config: config.name,
          impl: 'layers',
          variant: 'all',
          steps: layerSteps,
          warmup: jobWarmup,
        }).forEach(report);
      }
    }
  }

  console.log('\n## Ratios of tokens/s (targets: copy ≥ 0.5× PyTorch, LM ≥ 0.4×; both ≥ 3× tfjs-layers)');
  for (const name of configNames) {
    const target = TARGETS[name as BenchConfig['name']];
    for (const backend of backends) {
      const ours = rows.find(
        (r) => r.config === name && r.backend === backend && r.impl === 'tbptt' && r.variant === 'all',
      );
      if (ours == null || ours.error) continue;
      const layers = rows.find((r) => r.config === name && r.backend === backend && r.impl === 'layers');
      const t = torch.get(name);
      const parts: string[] = [];
      if (t != null) {
        const ratio = ours.tokensPerS / t.tokens_per_s;
        parts.push(
          `${ratio.toFixed(2)}× PyTorch (target ${target.torch}×: ${ratio >= target.torch ? 'met' : 'NOT met'})`,
        );
      }
      if (layers != null && !layers.error) {
        const ratio = ours.tokensPerS / layers.tokensPerS;
        parts.push(
          `${ratio.toFixed(1)}× tfjs-layers (target ${target.layers}×: ${ratio >= target.layers ? 'met' : 'NOT met'})`,
        );
      }
      console.log(`${pad(`${name} ${backend}`, 12)} ${parts.join(';  ')}`);
    }
  }
  if (!withTorch) notes.push("PyTorch not run (no `/usr/bin/python3 -c 'import torch'`, or --no-torch).");
  for (const note of new Set(notes)) console.log(`note: ${note}`);
  const top = rows.filter((r) => r.impl === 'tbptt' && r.variant === 'all' && !r.error);
  for (const r of top) {
    console.log(
      `kernels per step, ${r.config} ${r.backend}: ${r.topKernels.map(([k, n]) => `${k} ${n}`).join(', ')}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
