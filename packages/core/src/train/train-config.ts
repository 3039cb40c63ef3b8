import type { RecurrentModel } from '@tbptt/models';
import type { ControllerState, TruncationController } from '../controllers/truncation-controller';
import { type ClipOptions, checkClip } from '../optim/clip';
import { createOptimizer } from '../optim/create-optimizer';
import type { LearningRateScaling } from '../optim/learning-rate';
import type { Optimizer, OptimizerSpec } from '../optim/optimizer';
import type { Stream } from '../streams/stream';
import type { WindowStyle } from '../windows/window-plan';
import type { TrainEvent } from './events';

export interface TrainConfig {
  model: RecurrentModel;
  train: Stream;
  /** Scored with the state carried across the whole split; lay it out at the evaluation batch you want. */
  valid?: Stream;
  test?: Stream;
  truncation: TruncationController<ControllerState>;
  /** Default 'buffer': TBPTT(K, 2K−1), the paper's experiments (every loss sees ≥ K lags). */
  windowing?: WindowStyle;
  /** A spec ({ name: 'adam', learningRate: 0.001 }) or an optimiser (`adam({ … })`). Default { name: 'sgd' }. */
  optimizer?: OptimizerSpec | Optimizer;
  /** Learning rate × 1, √K or K. Default 'none'. */
  learningRateScaling?: LearningRateScaling;
  /** Global-norm clipping; `over: 'sum'` is the reference's convention. Default: no clipping. */
  clip?: ClipOptions;
  /**
   * Divide the base learning rate by `factor` when a validation loss is not better than the best for more than
   * `patience` evaluations in a row (word_language_model divides by 4 with patience 0). Default: off.
   */
  plateau?: { factor: number; patience?: number; minLearningRate?: number };
  /** Reset the carried state to zero at each epoch start. Default true (as AWD-LSTM's init_hidden per epoch). */
  resetStateEachEpoch?: boolean;
  /** Training stops at whichever budget is reached first. */
  stop: {
    epochs?: number;
    updates?: number;
    /**
     * Training tokens: stop after the first update at which `tokens` (loss positions × columns so far, the
     * step event's `tokens`) reaches this. Comparable across K, where an update budget is not: an update covers
     * K loss positions per column, so one at K = 200 is 20 updates at K = 10.
     */
    tokens?: number;
    /** Includes the final evaluation: training stops early enough for it to fit. */
    wallTimeSeconds?: number;
  };
  /**
   * When to validate: every `every` updates, or whenever the training tokens cross a multiple of `everyTokens`
   * (not both); with neither, at the end of every epoch. Always once more at the end of training.
   */
  evaluation?: {
    /** Updates between evaluations. Default: at the end of every epoch. */
    every?: number;
    /**
     * Training tokens between evaluations: validate after the update that takes `tokens` from t₀ to t₁ when
     * ⌊t₀ / everyTokens⌋ < ⌊t₁ / everyTokens⌋ (once per update, however many multiples it crosses). The same
     * evaluation points for every K, up to one update. Excludes `every`.
     */
    everyTokens?: number;
    /** Steps per evaluation chunk (state carried across chunks). Default 100. */
    chunk?: number;
  };
  checkpoint?: {
    /** Root directory of the run's checkpoints (created; must be writable: checked before the first update). */
    dir: string;
    /** Updates between checkpoints. Default: only at the end. */
    every?: number;
    /** Checkpoints kept. Default 2. */
    keep?: number;
  };
  /** Continue from this checkpoint (directory or root with `latest`). */
  resumeFrom?: string;
  /** Seeds the engine's sampling RNG (profile positions). Default 0. */
  seed?: number;
  /** Non-finite updates in a row before giving up. Default 5. */
  maxNonFinite?: number;
  /**
   * Bias monitoring for any controller: every `every` updates measure one profile and report κ̂ for each δ,
   * δ̂ at the K in use and β̂ (`bias` events). Off unless given.
   */
  monitorBias?: {
    /** Updates between measurements. Default 500. */
    every?: number;
    /** δ values to report κ̂ for. Default [1, 0.9, 0.5, 0.1], the reference's. */
    deltas?: number[];
    /** W, burn-in, S. Defaults 100, 20, 64 (the synthetic preset's). */
    window?: number;
    burnIn?: number;
    samples?: number;
    /** C(K): default 'exact'. */
    cumulative?: 'exact' | 'approximate';
  };
  /** Aborting stops training after the current update, writes a checkpoint and returns (stoppedBy 'aborted'). */
  signal?: AbortSignal;
  /** Called for every event; the engine never prints. */
  onEvent?: (event: TrainEvent) => void;
}

