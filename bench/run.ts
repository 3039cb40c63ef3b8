/**
 * `npm run bench`: every package's benchmark in one run, and one report — `bench/report.md` and
 * `bench/report.json` — with the machine, Node, tfjs, PyTorch and BLAS versions (issue 12).
 *
 *   1. @tbptt/models: one training step of the copy model and the word LM, PyTorch and this package
 *      alternating round by round (wasm with the thread count the package picks, `wasm:auto`, and on 1 and
 *      2 threads); the ratios to PyTorch. PyTorch's BLAS is checked: on a reference BLAS its figures are
 *      marked INVALID, loudly (Debian's python3-torch needs libopenblas0-pthread; see bench/README.md).
 *      Then the copy step on cpu (the JavaScript kernels, the reference; the LM there takes 10–20 s a step),
 *      one round, so that a regression on cpu shows. Then both models on the threaded build with the
 *      kernels on one thread and split between 2, alternating step by step in one process
 *      (packages/models/bench/step-threads.ts).
 *   2. @tbptt/core: `train()`'s update (createTrainer.step) against the bare step at the same configuration
 *      (tf and buffer windows, K = 10 and 35), alternating update by update.
 *   3. The other packages' own benches (estimators, datasets, core's engine bench), their output appended.
 *
 * Options: --rounds 3  --steps 10  --quick (fewer rounds and updates)  --only models,train,others
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench');
const work = join(out, '.work');
mkdirSync(work, { recursive: true });

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] != null ? args[i + 1]! : fallback;
};
const quick = args.includes('--quick');
const rounds = option('rounds', quick ? '2' : '3');
const steps = option('steps', '10');
const only = new Set(option('only', 'models,train,others').split(','));

const version = (pkg: string) => {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8'))
      .version as string;
  } catch {
    return 'not installed';
  }
};

function run(label: string, command: string, commandArgs: string[], cwd = root, env: NodeJS.ProcessEnv = {}) {
  console.log(`\n# ${label}: ${command} ${commandArgs.join(' ')}`);
  const t0 = performance.now();
  const child = spawnSync(command, commandArgs, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(child.stdout ?? '');
  if (child.status !== 0) process.stdout.write(child.stderr ?? '');
  return { status: child.status, stdout: child.stdout ?? '', stderr: child.stderr ?? '', seconds };
}

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const started = new Date();
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  logicalCores: os.cpus().length,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  loadAverageAtStart: os.loadavg(),
};
const versions = {
  node: process.version,
  tfjsCore: version('@tensorflow/tfjs-core'),
  tfjsBackendWasm: version('@tensorflow/tfjs-backend-wasm'),
};

// PyTorch and its BLAS, before anything is timed.
const torchInfo = (() => {
  const child = spawnSync(
    '/usr/bin/python3',
    [join(root, 'packages/models/bench/pytorch_baseline.py'), '--info'],
    {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_WAIT_POLICY: 'PASSIVE' },
    },
  );
  const line = child.stdout?.trim().split('\n').pop();
  return child.status === 0 && line ? JSON.parse(line) : undefined;
})() as
  | {
      torch: string;
      threads: number;
      blas: { kind: string; valid: boolean; libraries: string[]; config: string };
    }
  | undefined;
const invalidTorch = torchInfo != null && !torchInfo.blas.valid;
const banner = invalidTorch
  ? `**PYTORCH FIGURES INVALID: PyTorch runs on a ${torchInfo!.blas.kind} BLAS (${torchInfo!.blas.libraries.join(', ') || 'none found loaded'}), ` +
    'not OpenBLAS: its steps are ~20x slower and every ratio to it is meaningless. Install `libopenblas0-pthread` ' +
    '(`apt-get install -y python3-torch libopenblas0-pthread`) and run again.**'
  : undefined;
if (banner) console.log(`\n${'!'.repeat(100)}\n${banner}\n${'!'.repeat(100)}`);

// 1. The step: PyTorch and this package alternating.
interface ModelsJson {
  /** Warm-up of every child, PyTorch's too: at least `warmup` steps and `warmupSeconds`. */
  warmup: number;
  warmupSeconds: number;
  rows: {
    config: string;
    backend: string;
    impl: string;
    variant: string;
    medianMs: number;
    cpuMs: number;
    tokensPerS: number;
    gflops: number;
    peakGflops: number;
    peakRssMb: number;
    threads?: number;
    error?: string;
  }[];
  torchRounds: Record<
    string,
    { median_ms: number; tokens_per_s: number; peak_rss_mb: number; matmul_gflops: number }[]
  >;
}
/**
 * Runs a package's tsx bench script with `--json <work>/<name>.json` appended and reads that file back
 * (undefined when the script wrote none, e.g. it failed: the report then leaves its section out).
 */
