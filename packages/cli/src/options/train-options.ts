import { MAX_WASM_THREADS } from '@tbptt/models';
import { UsageError } from '../errors';
import {
  autoOrInteger,
  boolean,
  fraction,
  integer,
  nonNegativeNumber,
  oneOf,
  positiveNumber,
  text,
  type ValueParser,
} from './flag-values';
import { parseTruncation } from './truncation-spec';

/**
 * The resolved configuration of a training run: plain JSON, written to `DIR/config.json` and read back by
 * `--resume`, `evaluate`, `generate`, `diagnose` and `report`. Optional fields left out mean "the engine's
 * default" (the binding in `engine/build-run.ts` fills them).
 */
export interface TrainOptions {
  /** copy | copy-variable | repeat | ptb | wikitext-2 | book-order | text:<dir>. */
  task: string;
  /** Tokenisation of text:<dir> tasks. */
  level: 'word' | 'char';
  /** Synthetic tasks: the copy span m (copy) or the lag (repeat). */
  length: number;
  /** copy-variable: the shortest span (spans uniform in [minLength, length]). */
  minLength?: number;
  /** Synthetic tasks: steps T per column of the training / validation / test streams. */
  trainSteps: number;
  validSteps: number;
  testSteps: number;
  cell: 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';
  layers: number;
  hidden: number;
  /** Embedding width (language models); default the hidden size. */
  embedding?: number;
  dropout: number;
  tied: boolean;
  init?: 'paper' | 'pytorch';
  /** fixed:K | adaptive:δ | variable:MEAN,SD. */
  truncation: string;
  window?: number;
  burnIn?: number;
  samples?: number;
  repeats?: number;
  refreshEvery?: number;
  kmin?: number;
  kmax?: number;
  initialK?: number;
  estimator?: 'ols' | 'max' | 'quantile';
  cumulative?: 'exact' | 'approximate';
  windowing: 'tf' | 'buffer';
  optimizer: 'sgd' | 'momentum' | 'adam' | 'adadelta';
  lr?: number;
  momentum?: number;
  clip?: number;
  clipOver: 'mean' | 'sum';
  weightDecay?: number;
  scaleLr: 'none' | 'sqrt' | 'linear';
  /** Divide the learning rate by this factor when validation stops improving (word_language_model's 4). */
  lrDecay?: number;
  /** Evaluations without improvement before the learning rate is divided. */
  lrPatience: number;
  epochs?: number;
  updates?: number;
  /** Training tokens (loss positions × columns): a budget that means the same at every K. */
  tokens?: number;
  /** Wall-time budget of training, seconds. */
  maxTime?: number;
  batch: number;
  evalBatch: number;
  /** Updates between validations (default: once per epoch). */
  evalEvery?: number;
  /** Validate whenever the training tokens cross a multiple of this (excludes evalEvery). */
  evalEveryTokens?: number;
  /** Updates between checkpoints (default: only at the end and on interrupt). */
  checkpointEvery?: number;
  /** Updates between plain progress lines. */
  logInterval: number;
  /** Updates between the step lines of metrics.jsonl / metrics.csv (other events are always written). */
  metricsEvery: number;
  seed: number;
  backend: 'auto' | 'wasm' | 'cpu' | 'tensorflow';
  /** wasm threads, or `auto`: chosen from the model's size and the machine's cores (recommendedWasmThreads). */
  threads?: number | 'auto';
  dataDir?: string;
  monitorBias: boolean;
}

/** A `train` flag: the commander syntax, the config key it sets, how its value parses. */
export interface TrainFlag {
  key: keyof TrainOptions;
  flags: string;
  description: string;
  parse: ValueParser<unknown>;
  /** May differ from the run's config.json on `--resume` (budget, logging, hardware); model and method may not. */
  resumable?: boolean;
  group: string;
}

const taskName: ValueParser<string> = (value, name) => {
  const task = text(value, name);
  const known = [
    'copy',
    'copy-variable',
    'copy-reference',
    'copy-variable-reference',
    'repeat',
    'ptb',
    'wikitext-2',
    'book-order',
  ];
  if (known.includes(task) || (task.startsWith('text:') && task.length > 5)) return task;
  throw new UsageError(`${name} must be one of ${known.join(', ')} or text:<dir>, got ${task}`);
};

