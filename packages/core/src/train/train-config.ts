import type { RecurrentModel } from '@tbptt/models';
import type { TruncationController } from '../controllers/truncation-controller';
import type { LrScaling } from '../optim/lr-scaling';
import type { OptimizerSpec } from '../optim/optimizer';
import type { Stream } from '../streams/stream';
import type { WindowStyle } from '../windows/window-plan';
import type { TrainEvent } from './events';

export interface TrainConfig {
  model: RecurrentModel;
  train: Stream;
  valid?: Stream;
  test?: Stream;
  truncation: TruncationController;
  /** Default 'buffer': TBPTT(K, 2K−1), the paper's experiments (every loss sees ≥ K lags). */
  windowing?: WindowStyle;
  /** Base learning rate. Default 1 (plain SGD on a loss averaged over the window, as the paper's LM runs). */
  learningRate?: number;
  /** Default { name: 'sgd' }. */
  optimizer?: OptimizerSpec;
  /** Learning rate × 1, √K or K. Default 'none'. */
  lrScaling?: LrScaling;
  /** Global-norm clipping threshold. Default undefined: no clipping. */
  clipNorm?: number;
  /** Reset the carried state to zero at each epoch start. Default true (as AWD-LSTM's init_hidden per epoch). */
  resetStateEachEpoch?: boolean;
  stop: {
    epochs?: number;
    updates?: number;
    wallTimeSeconds?: number;
  };
  evaluation?: {
    /** Updates between evaluations. Default: at the end of every epoch. */
    every?: number;
    /** Columns the valid / test streams are re-laid out into. Default 10 (the usual evaluation batch). */
    batch?: number;
    /** Steps per evaluation chunk (state carried across chunks). Default 100. */
    chunk?: number;
  };
  checkpoint?: {
    /** Root directory of the run's checkpoints. */
    dir: string;
    /** Updates between checkpoints. Default: only at the end. */
    every?: number;
    /** Checkpoints kept. Default 2. */
    keep?: number;
  };
  /** Continue from this checkpoint (directory or root with `latest`). */
  resumeFrom?: string;
  /** Seeds the engine's sampling RNG (adaptive profile positions). Default 0. */
  seed?: number;
  /** Non-finite updates in a row before giving up. Default 5. */
  maxNonFinite?: number;
  /** Called for every event; the engine never prints. */
  onEvent?: (event: TrainEvent) => void;
}

export interface ResolvedTrainConfig extends TrainConfig {
  windowing: WindowStyle;
  learningRate: number;
  optimizer: OptimizerSpec;
  lrScaling: LrScaling;
  resetStateEachEpoch: boolean;
  evalBatch: number;
  evalChunk: number;
  seed: number;
  maxNonFinite: number;
}

/** Checks a training configuration and fills its defaults; errors name the field. */
export function resolveTrainConfig(config: TrainConfig): ResolvedTrainConfig {
  const fn = 'train';
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new Error(`${fn}: ${field} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  };
  const windowing = config.windowing ?? 'buffer';
  if (windowing !== 'tf' && windowing !== 'buffer') fail('windowing', "'tf' or 'buffer'", windowing);
  const learningRate = config.learningRate ?? 1;
  if (!(learningRate > 0) || !Number.isFinite(learningRate))
    fail('learningRate', 'a finite number > 0', learningRate);
  const lrScaling = config.lrScaling ?? 'none';
  if (lrScaling !== 'none' && lrScaling !== 'sqrt' && lrScaling !== 'K')
    fail('lrScaling', "'none', 'sqrt' or 'K'", lrScaling);
  if (config.clipNorm !== undefined && !(config.clipNorm > 0))
    fail('clipNorm', 'a number > 0', config.clipNorm);
  const stop = config.stop ?? {};
  if (stop.epochs === undefined && stop.updates === undefined && stop.wallTimeSeconds === undefined) {
    fail('stop', 'at least one of { epochs, updates, wallTimeSeconds }', stop);
  }
  for (const key of ['epochs', 'updates', 'wallTimeSeconds'] as const) {
    const v = stop[key];
    if (v !== undefined && !(v > 0)) fail(`stop.${key}`, 'a number > 0', v);
  }
  const evalBatch = config.evaluation?.batch ?? 10;
  if (!Number.isInteger(evalBatch) || evalBatch < 1)
    fail('evaluation.batch', 'a positive integer', evalBatch);
  const evalChunk = config.evaluation?.chunk ?? 100;
  if (!Number.isInteger(evalChunk) || evalChunk < 1)
    fail('evaluation.chunk', 'a positive integer', evalChunk);
  const every = config.evaluation?.every;
  if (every !== undefined && (!Number.isInteger(every) || every < 1))
    fail('evaluation.every', 'a positive integer', every);
  const ckEvery = config.checkpoint?.every;
  if (ckEvery !== undefined && (!Number.isInteger(ckEvery) || ckEvery < 1)) {
    fail('checkpoint.every', 'a positive integer', ckEvery);
  }
  const maxNonFinite = config.maxNonFinite ?? 5;
  if (!Number.isInteger(maxNonFinite) || maxNonFinite < 1)
    fail('maxNonFinite', 'a positive integer', maxNonFinite);
  if (config.train.targetKind !== 'classes' && config.train.targetKind !== 'real') {
    fail('train', 'a Stream (tokenStream or denseStream)', config.train);
  }
  return {
    ...config,
    windowing,
    learningRate,
    optimizer: config.optimizer ?? { name: 'sgd' },
    lrScaling,
    resetStateEachEpoch: config.resetStateEachEpoch ?? true,
    evalBatch,
    evalChunk,
    seed: config.seed ?? 0,
    maxNonFinite,
  };
}
