/**
 * What the CLI observes of a training run. These mirror the engine v2 events; `engine/events.ts` is the
 * only place that maps the engine's own events onto them, so that progress, metrics files and reports never
 * depend on the engine's internals. Every event carries `wallTime` (ISO time it was seen).
 */
export interface StepRecord {
  type: 'step';
  update: number;
  epoch: number;
  /** Stream position after the update, and the stream length (steps per column). */
  position: number;
  steps: number;
  truncation: number;
  loss: number;
  gradNorm: number;
  learningRate: number;
  tokens: number;
  elapsedSeconds: number;
}

export interface EvaluateRecord {
  type: 'evaluate';
  update: number;
  epoch: number;
  split: 'valid' | 'test';
  loss: number;
  perplexity: number;
  /** Point-process tasks: RMSE of the predicted mean gap against the true gap. */
  rmse?: number;
  /** Point-process tasks: 0-1 loss of the most likely next mark (fraction mispredicted). */
  errorRate?: number;
  best: boolean;
  elapsedSeconds?: number;
}

/** A re-estimate of K: β̂ and δ̂ at the K before and at the K chosen. */
export interface EstimateRecord {
  type: 'estimate';
  update: number;
  /** K before the estimate. */
  truncation: number;
  /** κ̂ of each repeat. */
  estimates: number[];
  chosen: number;
  beta: number;
  deltaAtCurrent: number;
  deltaAtChosen: number;
  seconds: number;
}

/** K changed. */
export interface TruncationRecord {
  type: 'truncation';
  update: number;
  from: number;
  to: number;
  reason: string;
}

/** Bias monitoring (any method): δ̂ at the current K and κ̂ for several δ. */
export interface BiasRecord {
  type: 'bias';
  update: number;
  truncation: number;
  beta: number;
  deltaAtK: number;
  kappa: { delta: number; K: number }[];
  seconds: number;
}

export interface CheckpointRecord {
  type: 'checkpoint';
  update: number;
  path: string;
}

export interface CheckpointFailedRecord {
  type: 'checkpointFailed';
  update: number;
  path: string;
  message: string;
}

export interface NonFiniteRecord {
  type: 'nonFinite';
  update: number;
  loss: number;
  gradNorm: number;
  consecutive: number;
}

export interface LearningRateRecord {
  type: 'learningRate';
  update: number;
  from: number;
  to: number;
}

export type RunEvent =
  | StepRecord
  | EvaluateRecord
  | EstimateRecord
  | TruncationRecord
  | BiasRecord
  | CheckpointRecord
  | CheckpointFailedRecord
  | NonFiniteRecord
  | LearningRateRecord;

/** What the run is, said before training starts (the first lines of the output). */
export interface RunInfo {
  task: string;
  /** What the task is scored by: perplexity (tokens), or NLL / RMSE(Δt) / 0-1 loss (point processes). */
  metrics: 'perplexity' | 'point-process';
  description: string;
  /** Tokens (language and synthetic tasks) or marks (point processes). */
  vocabSize: number;
  /** Perplexity of the uniform guess over the vocabulary (chance level). */
  chancePerplexity: number;
  model: string;
  parameters: number;
  backend: string;
  threads: number;
  truncation: string;
  trainSteps: number;
  batch: number;
  resumedAt?: number;
}

/** The engine's result, in the CLI's terms (summary.json is built from it). */
export interface RunResult {
  updates: number;
  epochs: number;
  finalTruncation: number;
  truncationHistory: { update: number; K: number }[];
  /** Point processes: the loss is the NLL per event, perplexity is NaN, and rmse / errorRate are set. */
  bestValid?: { update: number; loss: number; perplexity: number; rmse?: number; errorRate?: number };
  testAtBest?: { loss: number; perplexity: number; rmse?: number; errorRate?: number };
  tokens: number;
  tokensPerSecond: number;
  wallSeconds: number;
  estimateSeconds: number;
  /** Bias monitoring (--monitor-bias): measuring δ̂ at the K in use. */
  monitorSeconds: number;
  /** Validation and test. */
  evaluateSeconds: number;
  /** CPU seconds of the training process (all threads), across resumes. */
  cpuSeconds: number;
  /** The budget that ended training (--epochs, --updates, --tokens, --max-time), or 'aborted' (SIGINT). */
  stoppedBy: 'epochs' | 'updates' | 'tokens' | 'wallTime' | 'aborted';
  checkpoint?: string;
  /** sha256 of the initial weights (same for every method of a seed: paired comparisons). */
  initialWeightsSha256: string;
}