const truncation: ValueParser<string> = (value, name) => {
  parseTruncation(value, name);
  return value as string;
};

/** Every flag of `tbptt train`, in the order `--help` lists them. */
export const TRAIN_FLAGS: readonly TrainFlag[] = [
  {
    group: 'task',
    key: 'task',
    flags: '--task <name>',
    description:
      "copy | copy-variable | copy-reference | copy-variable-reference (the paper's own copy data) | repeat | ptb | wikitext-2 | book-order | text:<dir>",
    parse: taskName,
  },
  {
    group: 'task',
    key: 'level',
    flags: '--level <level>',
    description: 'tokens of a text:<dir> task: word | char',
    parse: oneOf(['word', 'char']),
  },
  {
    group: 'task',
    key: 'length',
    flags: '--length <m>',
    description: 'synthetic tasks: the copy span m, or the repeat lag',
    parse: integer(1),
  },
  {
    group: 'task',
    key: 'minLength',
    flags: '--min-length <m>',
    description: 'copy-variable: the shortest span',
    parse: integer(1),
  },
  {
    group: 'task',
    key: 'trainSteps',
    flags: '--train-steps <T>',
    description: 'synthetic tasks: steps per column of the training stream',
    parse: integer(2),
  },
  {
    group: 'task',
    key: 'validSteps',
    flags: '--valid-steps <T>',
    description: 'synthetic tasks: steps per column of valid',
    parse: integer(2),
  },
  {
    group: 'task',
    key: 'testSteps',
    flags: '--test-steps <T>',
    description: 'synthetic tasks: steps per column of test',
    parse: integer(2),
  },
  {
    group: 'task',
    key: 'dataDir',
    flags: '--data-dir <dir>',
    description:
      'folder with ptb/, wikitext-2/, book-order/ or copy-reference/ (or the split files themselves); nothing is downloaded',
    parse: text,
    resumable: true,
  },
  {
    group: 'model',
    key: 'cell',
    flags: '--cell <cell>',
    description: 'lstm | gru | rnn_tanh | rnn_relu',
    parse: oneOf(['lstm', 'gru', 'rnn_tanh', 'rnn_relu']),
  },
  {
    group: 'model',
    key: 'layers',
    flags: '--layers <n>',
    description: 'stacked recurrent layers',
    parse: integer(1),
  },
  {
    group: 'model',
    key: 'hidden',
    flags: '--hidden <n>',
    description: 'hidden units per layer',
    parse: integer(1),
  },
  {
    group: 'model',
    key: 'embedding',
    flags: '--embedding <n>',
    description: 'embedding width (language models; default: hidden)',
    parse: integer(1),
  },
  {
    group: 'model',
    key: 'dropout',
    flags: '--dropout <p>',
    description: 'dropout between layers and on the output',
    parse: fraction,
  },
  {
    group: 'model',
    key: 'tied',
    flags: '--tied',
    description: 'tie the embedding and decoder weights',
    parse: boolean,
  },
  {
    group: 'model',
    key: 'init',
    flags: '--init <scheme>',
    description: 'paper | pytorch',
    parse: oneOf(['paper', 'pytorch']),
  },
  {
    group: 'truncation',
    key: 'truncation',
    flags: '--truncation <spec>',
    description: 'fixed:K | adaptive:δ | variable:MEAN,SD',
    parse: truncation,
  },
  {
    group: 'truncation',
    key: 'window',
    flags: '--window <W>',
    description: 'adaptive: lags W in each gradient-norm profile',
    parse: integer(2),
  },
  {
    group: 'truncation',
    key: 'burnIn',
    flags: '--burn-in <n>',
    description: 'adaptive: warm-up steps before each probe',
    parse: integer(0),
  },
  {
    group: 'truncation',
    key: 'samples',
    flags: '--samples <S>',
    description: 'adaptive: positions sampled per profile',
    parse: integer(1),
  },
  {
    group: 'truncation',
    key: 'repeats',
    flags: '--repeats <n>',
    description: 'adaptive: profiles per estimate (κ̂ averaged)',
    parse: integer(1),
  },
  {
    group: 'truncation',
    key: 'refreshEvery',
    flags: '--refresh-every <n>',
    description: 'adaptive: updates between estimates',
    parse: integer(1),
  },
  {
    group: 'truncation',
    key: 'kmin',
    flags: '--kmin <K>',
    description: 'adaptive: smallest K',
    parse: integer(1),
  },
  {
    group: 'truncation',
    key: 'kmax',
    flags: '--kmax <K>',
    description: 'adaptive: largest K',
    parse: integer(1),
  },
  {
    group: 'truncation',
    key: 'initialK',
    flags: '--initial-k <K>',
    description: 'adaptive: K before the first estimate',
    parse: integer(1),
  },
  {
    group: 'truncation',
    key: 'estimator',
    flags: '--estimator <name>',
    description: 'β̂ estimator: ols | max | quantile',
    parse: oneOf(['ols', 'max', 'quantile']),
  },
  {
    group: 'truncation',
    key: 'cumulative',
    flags: '--cumulative <kind>',
    description: 'C(K): exact | approximate',
    parse: oneOf(['exact', 'approximate']),
  },
  {
    group: 'truncation',
    key: 'windowing',
    flags: '--windowing <style>',
    description: "tf (K-step windows) | buffer (TBPTT(K, 2K−1), the paper's)",
    parse: oneOf(['tf', 'buffer']),
  },
  {
    group: 'truncation',
    key: 'monitorBias',
    flags: '--monitor-bias',
    description: 'measure δ̂ at the current K for any method (bias monitoring)',
    parse: boolean,
  },
  {
    group: 'optimiser',
    key: 'optimizer',
    flags: '--optimizer <name>',
    description: 'sgd | momentum | adam | adadelta',
    parse: oneOf(['sgd', 'momentum', 'adam', 'adadelta']),
  },
  {
    group: 'optimiser',
    key: 'lr',
    flags: '--lr <rate>',
    description: 'learning rate (default per optimiser: sgd 1, momentum 0.1, adam 1e-3, adadelta 1)',
    parse: positiveNumber,
  },
  {
    group: 'optimiser',
    key: 'momentum',
    flags: '--momentum <mu>',
    description: 'momentum μ',
    parse: fraction,
  },
  {
    group: 'optimiser',
    key: 'clip',
    flags: '--clip <norm>',
    description: "clip the gradient's global norm",
    parse: positiveNumber,
  },
  {
    group: 'optimiser',
    key: 'clipOver',
    flags: '--clip-over <loss>',
    description: 'clip the gradient of the mean or the summed window loss: mean | sum',
    parse: oneOf(['mean', 'sum']),
  },
  {
    group: 'optimiser',
    key: 'weightDecay',
    flags: '--weight-decay <lambda>',
    description: 'coupled L2 weight decay',
    parse: nonNegativeNumber,
  },
  {
    group: 'optimiser',
    key: 'scaleLr',
    flags: '--scale-lr <scaling>',
    description: 'learning rate × 1, √K or K: none | sqrt | linear',
    parse: oneOf(['none', 'sqrt', 'linear']),
  },
  {
    group: 'optimiser',
    key: 'lrDecay',
    flags: '--lr-decay <factor>',
    description: 'divide the learning rate by this when validation stops improving',
    parse: (v, n) => {
      const f = positiveNumber(v, n);
      if (!(f > 1)) throw new UsageError(`${n} must be a factor > 1, got ${String(v)}`);
      return f;
    },
  },
  {
    group: 'optimiser',
    key: 'lrPatience',
    flags: '--lr-patience <n>',
    description: 'evaluations without improvement before dividing',
    parse: integer(0),
  },
  {
    group: 'budget',
    key: 'epochs',
    flags: '--epochs <n>',
    description: 'stop after this many epochs',
    parse: integer(1),
    resumable: true,
  },
  {
    group: 'budget',
    key: 'updates',
    flags: '--updates <n>',
    description: 'stop after this many updates',
    parse: integer(1),
    resumable: true,
  },
  {
    group: 'budget',
    key: 'tokens',
    flags: '--tokens <n>',
    description:
      'stop after this many training tokens (loss positions × columns: the same budget at every K)',
    parse: integer(1),
    resumable: true,
  },
  {
    group: 'budget',
    key: 'maxTime',
    flags: '--max-time <seconds>',
    description: 'stop after this much training time',
    parse: positiveNumber,
    resumable: true,
  },
  {
    group: 'budget',
    key: 'batch',
    flags: '--batch <B>',
    description: 'training columns B',
    parse: integer(1),
  },
  {
    group: 'budget',
    key: 'evalBatch',
    flags: '--eval-batch <B>',
    description: 'validation / test columns',
    parse: integer(1),
  },
  {
    group: 'budget',
    key: 'evalEvery',
    flags: '--eval-every <n>',
    description: 'updates between validations (default: each epoch)',
    parse: integer(1),
    resumable: true,
  },
  {
    group: 'budget',
    key: 'evalEveryTokens',
    flags: '--eval-every-tokens <n>',
    description:
      'validate whenever the training tokens cross a multiple of n (the same points at every K; not with --eval-every)',
    parse: integer(1),
    resumable: true,
  },
  {
    group: 'budget',
    key: 'checkpointEvery',
    flags: '--checkpoint-every <n>',
    description: 'updates between checkpoints (default: at the end and on interrupt)',
    parse: integer(1),
    resumable: true,
  },
  {
    group: 'budget',
    key: 'logInterval',
    flags: '--log-interval <n>',
    description: 'updates between plain progress lines',
    parse: integer(1),
    resumable: true,
  },
  {
    group: 'budget',
    key: 'metricsEvery',
    flags: '--metrics-every <n>',
    description:
      'updates between step lines in metrics.jsonl / metrics.csv (evaluations, estimates and K changes always keep the step before them)',
    parse: integer(1),
    resumable: true,
  },
  {
    group: 'run',
    key: 'seed',
    flags: '--seed <n>',
    description: 'seeds the weights, the data and the sampling',
    parse: integer(0),
  },
  {
    group: 'run',
    key: 'backend',
    flags: '--backend <name>',
    description: 'auto | wasm | cpu | tensorflow',
    parse: oneOf(['auto', 'wasm', 'cpu', 'tensorflow']),
    resumable: true,
  },
  {
    group: 'run',
    key: 'threads',
    flags: '--threads <n>',
    description:
      "wasm threads: auto (from the model's size and the cores) or 1 to 8 (the threaded SIMD build when > 1; 1 when other jobs share the cores)",
    parse: autoOrInteger(1, MAX_WASM_THREADS),
    resumable: true,
  },
];

