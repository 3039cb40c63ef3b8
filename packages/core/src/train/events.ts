import type { TruncationEstimate } from '../controllers/truncation-controller';

/** After every applied update. */
export interface StepEvent {
  type: 'step';
  update: number;
  epoch: number;
  /** Stream position after the update, and the stream's length: the position within the epoch. */
  position: number;
  steps: number;
  truncation: number;
  /** Mean loss over the window's loss positions and batch. */
  loss: number;
  /** Global gradient norm of the mean loss, before clipping. */
  gradNorm: number;
  learningRate: number;
  /** Training positions × columns consumed so far (loss positions only). */
  tokens: number;
  elapsedSeconds: number;
}

/** After scoring a validation or test split. */
export interface EvaluateEvent {
  type: 'evaluate';
  update: number;
  epoch: number;
  split: 'valid' | 'test';
  loss: number;
  perplexity: number;
  /** Point-process streams: RMSE of the predicted mean gap, and the 0-1 loss of the most likely next mark. */
  rmse?: number;
  errorRate?: number;
  /** A new best validation loss (always false for 'test'). */
  best: boolean;
  /** Seconds the evaluation took. */
  seconds: number;
}

/** The adaptive controller re-estimated K (whether or not K changed). */
export interface EstimateEvent extends TruncationEstimate {
  type: 'estimate';
  /** Seconds the estimate took (probe and analysis). */
  seconds: number;
}

/** K changed. */
export interface TruncationEvent {
  type: 'truncation';
  update: number;
  from: number;
  to: number;
}

/**
 * Bias monitoring (any controller): at the current weights, κ̂ for each δ asked for, δ̂ at the K in use and β̂ —
 * the reference's per-epoch `K_δ` and `cur_logdelta` measurements.
 */
export interface BiasEvent {
  type: 'bias';
  update: number;
  /** K in use. */
  truncation: number;
  beta: number;
  /** δ̂ at the K in use (Infinity when unbounded). */
  deltaAtTruncation: number;
  /** κ̂(δ), clamped to [1, W], for each monitored δ. */
  kappa: { delta: number; K: number }[];
  seconds: number;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  update: number;
  path: string;
}

/** Writing a checkpoint failed; training went on with the state in memory intact. */
export interface CheckpointFailedEvent {
  type: 'checkpointFailed';
  update: number;
  path: string;
  message: string;
}

/** A non-finite loss or gradient: the update was skipped and the carried state reset. */
export interface NonFiniteEvent {
  type: 'nonFinite';
  update: number;
  loss: number;
  gradNorm: number;
  /** Non-finite updates in a row, this one included. */
  consecutive: number;
}

/** The base learning rate was divided on a validation plateau. */
export interface LearningRateEvent {
  type: 'learningRate';
  update: number;
  from: number;
  to: number;
}

export type TrainEvent =
  | StepEvent
  | EvaluateEvent
  | EstimateEvent
  | TruncationEvent
  | BiasEvent
  | CheckpointEvent
  | CheckpointFailedEvent
  | NonFiniteEvent
  | LearningRateEvent;
