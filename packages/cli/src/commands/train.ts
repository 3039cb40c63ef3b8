import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkpointUpdate } from '../engine/model-tools';
import { EXIT, RunError, UsageError } from '../errors';
import { checkNewRunDir } from '../io/out-dir';
import { MetricsWriter, RUN_FILES, writeRunBytes, writeRunJson } from '../io/run-files';
import { loadPreset } from '../options/presets';
import {
  differingKeys,
  flagName,
  isPointProcess,
  isResumable,
  parsePartialOptions,
  resolveTrainOptions,
  TRAIN_FLAGS,
  type TrainOptions,
} from '../options/train-options';
import { ProgressView, type ViewMode } from '../progress/progress-view';
import { truncationStats } from '../report/truncation-stats';
import type { RunEvent, RunInfo, RunResult } from '../run-events';
import type { WorkerInput } from '../train-worker';

/** The run-control flags of `train` (everything else is a {@link TrainOptions} field). */
export interface TrainControl {
  preset?: string;
  config?: string;
  out?: string;
  resume?: string;
  quiet?: boolean;
  json?: boolean;
}

/** Reads a JSON file named by a flag; a missing or malformed file is a usage error naming it. */
export function readJsonFile(file: string, flag: string): unknown {
  if (!existsSync(file)) throw new UsageError(`${flag} ${file}: no such file`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${flag} ${file}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Parses the values given as flags (strings from commander) into train options. */
export function parseFlagValues(values: Record<string, unknown>): Partial<TrainOptions> {
  const out: Record<string, unknown> = {};
  for (const flag of TRAIN_FLAGS) {
    const value = values[flag.key];
    if (value !== undefined) out[flag.key] = flag.parse(value, flag.flags.split(' ')[0]!);
  }
  return out as Partial<TrainOptions>;
}

/** Resolves the configuration of `train` (or of a fresh model for `diagnose`): defaults < preset < --config < flags. */
export function resolveFromFlags(
  control: Pick<TrainControl, 'preset' | 'config'>,
  flags: Partial<TrainOptions>,
): TrainOptions {
  const layers: Partial<TrainOptions>[] = [];
  if (control.preset !== undefined) layers.push(loadPreset(control.preset).options);
  if (control.config !== undefined)
    layers.push(parsePartialOptions(readJsonFile(control.config, '--config'), control.config));
  layers.push(flags);
  return resolveTrainOptions(layers);
}

/** Reads a run directory's config.json. */
export function readRunConfig(dir: string, flag: string): TrainOptions {
  const file = join(dir, RUN_FILES.config);
  if (!existsSync(file))
    throw new UsageError(
      `${flag} ${dir}: no ${RUN_FILES.config} there; pass the directory of a tbptt train run`,
    );
  return resolveTrainOptions([parsePartialOptions(readJsonFile(file, flag), file)]);
}

function defaultOutDir(o: TrainOptions): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const task = o.task.replace(/^text:/, 'text-').replace(/[^A-Za-z0-9_.-]+/g, '_');
  return join('runs', `${stamp}-${task}-${o.truncation.replace(/[:,]/g, '-')}`);
}

/** `tbptt train`: returns the exit code. */
export async function trainCommand(
  control: TrainControl,
  flagValues: Record<string, unknown>,
): Promise<number> {
  const flags = parseFlagValues(flagValues);
  let options: TrainOptions;
  let outDir: string;
  let resumeAt: number | undefined;
  if (control.resume !== undefined) {
    if (control.preset !== undefined || control.config !== undefined || control.out !== undefined) {
      throw new UsageError(
        '--resume continues a run with its own config.json; drop --preset / --config / --out',
      );
    }
    outDir = control.resume;
    const saved = readRunConfig(outDir, '--resume');
    options = resolveTrainOptions([saved, flags]);
    const changed = differingKeys(saved, options).filter((key) => !isResumable(key));
    if (changed.length > 0) {
      const key = changed[0]!;
      throw new UsageError(
        `--resume ${outDir}: the run was trained with ${flagName(key)} ${JSON.stringify(saved[key] ?? '(default)')}, got ${JSON.stringify(options[key])}; ` +
          'drop the flag (only the budget, logging and backend may change on resume)',
      );
    }
    resumeAt = checkpointUpdate(join(outDir, RUN_FILES.checkpoint));
    if (resumeAt === undefined) {
      throw new UsageError(
        `--resume ${outDir}: the run has no checkpoint yet; start it again with --out ${outDir}-2`,
      );
    }
  } else {
    options = resolveFromFlags(control, flags);
    outDir = control.out ?? defaultOutDir(options);
    checkNewRunDir(outDir);
  }
  const mode: ViewMode = control.json
    ? 'json'
    : control.quiet
      ? 'quiet'
      : process.stdout.isTTY
        ? 'bar'
        : 'lines';
  const view = new ProgressView(
    mode,
    {
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
      ...(options.updates === undefined ? {} : { updates: options.updates }),
      ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
      ...(options.maxTime === undefined ? {} : { maxTime: options.maxTime }),
      ...(options.epochs === undefined &&
      options.updates === undefined &&
      options.tokens === undefined &&
      options.maxTime === undefined
        ? { epochs: 40 }
        : {}),
    },
    options.logInterval,
  );
  return runInWorker(options, outDir, resumeAt, view, mode);
}

async function runInWorker(
  options: TrainOptions,
  outDir: string,
  resumeAt: number | undefined,
  view: ProgressView,
  mode: ViewMode,
): Promise<number> {
  const abortBuffer = new SharedArrayBuffer(4);
  const abortFlag = new Int32Array(abortBuffer);
  const checkpointDir = resolve(outDir, RUN_FILES.checkpoint);
  const input: WorkerInput = {
    options,
    checkpointDir,
    ...(resumeAt === undefined ? {} : { resumeFrom: checkpointDir }),
    abortBuffer,
  };
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: input });
  let metrics: MetricsWriter | undefined;
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      metrics?.flush();
      view.stop();
      process.stderr.write(`\n${signal} again: stopping now without a checkpoint\n`);
      process.exit(EXIT.interrupted);
    }
    Atomics.store(abortFlag, 0, 1);
    const note = `${signal}: finishing the current update, then writing a checkpoint (press Ctrl-C again to quit at once)`;
    if (mode === 'json' || mode === 'quiet') process.stderr.write(`${note}\n`);
    else view.print(note);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await new Promise<number>((resolvePromise, reject) => {
      worker.on('error', (error) => reject(new RunError(`training thread: ${error.message.split('\n')[0]}`)));
      worker.on('message', (message: WorkerMessage) => {
        try {
          switch (message.kind) {
            case 'ready': {
              // Everything is built and checked: only now is the run directory created.
              mkdirSync(outDir, { recursive: true });
              writeRunJson(outDir, RUN_FILES.config, options);
              if (message.vocab) writeRunJson(outDir, RUN_FILES.vocab, message.vocab);
              rmSync(join(outDir, RUN_FILES.summary), { force: true });
              metrics = new MetricsWriter(outDir, resumeAt, options.metricsEvery);
              view.start(
                { ...message.info, ...(resumeAt === undefined ? {} : { resumedAt: resumeAt }) },
                outDir,
              );
              worker.postMessage({ kind: 'go' });
              break;
            }
            case 'event':
              metrics!.write(message.event);
              view.event(message.event);
              break;
            case 'done':
              metrics!.flush();
              resolvePromise(finish(options, outDir, message, view));
              break;
            case 'error':
              view.stop();
              reject(message.usage ? new UsageError(message.message) : new RunError(message.message));
              break;
          }
        } catch (error) {
          reject(error);
        }
      });
    });
  } finally {
    metrics?.flush();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await worker.terminate();
  }
}