/** Defaults when neither a preset, a config file nor a flag sets a field (PyTorch word_language_model's where it has one). */
export const TRAIN_DEFAULTS: TrainOptions = {
  task: 'copy',
  level: 'word',
  length: 10,
  trainSteps: 20_000,
  validSteps: 1_000,
  testSteps: 1_000,
  cell: 'lstm',
  layers: 2,
  hidden: 200,
  dropout: 0,
  tied: false,
  truncation: 'fixed:35',
  windowing: 'buffer',
  optimizer: 'sgd',
  clipOver: 'mean',
  scaleLr: 'none',
  lrPatience: 0,
  batch: 20,
  evalBatch: 10,
  logInterval: 200,
  metricsEvery: 1,
  seed: 1,
  backend: 'auto',
  threads: 'auto',
  monitorBias: false,
};

const FLAG_BY_KEY = new Map(TRAIN_FLAGS.map((flag) => [flag.key, flag]));

/** The `--flag` spelling of a config key (for messages). */
export function flagName(key: string): string {
  const flag = FLAG_BY_KEY.get(key as keyof TrainOptions);
  return flag ? flag.flags.split(' ')[0]! : key;
}

/**
 * Parses a partial configuration from a preset or `--config` file: every key must be a train option, every
 * value must parse; errors name the file and the key.
 */
