/**
 * The binding of the CLI to the engine: resolved CLI options → model spec, streams, truncation controller
 * and the engine's TrainConfig, and the run itself. With `engine/events.ts` and `engine/model-tools.ts` this
 * is the only code that knows the APIs of @tbptt/core, @tbptt/models and @tbptt/datasets.
 *
 * Written against engine v2 (@tbptt/core's TrainConfig with clip / plateau / monitorBias / signal).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  adaptiveTruncation,
  type ControllerState,
  fixedTruncation,
  pointProcessStream,
  readCheckpoint,
  type Stream,
  type TrainConfig,
  type TrainEvent,
  type TruncationController,
  tokenStream,
  train,
  variableTruncation,
} from '@tbptt/core';
import {
  BOOK_ORDER_MARKS,
  batchify,
  type Corpus,
  copyTask,
  eventStreams,
  loadBookOrder,
  loadCopyReference,
  loadCorpus,
  loadTextFolder,
  repeatTask,
  SYNTHETIC_VOCAB_SIZE,
  Vocabulary,
  type VocabularyJson,
} from '@tbptt/datasets';
import {
  createModel,
  type ModelSpec,
  type RecurrentModel,
  recommendedWasmThreads,
  selectBackend,
  serializeWeights,
} from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { RunError, UsageError } from '../errors';
import { isCopyReference, isPointProcess, isSynthetic, type TrainOptions } from '../options/train-options';
import { parseTruncation, type TruncationSpec } from '../options/truncation-spec';
import type { RunEvent, RunInfo, RunResult } from '../run-events';
import { mapEvent } from './events';

/** Seeds of the validation and test streams of the synthetic tasks: fixed, so every seed is scored on the same data. */
const VALID_SEED = 1_000_001;
const TEST_SEED = 1_000_002;

export interface TaskData {
  kind: 'synthetic' | 'language' | 'point-process';
  /** Tokens (synthetic and language tasks) or marks (point processes). */
  vocabSize: number;
  train: Stream;
  valid: Stream;
  test: Stream;
  /** Language tasks: the vocabulary (written to the run directory for `generate`). */
  vocab?: VocabularyJson;
  description: string;
}

/**
 * Activates the backend; returns its name and the thread count. `--threads auto` (the default) takes the
 * count `recommendedWasmThreads` gives for `spec` at `--batch` on this machine's cores (1 for small models,
 * 2 or more for larger ones, on wasm); without a spec (a command that builds no model), 1.
 */
