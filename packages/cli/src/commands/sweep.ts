import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, RunError, UsageError } from '../errors';
import { writeJsonAtomic } from '../io/atomic-write';
import { checkNewRunDir } from '../io/out-dir';
import { RUN_FILES } from '../io/run-files';
import { integer, oneOf } from '../options/flag-values';
import { loadPreset } from '../options/presets';
import { seconds } from '../progress/format';
import {
  type PlannedRun,
  planSweep,
  readSweepDefinition,
  type SweepOptions,
  shellQuote,
} from '../sweep/sweep-plan';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

type RunState = 'done' | 'resume' | 'new';

function stateOf(run: PlannedRun): RunState {
  if (existsSync(join(run.dir, RUN_FILES.summary))) return 'done';
  if (
    existsSync(join(run.dir, RUN_FILES.config)) &&
    existsSync(join(run.dir, RUN_FILES.checkpoint, 'latest'))
  )
    return 'resume';
  return 'new';
}

/** `tbptt sweep`: the grid as child processes, `--jobs` at a time; finished runs are skipped, interrupted ones resumed. */
export async function sweepCommand(opts: Record<string, unknown>): Promise<number> {
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const merged: Record<string, unknown> = {
    seeds: '1',
    jobs: '1',
    ...(typeof opts.definition === 'string' ? readSweepDefinition(opts.definition) : {}),
    ...given,
  };
  const options = merged as unknown as SweepOptions & { jobs: string; plan?: string | boolean };
  if (typeof options.out !== 'string')
    throw new UsageError('sweep: give --out <dir> (or "out" in the --definition file): the sweep directory');
  if (options.preset !== undefined) loadPreset(options.preset); // an unknown preset fails before anything runs
  const runs = planSweep(options);
  if (options.plan !== undefined) {
    const format = options.plan === true ? 'sh' : oneOf(['sh', 'json'])(options.plan, '--plan');
    if (format === 'json')
      process.stdout.write(
        `${JSON.stringify(
          runs.map((r) => ({ ...r, command: ['npx', 'tbptt', ...r.args] })),
          null,
          2,
        )}\n`,
      );
    else
      for (const run of runs)
        process.stdout.write(`${['npx', 'tbptt', ...run.args].map(shellQuote).join(' ')}\n`);
    return EXIT.ok;
  }
  const jobs = integer(1)(options.jobs, '--jobs');
  if (!existsSync(options.out)) checkNewRunDir(options.out, '--out');
  mkdirSync(join(options.out, 'logs'), { recursive: true });
  writeJsonAtomic(join(options.out, 'sweep.json'), {
    runs: runs.map((r) => ({ name: r.name, method: r.method, seed: r.seed, args: r.args })),
  });

  const queue = runs.filter((r) => stateOf(r) !== 'done');
  const skipped = runs.length - queue.length;
  process.stdout.write(
    `sweep: ${runs.length} runs (${skipped} already finished), ${jobs} at a time; logs in ${join(options.out, 'logs')}\n`,
  );
  const children = new Set<ReturnType<typeof spawn>>();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stdout.write(
      `${signal}: stopping the running runs (each writes a checkpoint); run the same sweep again to resume\n`,
    );
    for (const child of children) child.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let finished = skipped;
  let failed = 0;
  const started = Date.now();
  const runOne = (run: PlannedRun): Promise<void> =>
    new Promise((resolveRun) => {
      const state = stateOf(run);
      if (state === 'new') rmSync(run.dir, { recursive: true, force: true });
      const args = state === 'resume' ? ['train', '--resume', run.dir, '--quiet'] : run.args;
      const log = createWriteStream(join(options.out, 'logs', `${run.name.replace('/', '_')}.log`), {
        flags: 'a',
      });
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.stdout.pipe(log);
      child.stderr.pipe(log);
      child.on('close', (code) => {
        children.delete(child);
        log.end();
        if (code === 0) {
          finished++;
          const summary = JSON.parse(readFileSync(join(run.dir, RUN_FILES.summary), 'utf8')) as Record<
            string,
            number | null
          >;
          const pointProcess = (summary.metrics as unknown) === 'point-process';
          const score = pointProcess ? summary.bestValidNll : summary.bestValidPerplexity;
          process.stdout.write(
            `[${finished}/${runs.length}] ${run.name}${state === 'resume' ? ' (resumed)' : ''}: valid ${pointProcess ? 'NLL' : 'ppl'} ${score === null || score === undefined ? '–' : score.toFixed(4)}, K ${summary.finalTruncation}, ${seconds(Number(summary.wallSeconds))}\n`,
          );
        } else if (!interrupted) {
          failed++;
          process.stdout.write(`${run.name}: failed (exit ${code}); see ${join(options.out, 'logs')}\n`);
        }
        resolveRun();
      });
    });
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (;;) {
      if (interrupted) return;
      const run = queue.shift();
      if (!run) return;
      await runOne(run);
    }
  });
  await Promise.all(workers);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (interrupted) return EXIT.interrupted;
  checkPairing(runs);
  process.stdout.write(
    `sweep: ${finished} of ${runs.length} runs finished in ${seconds((Date.now() - started) / 1000)}${failed ? `, ${failed} failed` : ''}; next: tbptt report ${options.out}\n`,
  );
  if (failed > 0)
    throw new RunError(`sweep: ${failed} runs failed; fix the cause (see the logs) and run the sweep again`);
  return EXIT.ok;
}

/** Every method of a seed must have started from the same initial weights (the paired comparison). */
function checkPairing(runs: readonly PlannedRun[]): void {
  const bySeed = new Map<number, Set<string>>();
  for (const run of runs) {
    const file = join(run.dir, RUN_FILES.summary);
    if (!existsSync(file)) continue;
    const hash =
      (JSON.parse(readFileSync(file, 'utf8')) as { initialWeightsSha256?: string }).initialWeightsSha256 ??
      '?';
    if (!bySeed.has(run.seed)) bySeed.set(run.seed, new Set());
    bySeed.get(run.seed)!.add(hash);
  }
  for (const [seed, hashes] of bySeed) {
    if (hashes.size > 1)
      process.stdout.write(`warning: seed ${seed}: the methods started from different initial weights\n`);
  }
}