export function parsePartialOptions(data: unknown, source: string): Partial<TrainOptions> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`${source} must hold a JSON object of train options, e.g. { "hidden": 64 }`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'description' || key === '$schema') continue;
    const flag = FLAG_BY_KEY.get(key as keyof TrainOptions);
    if (!flag) {
      throw new UsageError(
        `${source}: unknown key "${key}"; keys are the train flags in camelCase (e.g. "maxTime" for --max-time)`,
      );
    }
    out[key] = flag.parse(value, `${source}: ${key}`);
  }
  return out as Partial<TrainOptions>;
}

/**
 * Options of which a run takes one: a layer that sets one of them replaces the other from the layers below
 * (`--preset copy --eval-every-tokens 100000` drops the preset's evalEvery; so does a resume's flag over the
 * run's config.json); one layer setting both is an error ({@link checkTrainOptions}).
 */
const ALTERNATIVES: readonly (readonly [keyof TrainOptions, keyof TrainOptions])[] = [
  ['evalEvery', 'evalEveryTokens'],
];

/**
 * Merges defaults < preset < config file < flags and checks the combination (bounds that involve two
 * fields). Returns the resolved options.
 */
export function resolveTrainOptions(layers: readonly Partial<TrainOptions>[]): TrainOptions {
  const merged: Partial<TrainOptions> = { ...TRAIN_DEFAULTS };
  for (const layer of layers) {
    for (const [a, b] of ALTERNATIVES) {
      if (layer[a] !== undefined && layer[b] === undefined) delete merged[b];
      if (layer[b] !== undefined && layer[a] === undefined) delete merged[a];
    }
    Object.assign(merged, layer);
  }
  for (const key of Object.keys(merged) as (keyof TrainOptions)[]) {
    if (merged[key] === undefined) delete merged[key];
  }
  checkTrainOptions(merged as TrainOptions);
  return merged as TrainOptions;
}