export async function useBackend(
  options: Pick<TrainOptions, 'backend' | 'threads'> & { batch?: number },
  spec?: ModelSpec,
): Promise<{ backend: string; threads: number }> {
  // selectBackend's own `threads: 'auto'` does not say what it chose; the run records the count.
  const { batch } = options;
  const automatic =
    options.threads === 'auto' &&
    spec !== undefined &&
    batch !== undefined &&
    (options.backend === 'wasm' || options.backend === 'auto');
  const threads =
    typeof options.threads === 'number'
      ? options.threads
      : automatic
        ? recommendedWasmThreads(spec, batch, availableParallelism())
        : undefined;
  try {
    const backend = await selectBackend(options.backend, threads === undefined ? {} : { threads });
    return { backend, threads: backend === 'wasm' ? (threads ?? 1) : 1 };
  } catch (error) {
    throw new UsageError(`--backend ${options.backend}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Loads (language tasks) or generates (synthetic tasks) the three streams of the task. */
export async function buildTask(o: TrainOptions): Promise<TaskData> {
  if (isSynthetic(o.task)) {
    const generate = (steps: number, batch: number, seed: number) => {
      const data =
        o.task === 'repeat'
          ? repeatTask({ steps, batch, lag: o.length, seed })
          : copyTask({
              steps,
              batch,
              length: o.length,
              minLength: o.task === 'copy-variable' ? (o.minLength ?? Math.ceil(o.length / 2)) : o.length,
              seed,
            });
      // One-hot inputs, as the paper's synthetic models.
      return tokenStream(data, { oneHot: SYNTHETIC_VOCAB_SIZE });
    };
    const spans =
      o.task === 'copy-variable'
        ? `spans ${o.minLength ?? Math.ceil(o.length / 2)}..${o.length}`
        : o.task === 'copy'
          ? `span ${o.length}`
          : `lag ${o.length}`;
    return {
      kind: 'synthetic',
      vocabSize: SYNTHETIC_VOCAB_SIZE,
      train: generate(o.trainSteps, o.batch, o.seed),
      valid: generate(o.validSteps, o.evalBatch, VALID_SEED),
      test: generate(o.testSteps, o.evalBatch, TEST_SEED),
      description: `${o.task} task (${spans}), ${o.trainSteps} steps × ${o.batch} columns`,
    };
  }
  if (isCopyReference(o.task)) return loadCopyReferenceTask(o);
  if (isPointProcess(o.task)) return loadEventTask(o);
  const corpus = await loadTextTask(o);
  // valid / test are laid out at the evaluation batch here (engine v2 does not re-batch).
  const stream = (ids: Int32Array, batch: number, split: string) => {
    if (ids.length < 2 * batch) {
      throw new UsageError(
        `--task ${o.task}: the ${split} split has ${ids.length} tokens, too few for ${batch} columns; lower --batch / --eval-batch`,
      );
    }
    return tokenStream(batchify(ids, batch));
  };
  return {
    kind: 'language',
    vocabSize: corpus.vocab.size,
    train: stream(corpus.train, o.batch, 'train'),
    valid: stream(corpus.valid, o.evalBatch, 'valid'),
    test: stream(corpus.test, o.evalBatch, 'test'),
    vocab: corpus.vocab.toJSON(),
    description: `${o.task} (${corpus.level} level, ${corpus.train.length} training tokens, vocabulary ${corpus.vocab.size})`,
  };
}

/**
 * Book Order (Du et al. 2016, split 1) as the paper lays it out: each split's sequences concatenated into one
 * stream, the test file cut in half by position into valid and test, RMTPP rows (previous mark one-hot, the
 * new-sequence flag, the previous gap) with the next mark and gap as targets.
 */
async function loadEventTask(o: TrainOptions): Promise<TaskData> {
  const flag = '--data-dir';
  const dataDir = dataFolder(
    o,
    'book-order/ (or event-1-train.txt, time-1-train.txt, event-1-test.txt, time-1-test.txt)',
  );
  let streams: ReturnType<typeof eventStreams>;
  let trainEvents: number;
  try {
    const data = await loadBookOrder({ dataDir, split: 1 });
    trainEvents = data.train.sequences.reduce((n, seq) => n + seq.marks.length, 0);
    streams = eventStreams(data, { batch: o.batch, evalBatch: o.evalBatch, markCount: BOOK_ORDER_MARKS });
  } catch (error) {
    throw new UsageError(`${flag} ${dataDir}: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    kind: 'point-process',
    vocabSize: BOOK_ORDER_MARKS,
    train: pointProcessStream(streams.train),
    valid: pointProcessStream(streams.valid),
    test: pointProcessStream(streams.test),
    description:
      `${o.task} (split 1, ${trainEvents} training events, ${BOOK_ORDER_MARKS} marks; ` +
      `train [${streams.train.steps}, ${streams.train.batch}], valid / test [${streams.valid.steps}, ${streams.valid.batch}])`,
  };
}

/** The data folder of a task read from disk: --data-dir, else $TBPTT_DATA_DIR; a usage error when neither names a folder. */
function dataFolder(o: TrainOptions, holds: string): string {
  const dataDir = o.dataDir ?? (process.env.TBPTT_DATA_DIR ? process.env.TBPTT_DATA_DIR : undefined);
  if (dataDir === undefined) {
    throw new UsageError(`--task ${o.task}: no data folder; pass --data-dir <folder holding ${holds}>`);
  }
  if (!(existsSync(dataDir) && statSync(dataDir).isDirectory())) {
    throw new UsageError(`--data-dir ${dataDir}: no such folder; pass the folder that holds ${holds}`);
  }
  return dataDir;
}

/**
 * The paper's own copy data (aicherc/adaptive_tbptt `data/copy_{fixed,variable}`, as text): train [4000, 64],
 * valid and test [1000, 64], one-hot inputs as the synthetic tasks. Its 64 columns are the batch of every split.
 */
async function loadCopyReferenceTask(o: TrainOptions): Promise<TaskData> {
  const variant = o.task === 'copy-reference' ? 'fixed' : 'variable';
  const dataDir = dataFolder(
    o,
    `copy-reference/${variant}/ (train-inputs.txt, train-targets.txt, valid-…, test-…)`,
  );
  let data: Awaited<ReturnType<typeof loadCopyReference>>;
  try {
    data = await loadCopyReference({ dataDir, variant });
  } catch (error) {
    throw new UsageError(`--data-dir ${dataDir}: ${(error as Error).message.split('\n')[0]}`);
  }
  const columns = data.train.batch;
  for (const [flag, value] of [
    ['--batch', o.batch],
    ['--eval-batch', o.evalBatch],
  ] as const) {
    if (value !== columns) {
      throw new UsageError(
        `${flag} ${value}: the paper's copy data holds ${columns} independent columns per split, which are the batch; pass ${flag} ${columns}`,
      );
    }
  }
  return {
    kind: 'synthetic',
    vocabSize: SYNTHETIC_VOCAB_SIZE,
    train: tokenStream(data.train, { oneHot: SYNTHETIC_VOCAB_SIZE }),
    valid: tokenStream(data.valid, { oneHot: SYNTHETIC_VOCAB_SIZE }),
    test: tokenStream(data.test, { oneHot: SYNTHETIC_VOCAB_SIZE }),
    description: `${o.task}: the paper's ${variant} copy data (spans ${variant === 'fixed' ? '10' : '5..10'}), ${data.train.steps} steps × ${columns} columns`,
  };
}

async function loadTextTask(o: TrainOptions): Promise<Corpus> {
  if (o.dataDir !== undefined && !(existsSync(o.dataDir) && statSync(o.dataDir).isDirectory())) {
    throw new UsageError(
      `--data-dir ${o.dataDir}: no such folder; pass the folder that holds ptb/ and wikitext-2/ (or the split files)`,
    );
  }
  try {
    if (o.task.startsWith('text:')) {
      const dir = o.task.slice('text:'.length);
      if (!(existsSync(dir) && statSync(dir).isDirectory())) {
        throw new UsageError(
          `--task text:${dir}: no such folder; it must hold train.txt, valid.txt and test.txt`,
        );
      }
      return await loadTextFolder(dir, { level: o.level });
    }
    return await loadCorpus(
      o.task as 'ptb' | 'wikitext-2',
      o.dataDir === undefined ? {} : { dataDir: o.dataDir },
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = (error as Error).message.split('\n')[0]!;
    // A local folder that does not hold the corpus is a usage error; a failed download is a run failure.
    if (o.dataDir !== undefined || o.task.startsWith('text:')) throw new UsageError(`--data-dir: ${message}`);
    throw new RunError(`${message}; or pass --data-dir <folder with ${o.task}/>`);
  }
}

/**
 * The model of a run: one-hot (dense) input for the synthetic tasks, an embedding for language models, and
 * RMTPP for point processes (Du et al. 2016): a linear encoder of the mark one-hot (to --embedding, default
 * --hidden) beside the new-sequence flag and the gap, and three heads — mark logits, log λ, and the learned
 * constant w of the intensity λ(t) = exp(log λ + w t).
 */
export function buildModel(o: TrainOptions, task: Pick<TaskData, 'kind' | 'vocabSize'>): RecurrentModel {
  try {
    return createModel(modelSpec(o, task));
  } catch (error) {
    throw new UsageError(`model: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The model spec of {@link buildModel} (checked when the model is created). */
export function modelSpec(o: TrainOptions, task: Pick<TaskData, 'kind' | 'vocabSize'>): ModelSpec {
  if (task.kind === 'point-process') {
    const marks = task.vocabSize;
    return {
      cell: o.cell,
      hiddenSize: o.hidden,
      numLayers: o.layers,
      dropout: o.dropout,
      ...(o.init === undefined ? {} : { init: o.init }),
      seed: o.seed,
      input: 'dense',
      featureSize: marks + 2,
      inputEncoder: { features: marks, size: o.embedding ?? o.hidden },
      outputSize: marks + 2,
      heads: [
        { name: 'marks', size: marks },
        { name: 'log_intensity', size: 1 },
        { name: 'w', size: 1, kind: 'constant' },
      ],
    };
  }
  const common = {
    cell: o.cell,
    hiddenSize: o.hidden,
    numLayers: o.layers,
    outputSize: task.vocabSize,
    dropout: o.dropout,
    ...(o.init === undefined ? {} : { init: o.init }),
    seed: o.seed,
  };
  return task.kind === 'synthetic'
    ? { ...common, input: 'dense', featureSize: task.vocabSize }
    : {
        ...common,
        input: 'embedding',
        vocabSize: task.vocabSize,
        embeddingSize: o.embedding ?? o.hidden,
        tieWeights: o.tied,
      };
}

/** Describes a model for the first lines of the output. */
export function describeModel(o: TrainOptions, model: RecurrentModel): { text: string; parameters: number } {
  const parameters = model.variables.reduce((n, v) => n + v.size, 0);
  const spec = model.spec;
  const input =
    spec.input === 'dense'
      ? spec.inputEncoder
        ? `mark encoder ${spec.inputEncoder.features} → ${spec.inputEncoder.size} + ${spec.featureSize - spec.inputEncoder.features} features, heads ${(spec.heads ?? []).map((h) => h.name).join(' / ')}`
        : `one-hot ${spec.featureSize}`
      : `embedding ${spec.embeddingSize}`;
  const extras = [o.dropout > 0 ? `dropout ${o.dropout}` : '', o.tied ? 'tied' : '']
    .filter(Boolean)
    .join(', ');
  return {
    text: `${o.layers} × ${o.cell.toUpperCase()}(${o.hidden}), ${input}${extras ? `, ${extras}` : ''}`,
    parameters,
  };
}

/** The K a run starts with (the controller's initial state). */
export function initialTruncation(controller: TruncationController<ControllerState>): number {
  return controller.truncation(controller.init());
}

/** The truncation controller of `--truncation` with its options. */
export function buildController(
  o: TrainOptions,
  task: Pick<TaskData, 'kind'>,
): TruncationController<ControllerState> {
  const spec: TruncationSpec = parseTruncation(o.truncation);
  try {
    switch (spec.kind) {
      case 'fixed':
        return fixedTruncation(spec.k) as TruncationController<ControllerState>;
      case 'variable':
        return variableTruncation({
          mean: spec.mean,
          sd: spec.sd,
          seed: o.seed,
        }) as TruncationController<ControllerState>;
      case 'adaptive': {
        const pick = <K extends keyof TrainOptions>(key: K, as: string = key) =>
          o[key] === undefined ? {} : { [as]: o[key] };
        return adaptiveTruncation({
          delta: spec.delta,
          preset:
            task.kind === 'synthetic'
              ? 'synthetic'
              : task.kind === 'point-process'
                ? 'point-process'
                : 'language-model',
          ...pick('window'),
          ...pick('burnIn'),
          ...pick('samples'),
          ...pick('repeats'),
          ...pick('refreshEvery'),
          ...pick('kmin'),
          ...pick('kmax'),
          ...pick('initialK'),
          ...pick('estimator'),
          ...pick('cumulative'),
        }) as TruncationController<ControllerState>;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--truncation ${o.truncation}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** sha256 of a model's weights as the safetensors file the run writes. */
export function weightsSha256(model: RecurrentModel): string {
  return createHash('sha256')
    .update(new Uint8Array(serializeWeights(model)))
    .digest('hex');
}

/** A run ready to start: everything built and checked, nothing written yet. */
export interface PreparedRun {
  info: RunInfo;
  task: TaskData;
  model: RecurrentModel;
  controller: TruncationController<ControllerState>;
  initialWeightsSha256: string;
}

/** Builds the task, the model and the controller and checks the options against them (no file is written). */
export async function prepareRun(o: TrainOptions): Promise<PreparedRun> {
  const spec = parseTruncation(o.truncation);
  const task = await buildTask(o);
  // The backend after the task (which is plain arrays): --threads auto needs the model's size.
  const { backend, threads } = await useBackend(o, modelSpec(o, task));
  if (
    o.window !== undefined &&
    spec.kind === 'adaptive' &&
    (o.burnIn ?? Math.floor(o.window / 10)) + o.window > task.train.steps
  ) {
    throw new UsageError(
      `--window ${o.window}: burn-in + W must fit in the training stream (${task.train.steps} steps per column); lower --window or --batch`,
    );
  }
  const model = buildModel(o, task);
  const controller = buildController(o, task);
  const { text, parameters } = describeModel(o, model);
  return {
    task,
    model,
    controller,
    initialWeightsSha256: weightsSha256(model),
    info: {
      task: o.task,
      metrics: task.kind === 'point-process' ? 'point-process' : 'perplexity',
      description: task.description,
      vocabSize: task.vocabSize,
      chancePerplexity: task.kind === 'point-process' ? Number.NaN : task.vocabSize,
      model: text,
      parameters,
      backend,
      threads,
      truncation: o.truncation,
      trainSteps: task.train.steps,
      batch: o.batch,
    },
  };
}

export interface RunControl {
  /** Where checkpoints go (DIR/checkpoint). */
  checkpointDir: string;
  /** Resume from this checkpoint root. */
  resumeFrom?: string;
  /** Set (to non-zero) by another thread to interrupt: the current update finishes, a checkpoint is written. */
  abortFlag: Int32Array;
  onEvent: (event: RunEvent) => void;
}

export interface FinishedRun {
  result: RunResult;
  /** Final weights (safetensors bytes). */
  weights: Uint8Array;
  /** Weights at the best validation perplexity, when there was a validation. */
  best?: Uint8Array;
}

/** Runs the prepared training; maps the engine's events; returns the result and the weights to write. */
export async function runTraining(
  o: TrainOptions,
  run: PreparedRun,
  control: RunControl,
): Promise<FinishedRun> {
  const { model, task, controller } = run;
  const language = task.kind === 'language';
  // Bias monitoring at the adaptive preset's W, burn-in, S and C(K) of the task.
  const monitorDefaults =
    task.kind === 'point-process'
      ? { window: 200, burnIn: 2, samples: 64, cumulative: 'exact' as const }
      : language
        ? { window: 400, burnIn: 40, samples: 32, cumulative: 'approximate' as const }
        : {};
  const stop: TrainConfig['stop'] = {
    ...(o.epochs === undefined ? {} : { epochs: o.epochs }),
    ...(o.updates === undefined ? {} : { updates: o.updates }),
    ...(o.tokens === undefined ? {} : { tokens: o.tokens }),
    ...(o.maxTime === undefined ? {} : { wallTimeSeconds: o.maxTime }),
  };
  if (Object.keys(stop).length === 0) stop.epochs = 40;
  // SIGINT arrives on the main thread, which sets the shared flag; it is read after every update. The
  // engine then stops after that update, writes a checkpoint and returns with stoppedBy 'aborted'.
  const abort = new AbortController();
  const onEvent = (event: TrainEvent) => {
    for (const mapped of mapEvent(event)) control.onEvent(mapped);
    if (event.type === 'step' && !abort.signal.aborted && Atomics.load(control.abortFlag, 0) !== 0)
      abort.abort();
  };
  const config: TrainConfig = {
    model,
    train: task.train,
    valid: task.valid,
    test: task.test,
    truncation: controller,
    windowing: o.windowing,
    optimizer: {
      name: o.optimizer,
      ...(o.lr === undefined ? {} : { learningRate: o.lr }),
      ...(o.weightDecay === undefined ? {} : { weightDecay: o.weightDecay }),
      ...(o.momentum === undefined ? {} : { momentum: o.momentum }),
    },
    learningRateScaling: o.scaleLr,
    ...(o.clip === undefined ? {} : { clip: { norm: o.clip, over: o.clipOver } }),
    ...(o.lrDecay === undefined ? {} : { plateau: { factor: o.lrDecay, patience: o.lrPatience } }),
    stop,
    evaluation: {
      ...(o.evalEvery === undefined ? {} : { every: o.evalEvery }),
      ...(o.evalEveryTokens === undefined ? {} : { everyTokens: o.evalEveryTokens }),
    },
    checkpoint: {
      dir: control.checkpointDir,
      keep: 2,
      ...(o.checkpointEvery === undefined ? {} : { every: o.checkpointEvery }),
    },
    ...(control.resumeFrom === undefined ? {} : { resumeFrom: control.resumeFrom }),
    seed: o.seed,
    ...(o.monitorBias
      ? {
          monitorBias: {
            ...(o.refreshEvery === undefined ? {} : { every: o.refreshEvery }),
            // The engine's defaults are the synthetic preset's; the other tasks take their adaptive preset's.
            ...monitorDefaults,
            ...(o.window === undefined ? {} : { window: o.window }),
            ...(o.burnIn === undefined ? {} : { burnIn: o.burnIn }),
            ...(o.samples === undefined ? {} : { samples: o.samples }),
            ...(o.cumulative === undefined ? {} : { cumulative: o.cumulative }),
          },
        }
      : {}),
    signal: abort.signal,
    onEvent,
  };
  let result: Awaited<ReturnType<typeof train>>;
  try {
    result = await train(config);
  } catch (error) {
    throw new RunError((error as Error).message.split('\n')[0]);
  }
  const weights = new Uint8Array(serializeWeights(model));
  let best: Uint8Array | undefined;
  if (result.checkpoint !== undefined) {
    const ck = readCheckpoint(result.checkpoint);
    if (ck.best) {
      // best.safetensors of a checkpoint holds the variables' own layout: load them, then write PyTorch's.
      const names = [...model.namedVariables.keys()];
      model.variables.forEach((variable, i) => {
        const saved = ck.best!.get(names[i]!)!;
        tf.tidy(() => variable.assign(tf.tensor(saved.data, saved.shape, variable.dtype)));
      });
      best = new Uint8Array(serializeWeights(model));
    }
  }
  return {
    weights,
    ...(best ? { best } : {}),
    result: {
      updates: result.updates,
      epochs: result.epochs,
      finalTruncation: result.truncation,
      truncationHistory: result.truncationHistory,
      ...(result.bestValid
        ? {
            bestValid: {
              update: result.bestValid.update,
              loss: result.bestValid.loss,
              perplexity: result.bestValid.perplexity,
              ...pointProcessScores(result.bestValid),
            },
          }
        : {}),
      ...(result.testAtBest
        ? {
            testAtBest: {
              loss: result.testAtBest.loss,
              perplexity: result.testAtBest.perplexity,
              ...pointProcessScores(result.testAtBest),
            },
          }
        : {}),
      tokens: result.tokens,
      tokensPerSecond: result.tokensPerSecond,
      wallSeconds: result.elapsedSeconds,
      estimateSeconds: result.estimateSeconds,
      monitorSeconds: result.monitorSeconds,
      evaluateSeconds: result.evaluateSeconds,
      cpuSeconds: result.cpuSeconds,
      stoppedBy: result.stoppedBy,
      ...(result.checkpoint ? { checkpoint: result.checkpoint } : {}),
      initialWeightsSha256: run.initialWeightsSha256,
    },
  };
}

/** The point-process scores of an evaluation, when it has them. */
function pointProcessScores(e: { rmse?: number; errorRate?: number }): {
  rmse?: number;
  errorRate?: number;
} {
  return {
    ...(e.rmse === undefined ? {} : { rmse: e.rmse }),
    ...(e.errorRate === undefined ? {} : { errorRate: e.errorRate }),
  };
}

export { Vocabulary };