function runJson<T>(label: string, pkg: string, name: string, script: string[]) {
  const json = join(work, `${name}.json`);
  const result = run(label, tsx, [...script, '--json', json], join(root, 'packages', pkg));
  let data: T | undefined;
  try {
    data = JSON.parse(readFileSync(json, 'utf8')) as T;
  } catch {
    data = undefined;
  }
  return { result, data };
}

interface ThreadsJson {
  config: string;
  threads: number;
  spinMicros: number;
  steps: number;
  modes: { name: string; wallMs: number; cpuMs: number }[];
}
const threadRows: ThreadsJson[] = [];
let models: ModelsJson | undefined;
let modelsRun: ReturnType<typeof run> | undefined;
let cpuRows: ModelsJson['rows'] | undefined;
let cpuRun: ReturnType<typeof run> | undefined;
if (only.has('models')) {
  const step = ['bench/index.ts', '--no-layers'];
  ({ result: modelsRun, data: models } = runJson<ModelsJson>('@tbptt/models step bench', 'models', 'models', [
    ...step,
    ...[
      '--configs',
      'copy,lm',
      '--backends',
      'wasm:auto,wasm:1,wasm:2',
      '--rounds',
      rounds,
      '--steps',
      steps,
    ],
  ]));
  const cpu = runJson<ModelsJson>('@tbptt/models step bench on cpu', 'models', 'models-cpu', [
    ...step,
    ...['--configs', 'copy', '--backends', 'cpu', '--no-torch', '--rounds', '1', '--steps', '5'],
  ]);
  cpuRun = cpu.result;
  cpuRows = cpu.data?.rows;
  // The same thread counts inside one process, alternating step by step (immune to the drift between
  // processes that the rounds above are exposed to).
  for (const [config, count] of [
    ['copy', '40'],
    ['lm', '8'],
  ] as const) {
    const r = runJson<ThreadsJson>(
      `@tbptt/models threads in one process (${config})`,
      'models',
      `threads-${config}`,
      ['bench/step-threads.ts', config, '--threads', '2', '--steps', count],
    );
    if (r.data) threadRows.push(r.data);
  }
}

// 2. train() against the step.
interface TrainJson {
  rows: {
    config: string;
    windowing: string;
    truncation: number;
    stepTokensPerS: number;
    trainTokensPerS: number;
    ratio: number;
    stepMs: number;
    trainMs: number;
  }[];
  threads?: number;
}
let train: TrainJson | undefined;
let trainRun: ReturnType<typeof run> | undefined;
if (only.has('train')) {
  ({ result: trainRun, data: train } = runJson<TrainJson>('@tbptt/core train() vs step', 'core', 'train', [
    'bench/train-throughput.ts',
    ...['--threads', 'auto', '--updates', quick ? '8' : '16', '--warmup', '4'],
  ]));
}

// 3. Every other package bench.
const others: { name: string; status: number | null; seconds: number; output: string }[] = [];
if (only.has('others')) {
  for (const pkg of ['estimators', 'datasets', 'core']) {
    const r = run(`@tbptt/${pkg} bench`, 'npm', ['run', 'bench', '-w', `@tbptt/${pkg}`, '--silent'], root, {
      TBPTT_BENCH_QUICK: '1',
    });
    others.push({
      name: pkg,
      status: r.status,
      seconds: r.seconds,
      output: (r.stdout + (r.status === 0 ? '' : r.stderr)).trim(),
    });
  }
}