/** Cross-field checks, each a one-line message naming the flags. */
export function checkTrainOptions(o: TrainOptions): void {
  if (o.evalEvery !== undefined && o.evalEveryTokens !== undefined) {
    throw new UsageError(
      `--eval-every (${o.evalEvery} updates) and --eval-every-tokens (${o.evalEveryTokens} tokens) exclude each other; give one of them`,
    );
  }
  if (o.kmin !== undefined && o.kmax !== undefined && o.kmin > o.kmax) {
    throw new UsageError(
      `--kmin (${o.kmin}) must not exceed --kmax (${o.kmax}); swap them or widen the range`,
    );
  }
  const spec = parseTruncation(o.truncation);
  if (spec.kind === 'adaptive' && o.initialK !== undefined) {
    if ((o.kmin !== undefined && o.initialK < o.kmin) || (o.kmax !== undefined && o.initialK > o.kmax)) {
      throw new UsageError(
        `--initial-k (${o.initialK}) must lie in [--kmin, --kmax] = [${o.kmin ?? 1}, ${o.kmax ?? '∞'}]`,
      );
    }
  }
  if (o.task === 'copy-variable' && o.minLength !== undefined && o.minLength > o.length) {
    throw new UsageError(`--min-length (${o.minLength}) must not exceed --length (${o.length})`);
  }
  if (o.tied && o.embedding !== undefined && o.embedding !== o.hidden) {
    throw new UsageError(
      `--tied needs --embedding equal to --hidden (${o.hidden}), got --embedding ${o.embedding}; drop --embedding`,
    );
  }
  if (
    o.window !== undefined &&
    o.burnIn !== undefined &&
    isSynthetic(o.task) &&
    o.window + o.burnIn > o.trainSteps
  ) {
    throw new UsageError(
      `--window + --burn-in (${o.window + o.burnIn}) must fit in --train-steps (${o.trainSteps})`,
    );
  }
}

/** The temporal point-process tasks (marks and gaps; scored by NLL, RMSE of the gap and 0-1 loss of the mark). */
export function isPointProcess(task: string): boolean {
  return task === 'book-order';
}

/** The paper's own copy data (`copy-reference/` of the data folder): read, not generated, and scored like copy. */
export function isCopyReference(task: string): boolean {
  return task === 'copy-reference' || task === 'copy-variable-reference';
}

/** The synthetic tasks, generated rather than read. */
export function isSynthetic(task: string): boolean {
  return task === 'copy' || task === 'copy-variable' || task === 'repeat';
}

/** The keys whose values differ between two configurations (for `--resume` checks). */
export function differingKeys(a: TrainOptions, b: TrainOptions): (keyof TrainOptions)[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof TrainOptions)[]);
  return [...keys].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

export function isResumable(key: keyof TrainOptions): boolean {
  return FLAG_BY_KEY.get(key)?.resumable === true;
}