export interface ResolvedTrainConfig extends TrainConfig {
  windowing: WindowStyle;
  optimizer: Optimizer;
  learningRateScaling: LearningRateScaling;
  clip: Required<ClipOptions> | undefined;
  plateau: { factor: number; patience: number; minLearningRate: number } | undefined;
  resetStateEachEpoch: boolean;
  evalChunk: number;
  seed: number;
  maxNonFinite: number;
  keep: number;
  monitor:
    | {
        every: number;
        deltas: number[];
        window: number;
        burnIn: number;
        samples: number;
        cumulative: 'exact' | 'approximate';
      }
    | undefined;
}

/** Checks a training configuration and fills its defaults; errors name the field, the value and the fix. */
export function resolveTrainConfig(config: TrainConfig): ResolvedTrainConfig {
  const fn = 'train';
  const show = (value: unknown): string =>
    typeof value === 'number' || value === undefined
      ? String(value)
      : (JSON.stringify(value) ?? String(value));
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new Error(`${fn}: ${field} must be ${expected}, got ${show(value)}`);
  };
  if (typeof config !== 'object' || config === null) fail('config', 'an object', config);
  const isStream = (s: unknown): boolean =>
    typeof s === 'object' &&
    s !== null &&
    typeof (s as Stream).slice === 'function' &&
    Number.isInteger((s as Stream).steps);
  if (!isStream(config.train))
    fail('train', 'a Stream (tokenStream(batchify(ids, B)) or denseStream(…))', config.train);
  for (const split of ['valid', 'test'] as const) {
    if (config[split] !== undefined && !isStream(config[split]))
      fail(split, 'a Stream or undefined', config[split]);
  }
  if (typeof config.model?.forward !== 'function')
    fail('model', 'a RecurrentModel (createModel(…))', config.model);
  if (typeof config.truncation?.next !== 'function' || typeof config.truncation?.init !== 'function') {
    fail(
      'truncation',
      'a controller (fixedTruncation(35), adaptiveTruncation({ delta: 0.1 }), …)',
      config.truncation,
    );
  }
  const windowing = config.windowing ?? 'buffer';
  if (windowing !== 'tf' && windowing !== 'buffer') fail('windowing', "'tf' or 'buffer'", windowing);
  const learningRateScaling = config.learningRateScaling ?? 'none';
  if (!['none', 'sqrt', 'linear'].includes(learningRateScaling)) {
    fail('learningRateScaling', "'none', 'sqrt' or 'linear'", learningRateScaling);
  }
  const clip = config.clip === undefined ? undefined : checkClip(fn, config.clip);
  let plateau: ResolvedTrainConfig['plateau'];
  if (config.plateau !== undefined) {
    const { factor, patience = 0, minLearningRate = 0 } = config.plateau;
    if (typeof factor !== 'number' || !(factor > 1) || !Number.isFinite(factor))
      fail('plateau.factor', 'a finite number > 1', factor);
    if (!Number.isInteger(patience) || patience < 0) fail('plateau.patience', 'an integer ≥ 0', patience);
    if (typeof minLearningRate !== 'number' || !(minLearningRate >= 0))
      fail('plateau.minLearningRate', 'a number ≥ 0', minLearningRate);
    plateau = { factor, patience, minLearningRate };
  }
  const stop = config.stop ?? {};
  if (
    stop.epochs === undefined &&
    stop.updates === undefined &&
    stop.tokens === undefined &&
    stop.wallTimeSeconds === undefined
  ) {
    fail('stop', 'at least one of { epochs, updates, tokens, wallTimeSeconds }', stop);
  }
  for (const key of ['epochs', 'updates', 'wallTimeSeconds'] as const) {
    const v = stop[key];
    if (v !== undefined && (typeof v !== 'number' || !(v > 0) || Number.isNaN(v)))
      fail(`stop.${key}`, 'a number > 0', v);
  }
  if (stop.tokens !== undefined && (!Number.isSafeInteger(stop.tokens) || stop.tokens < 1))
    fail('stop.tokens', 'a positive integer (training tokens)', stop.tokens);
  const evalChunk = config.evaluation?.chunk ?? 100;
  if (!Number.isInteger(evalChunk) || evalChunk < 1)
    fail('evaluation.chunk', 'a positive integer', evalChunk);
  const every = config.evaluation?.every;
  if (every !== undefined && (!Number.isInteger(every) || every < 1))
    fail('evaluation.every', 'a positive integer', every);
  const everyTokens = config.evaluation?.everyTokens;
  if (everyTokens !== undefined && (!Number.isSafeInteger(everyTokens) || everyTokens < 1))
    fail('evaluation.everyTokens', 'a positive integer (training tokens)', everyTokens);
  if (every !== undefined && everyTokens !== undefined) {
    throw new Error(
      `${fn}: evaluation.every (${every} updates) and evaluation.everyTokens (${everyTokens} tokens) exclude each other; give one of them`,
    );
  }
  const ckEvery = config.checkpoint?.every;
  if (ckEvery !== undefined && (!Number.isInteger(ckEvery) || ckEvery < 1))
    fail('checkpoint.every', 'a positive integer', ckEvery);
  if (
    config.checkpoint !== undefined &&
    (typeof config.checkpoint.dir !== 'string' || config.checkpoint.dir.trim() === '')
  ) {
    fail('checkpoint.dir', 'a non-empty directory path', config.checkpoint.dir);
  }
  const keep = config.checkpoint?.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1)
    fail('checkpoint.keep', 'a positive integer (checkpoints kept)', keep);
  const maxNonFinite = config.maxNonFinite ?? 5;
  if (!Number.isInteger(maxNonFinite) || maxNonFinite < 1)
    fail('maxNonFinite', 'a positive integer', maxNonFinite);
  const seed = config.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail('seed', 'a safe integer', seed);
  let monitor: ResolvedTrainConfig['monitor'];
  if (config.monitorBias !== undefined) {
    const m = config.monitorBias;
    const mEvery = m.every ?? 500;
    if (!Number.isInteger(mEvery) || mEvery < 1) fail('monitorBias.every', 'a positive integer', mEvery);
    const deltas = m.deltas ?? [1, 0.9, 0.5, 0.1];
    if (
      !Array.isArray(deltas) ||
      deltas.length === 0 ||
      deltas.some((d) => typeof d !== 'number' || !(d > 0 && d <= 1))
    ) {
      fail('monitorBias.deltas', 'a non-empty list of δ in (0, 1]', deltas);
    }
    const window = m.window ?? 100;
    if (!Number.isInteger(window) || window < 2) fail('monitorBias.window', 'an integer ≥ 2', window);
    const burnIn = m.burnIn ?? 20;
    if (!Number.isInteger(burnIn) || burnIn < 0) fail('monitorBias.burnIn', 'an integer ≥ 0', burnIn);
    const samples = m.samples ?? 64;
    if (!Number.isInteger(samples) || samples < 1) fail('monitorBias.samples', 'a positive integer', samples);
    const cumulative = m.cumulative ?? 'exact';
    if (cumulative !== 'exact' && cumulative !== 'approximate')
      fail('monitorBias.cumulative', "'exact' or 'approximate'", cumulative);
    monitor = { every: mEvery, deltas, window, burnIn, samples, cumulative };
  }
  if (config.signal !== undefined && typeof config.signal?.aborted !== 'boolean')
    fail('signal', 'an AbortSignal', config.signal);
  return {
    ...config,
    windowing,
    optimizer: createOptimizer(config.optimizer ?? { name: 'sgd' }),
    learningRateScaling,
    clip,
    plateau,
    resetStateEachEpoch: config.resetStateEachEpoch ?? true,
    evalChunk,
    seed,
    maxNonFinite,
    keep,
    monitor,
  };
}