// The report.
const fmt = (v: number | undefined, d = 1) => (v != null && Number.isFinite(v) ? v.toFixed(d) : '—');
const range = (xs: number[], d = 1) =>
  xs.length === 0
    ? '—'
    : xs.length === 1
      ? fmt(xs[0], d)
      : `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`;
const lines: string[] = [];
lines.push('# Benchmark report', '');
lines.push(
  `Run ${started.toISOString()} → ${new Date().toISOString()} (\`npm run bench\`${args.length ? ` ${args.join(' ')}` : ''}).`,
  '',
);
lines.push('| | |', '|---|---|');
lines.push(
  `| machine | ${machine.cpu}, ${machine.logicalCores} logical cores, ${machine.memoryGb} GB, ${machine.os} |`,
);
lines.push(
  `| load average at start / end | ${machine.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')} / ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} |`,
);
lines.push(`| Node | ${versions.node} |`);
lines.push(`| tfjs | tfjs-core ${versions.tfjsCore}, tfjs-backend-wasm ${versions.tfjsBackendWasm} |`);
lines.push(
  `| PyTorch | ${torchInfo ? `${torchInfo.torch}, ${torchInfo.threads} threads` : 'not available (`/usr/bin/python3 -c "import torch"` fails)'} |`,
);
lines.push(
  `| BLAS (PyTorch) | ${torchInfo ? `**${torchInfo.blas.kind}**${torchInfo.blas.valid ? '' : ' — INVALID'}: ${torchInfo.blas.libraries.join(', ') || 'no BLAS library loaded'} (${torchInfo.blas.config})` : '—'} |`,
);
lines.push('');
if (banner) lines.push(`> ${banner}`, '');

if (models) {
  const torchBest = (config: string) => {
    const rs = models!.torchRounds[config] ?? [];
    return {
      best: rs.length ? Math.min(...rs.map((r) => r.median_ms)) : undefined,
      all: rs.map((r) => r.median_ms),
    };
  };
  const ours = (config: string, backend: string) =>
    models!.rows.filter(
      (r) => r.config === config && r.backend === backend && r.impl === 'tbptt' && !r.error,
    );
  lines.push(
    `## One training step (forward, softmax cross-entropy, gradients, SGD update), best of ${rounds} rounds (range over rounds), median of ${steps} steps` +
      ` after a warm-up of at least ${models.warmup} steps and ${models.warmupSeconds} s (a new process's first 20–30 copy steps run slower while V8 compiles; PyTorch warms up alike)`,
    '',
  );
  lines.push(
    `| one training step | PyTorch${invalidTorch ? ' (INVALID)' : ''} | wasm, threads the package picks | ratio | wasm, 1 thread | ratio | wasm, 2 threads | ratio | target |`,
  );
  lines.push('|---|---|---|---|---|---|---|---|---|');
  const targets: Record<string, number> = { copy: 1.0, lm: 0.5 };
  for (const config of ['copy', 'lm']) {
    const t = torchBest(config);
    const cells: string[] = [];
    for (const backend of ['wasm:auto', 'wasm:1', 'wasm:2']) {
      const rs = ours(config, backend);
      const best = rs.length ? Math.min(...rs.map((r) => r.medianMs)) : undefined;
      const threads =
        backend === 'wasm:auto' && rs[0]?.threads != null
          ? ` (**${rs[0].threads}** thread${rs[0].threads === 1 ? '' : 's'})`
          : '';
      cells.push(`${fmt(best)} ms${threads} (${range(rs.map((r) => r.medianMs))})`);
      const ratio = t.best != null && best != null ? t.best / best : undefined;
      cells.push(
        ratio == null
          ? '—'
          : `${invalidTorch ? '~~' : '**'}${fmt(ratio, 2)}×${invalidTorch ? '~~ INVALID' : '**'}`,
      );
    }
    lines.push(
      `| ${config === 'copy' ? 'copy (2-layer LSTM 50, B 64, T 20)' : 'word LM (2-layer LSTM 200, V 10k, B 20, T 35)'} | ${fmt(t.best)} ms (${range(t.all)}) | ${cells.join(' | ')} | ≥ ${targets[config]}× |`,
    );
  }
  lines.push('');
  lines.push(
    "Ratio = PyTorch step time / this package's step time (best rounds of the same run; PyTorch on 2 threads).",
    '',
  );
  const rss = (config: string) =>
    models!.rows.filter((r) => r.config === config && !r.error).map((r) => r.peakRssMb);
  lines.push(`Peak RSS: copy ${range(rss('copy'), 0)} MB, LM ${range(rss('lm'), 0)} MB (all wasm rows).`, '');
}
if (threadRows.length > 0) {
  lines.push(
    '## Threads within one process (threaded build, 2 threads; modes alternating step by step, median step)',
    '',
    "`packages/models/bench/step-threads.ts`: this package's kernels on the calling thread only, then split between the 2 threads with idle threads sleeping at once, and polling before they sleep (the default). The rounds above compare separate processes, which this virtual machine's drift affects; these modes share every moment of it.",
    '',
    '| model | one thread | split, sleeping | split, polling (default) | polling / one thread | CPU time, one thread / polling |',
    '|---|---|---|---|---|---|',
  );
  for (const t of threadRows) {
    const [one, sleeping, polling] = t.modes;
    if (one == null || sleeping == null || polling == null) continue;
    lines.push(
      `| ${t.config} | ${fmt(one.wallMs, 2)} ms | ${fmt(sleeping.wallMs, 2)} ms | ${fmt(polling.wallMs, 2)} ms | **${fmt(polling.wallMs / one.wallMs, 2)}×** | ${fmt(one.cpuMs, 1)} / ${fmt(polling.cpuMs, 1)} ms |`,
    );
  }
  lines.push('');
}
const cpuCopy = cpuRows?.find((r) => r.config === 'copy' && r.impl === 'tbptt' && !r.error);
if (cpuCopy) {
  lines.push(
    `On cpu (the JavaScript kernels), the copy step: ${fmt(cpuCopy.medianMs)} ms (CPU time ${fmt(cpuCopy.cpuMs)} ms), median of 5 steps, one round.`,
    '',
  );
}

