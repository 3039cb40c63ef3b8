import type { TruncationChange } from '../controllers/truncation-controller';

/** After every applied update. */
export interface StepEvent {
  type: 'step';
  update: number;
  epoch: number;
  /** Stream position after the update. */
  position: number;
  truncation: number;
  loss: number;
  /** Global gradient norm before clipping. */
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
  /** A new best validation loss (always false for 'test'). */
  best: boolean;
}

/** The adaptive controller re-estimated K (old K, new K, β̂, δ̂ at both). */
export interface TruncationEvent extends TruncationChange {
  type: 'truncation';
  /** Seconds the estimate took. */
  seconds: number;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  update: number;
  path: string;
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

export type TrainEvent = StepEvent | EvaluateEvent | TruncationEvent | CheckpointEvent | NonFiniteEvent;
