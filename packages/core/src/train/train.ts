import type { Evaluation } from './evaluate';
import type { TrainEvent } from './events';
import type { TrainConfig } from './train-config';
import type { TrainState } from './train-state';
import { createTrainer, type StopReason } from './trainer';

export interface TrainResult {
  updates: number;
  /** Completed epochs. */
  epochs: number;
  /** K the controller holds at the end (the mean for variable truncation). */
  truncation: number;
  /** K before the first update and at every change. */
  truncationHistory: { update: number; K: number }[];
  /** Base learning rate at the end (after plateau decay). */
  learningRate: number;
  /** Best validation score and the update it was reached at. */
  bestValid?: Evaluation & { update: number };
  /** Test score with the weights of the best validation score (the final weights when there is no valid split). */
  testAtBest?: Evaluation;
  /** Training positions × columns consumed (loss positions): what `stop.tokens` and `evaluation.everyTokens` count. */
  tokens: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  /** Seconds spent measuring profiles and choosing K, monitoring bias, and evaluating. */
  estimateSeconds: number;
  monitorSeconds: number;
  evaluateSeconds: number;
  /** CPU seconds of the process over the run (Node; 0 where the runtime does not tell). */
  cpuSeconds: number;
  /** The budget that ended training (the first one reached), or 'aborted'. */
  stoppedBy: StopReason;
  /** Every non-step event (evaluations, estimates, K changes, bias, checkpoints, non-finite updates). */
  metrics: TrainEvent[];
  /** Where the last checkpoint was written. */
  checkpoint?: string;
}

/** Lets timers, signal handlers and a browser's UI run between updates. */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

/**
 * Trains a recurrent model with truncated BPTT (ARCHITECTURE §4): before each update the truncation controller
 * picks K (the adaptive one re-estimating it from gradient-norm profiles on its schedule); the window of K
 * (`tf`) or 2K − 1 (`buffer`) steps runs from the carried, detached state; the loss averaged over the K loss
 * positions and the batch is differentiated; the chain clip → optimiser → learning rate(K) turns the gradient
 * into the update. A non-finite loss or gradient skips the update. Everything the run needs is checked before
 * the first update; the loop yields to the event loop between updates. Observers get events through `onEvent`.
 */
export async function train(config: TrainConfig): Promise<TrainResult> {
  const trainer = createTrainer(config);
  const { controller } = { controller: trainer.config.truncation };
  trainer.open();
  let state: TrainState | undefined;
  try {
    state =
      trainer.config.resumeFrom !== undefined ? trainer.restore(trainer.config.resumeFrom) : trainer.init();
    let stoppedBy: StopReason | undefined;
    for (;;) {
      stoppedBy = trainer.stopReason(state);
      if (stoppedBy) break;
      state = trainer.step(state);
      await yieldToEventLoop();
    }
    const { state: final, test } = trainer.finish(state, stoppedBy);
    state = final;
    const seconds = final.elapsedSeconds;
    return {
      updates: final.update,
      epochs: final.epoch,
      truncation: controller.truncation(final.controller),
      truncationHistory: final.truncationHistory,
      learningRate: final.learningRate,
      ...(final.best ? { bestValid: final.best.valid } : {}),
      ...(test ? { testAtBest: test } : {}),
      tokens: final.tokens,
      tokensPerSecond: final.tokens / Math.max(seconds, 1e-9),
      elapsedSeconds: seconds,
      estimateSeconds: final.estimateSeconds,
      monitorSeconds: final.monitorSeconds,
      evaluateSeconds: final.evaluateSeconds,
      cpuSeconds: final.cpuSeconds,
      stoppedBy,
      metrics: final.metrics,
      ...(final.checkpoint ? { checkpoint: final.checkpoint } : {}),
    };
  } finally {
    trainer.close(state);
  }
}