if (train) {
  lines.push(
    `## Training through \`train()\` against the step (word LM, SGD lr 1, clip 0.25; wasm, ${train.threads ?? '?'} thread(s) as picked)`,
    '',
  );
  lines.push(
    'Tokens with a loss per second; the two alternate update by update in one process (median update).',
    '',
  );
  lines.push('| windowing | K | step | train() | train / step |', '|---|---|---|---|---|');
  for (const r of train.rows) {
    lines.push(
      `| ${r.windowing} | ${r.truncation} | ${fmt(r.stepTokensPerS, 0)} tok/s (${fmt(r.stepMs)} ms) | ${fmt(r.trainTokensPerS, 0)} tok/s (${fmt(r.trainMs)} ms) | **${fmt(100 * r.ratio, 0)} %** |`,
    );
  }
  lines.push('', 'Target: train() within 10 % of the step (≥ 90 %).', '');
}

for (const o of others) {
  lines.push(
    `## @tbptt/${o.name} bench (TBPTT_BENCH_QUICK=1; ${o.seconds.toFixed(0)} s${o.status === 0 ? '' : `, exit ${o.status}`})`,
    '',
  );
  lines.push('```', o.output.slice(-6000), '```', '');
}

writeFileSync(join(out, 'report.md'), `${lines.join('\n')}\n`);
writeFileSync(
  join(out, 'report.json'),
  `${JSON.stringify(
    {
      started: started.toISOString(),
      finished: new Date().toISOString(),
      machine: { ...machine, loadAverageAtEnd: os.loadavg() },
      versions,
      pytorch: torchInfo ?? null,
      pytorchValid: torchInfo ? torchInfo.blas.valid : null,
      models: models ?? null,
      cpu: cpuRows ?? null,
      threadsInOneProcess: threadRows,
      train: train ?? null,
      others: others.map(({ name, status, seconds }) => ({ name, status, seconds })),
      failed: [modelsRun, cpuRun, trainRun].filter((r) => r != null && r.status !== 0).length,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote bench/report.md and bench/report.json`);
if ([modelsRun, cpuRun, trainRun].some((r) => r != null && r.status !== 0)) process.exit(1);