type WorkerMessage =
  | { kind: 'ready'; info: RunInfo; vocab: unknown }
  | { kind: 'event'; event: RunEvent }
  | { kind: 'done'; result: RunResult; weights: Uint8Array; best?: Uint8Array; profile: unknown }
  | { kind: 'error'; message: string; usage: boolean };

function finish(
  options: TrainOptions,
  outDir: string,
  done: Extract<WorkerMessage, { kind: 'done' }>,
  view: ProgressView,
): number {
  const { result } = done;
  writeRunBytes(outDir, RUN_FILES.weights, done.weights);
  if (done.best) writeRunBytes(outDir, RUN_FILES.best, done.best);
  if (done.profile) writeRunJson(outDir, RUN_FILES.profile, done.profile);
  if (result.stoppedBy === 'aborted') {
    view.stop();
    const where = result.checkpoint ?? join(outDir, RUN_FILES.checkpoint);
    process.stderr.write(
      `interrupted at update ${result.updates}; checkpoint written to ${where}\nresume with: tbptt train --resume ${outDir}\n`,
    );
    return EXIT.interrupted;
  }
  const summary = buildSummary(options, result);
  writeRunJson(outDir, RUN_FILES.summary, summary);
  view.summary(result, outDir, summary, isPointProcess(options.task));
  return EXIT.ok;
}

/**
 * summary.json: the run's result with the K statistics of its K history (mean over updates, min, max). Token tasks report perplexities;
 * point-process tasks (`metrics: 'point-process'`) report instead, at the best validation NLL, the NLL per
 * event, the RMSE of the predicted mean gap and the 0-1 loss of the most likely mark, of valid and of test.
 */
export function buildSummary(options: TrainOptions, result: RunResult): Record<string, unknown> {
  const k = truncationStats(result.truncationHistory, result.updates);
  const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);
  const pointProcess = isPointProcess(options.task);
  const scores = pointProcess
    ? {
        bestValidNll: finite(result.bestValid?.loss),
        bestValidRmse: finite(result.bestValid?.rmse),
        bestValidErrorRate: finite(result.bestValid?.errorRate),
        testNllAtBestValid: finite(result.testAtBest?.loss),
        testRmseAtBestValid: finite(result.testAtBest?.rmse),
        testErrorRateAtBestValid: finite(result.testAtBest?.errorRate),
      }
    : {};
  return {
    version: 1,
    task: options.task,
    metrics: pointProcess ? 'point-process' : 'perplexity',
    method: options.truncation,
    seed: options.seed,
    stoppedBy: result.stoppedBy,
    updates: result.updates,
    epochs: result.epochs,
    bestValidPerplexity: pointProcess ? null : (result.bestValid?.perplexity ?? null),
    bestValidUpdate: result.bestValid?.update ?? null,
    testPerplexityAtBestValid: pointProcess ? null : (result.testAtBest?.perplexity ?? null),
    ...scores,
    finalTruncation: result.finalTruncation,
    truncationHistory: result.truncationHistory,
    kMean: k?.kMean ?? null,
    kMin: k?.kMin ?? null,
    kMax: k?.kMax ?? null,
    tokens: result.tokens,
    tokensPerSecond: result.tokensPerSecond,
    wallSeconds: result.wallSeconds,
    estimateSeconds: result.estimateSeconds,
    monitorSeconds: result.monitorSeconds,
    evaluateSeconds: result.evaluateSeconds,
    cpuSeconds: result.cpuSeconds,
    estimateShare: result.wallSeconds > 0 ? result.estimateSeconds / result.wallSeconds : 0,
    initialWeightsSha256: result.initialWeightsSha256,
    finishedAt: new Date().toISOString(),
  };
}
