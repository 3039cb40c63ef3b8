import { createPrng, type RecurrentModel, type RecurrentState } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { clipByGlobalNorm } from '../optim/clip';
import { createOptimizer } from '../optim/create-optimizer';
import { scaledLearningRate } from '../optim/lr-scaling';
import { planWindow } from '../windows/window-plan';
import { type Evaluation, evaluate } from './evaluate';
import type { TrainEvent } from './events';
import { sampleProfiles } from './profile-sampler';
import { restoreRun, saveRun } from './run-checkpoint';
import { resolveTrainConfig, type TrainConfig } from './train-config';
import { windowGradients } from './window-gradients';

/** PRNG stream of the profile sampler's positions (the models' initialiser and dropout use streams 1 and 2). */
const PROFILE_SAMPLER_STREAM = 11;

export interface TrainResult {
  updates: number;
  /** Completed epochs. */
  epochs: number;
  /** K the controller holds at the end. */
  truncation: number;
  /** Best validation score and the update it was reached at. */
  bestValid?: Evaluation & { update: number };
  /** Test score with the weights of the best validation score (the final weights when there is no valid split). */
  testAtBest?: Evaluation;
  /** Training positions × columns consumed (loss positions). */
  tokens: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  /** Seconds spent measuring profiles and choosing K. */
  estimateSeconds: number;
  /** Why training stopped. */
  stoppedBy: 'epochs' | 'updates' | 'wallTime';
  /** Every non-step event so far (evaluations, truncation changes, checkpoints, non-finite updates). */
  metrics: TrainEvent[];
  /** Where the last checkpoint was written. */
  checkpoint?: string;
}

/**
 * Trains a recurrent model with truncated BPTT (ARCHITECTURE §4): before each update the truncation controller
 * picks K (the adaptive one re-estimating it from gradient-norm profiles every so often); the window of K
 * (`tf`) or 2K − 1 (`buffer`) steps runs from the carried, detached state; the loss averaged over the K loss
 * positions and the batch is differentiated; the gradient is clipped by global norm and the optimiser applies
 * it with the learning rate scaled by 1, √K or K. A non-finite loss or gradient skips the update.
 * Observers get `step`, `evaluate`, `truncation`, `checkpoint` and `nonFinite` events through `onEvent`.
 */
export async function train(config: TrainConfig): Promise<TrainResult> {
  const c = resolveTrainConfig(config);
  const { model } = c;
  const stream = c.train;
  const valid = c.valid?.rebatch(c.evalBatch);
  const test = c.test?.rebatch(c.evalBatch);
  const parameters = [...model.namedVariables].map(([name, variable]) => ({ name, variable }));
  const optimizer = createOptimizer(c.optimizer, parameters);
  const rng = createPrng(c.seed, PROFILE_SAMPLER_STREAM);

  let update = 0;
  let epoch = 0;
  let position = 0;
  let carriedAt = 0;
  let tokens = 0;
  let elapsedBefore = 0;
  let estimateSeconds = 0;
  let carried: RecurrentState = model.initialState(stream.batch);
  let bestValid: (Evaluation & { update: number }) | undefined;
  let best: tf.Tensor[] | undefined;
  let metrics: TrainEvent[] = [];
  let lastCheckpoint: string | undefined;
  let nonFiniteRun = 0;

  if (c.resumeFrom !== undefined) {
    tf.dispose(carried);
    const run = restoreRun(c.resumeFrom, { model, optimizer, controller: c.truncation, rng });
    ({ update, epoch, position, carriedAt, tokens, estimateSeconds, metrics, carried, best } = run);
    elapsedBefore = run.elapsedSeconds;
    bestValid = run.bestValid;
    lastCheckpoint = run.path;
  }

  const started = performance.now();
  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;
  const emit = (event: TrainEvent) => {
    if (event.type !== 'step') metrics.push(event);
    c.onEvent?.(event);
  };

  // The update of the last validation, so that training always ends with one (from the metrics on resume).
  let lastValidUpdate = -1;
  for (const event of metrics)
    if (event.type === 'evaluate' && event.split === 'valid') lastValidUpdate = event.update;
  const runValidation = () => {
    if (!valid) return;
    lastValidUpdate = update;
    const result = evaluate(model, valid, { chunk: c.evalChunk });
    const isBest = bestValid === undefined || result.loss < bestValid.loss;
    if (isBest) {
      bestValid = { ...result, update };
      tf.dispose(best ?? []);
      best = model.variables.map((v) => tf.keep(tf.clone(v)));
    }
    emit({
      type: 'evaluate',
      update,
      epoch,
      split: 'valid',
      loss: result.loss,
      perplexity: result.perplexity,
      best: isBest,
    });
  };

  const saveCheckpoint = () => {
    if (!c.checkpoint) return;
    const path = saveRun(
      c.checkpoint.dir,
      c.checkpoint.keep ?? 2,
      { model, optimizer, controller: c.truncation, rng },
      {
        update,
        epoch,
        position,
        carriedAt,
        tokens,
        elapsedSeconds: elapsed(),
        estimateSeconds,
        carried,
        bestValid,
        best,
        metrics,
      },
    );
    lastCheckpoint = path;
    emit({ type: 'checkpoint', update, path });
  };

  let stoppedBy: TrainResult['stoppedBy'] | undefined;
  let lastCheckpointUpdate = c.resumeFrom !== undefined ? update : -1;
  try {
    for (;;) {
      if (position >= stream.steps) {
        epoch++;
        position = 0;
        carriedAt = 0;
        if (c.evaluation?.every === undefined) runValidation();
        if (c.resetStateEachEpoch) {
          tf.dispose(carried);
          carried = model.initialState(stream.batch);
        }
      }
      if (c.stop.epochs !== undefined && epoch >= c.stop.epochs) stoppedBy = 'epochs';
      else if (c.stop.updates !== undefined && update >= c.stop.updates) stoppedBy = 'updates';
      else if (c.stop.wallTimeSeconds !== undefined && elapsed() >= c.stop.wallTimeSeconds)
        stoppedBy = 'wallTime';
      if (stoppedBy) break;

      const before = performance.now();
      const decision = c.truncation.next({
        update,
        profiles: (request) => sampleProfiles(model, stream, rng, request),
      });
      if (decision.refresh) {
        const seconds = (performance.now() - before) / 1000;
        estimateSeconds += seconds;
        emit({ type: 'truncation', ...decision.refresh, seconds });
      }
      const k = decision.truncation;
      const plan = planWindow({
        style: c.windowing,
        truncation: k,
        position,
        carriedAt,
        steps: stream.steps,
      });
      const { loss, grads, carried: next } = windowGradients(model, stream, plan, carried);
      const lossValue = loss.dataSync()[0]!;
      const clipped = clipByGlobalNorm(grads, c.clipNorm);
      tf.dispose([loss, ...grads]);
      tf.dispose(carried);
      position = plan.end;
      carriedAt = plan.carryAt;

      if (!Number.isFinite(lossValue) || !Number.isFinite(clipped.norm)) {
        tf.dispose([...clipped.grads, ...next]);
        carried = model.initialState(stream.batch);
        // The next window starts from a zero state at the window end.
        carriedAt = position;
        nonFiniteRun++;
        emit({
          type: 'nonFinite',
          update,
          loss: lossValue,
          gradNorm: clipped.norm,
          consecutive: nonFiniteRun,
        });
        if (nonFiniteRun >= c.maxNonFinite) {
          throw new Error(
            `train: ${nonFiniteRun} non-finite updates in a row (loss ${lossValue}, gradient norm ${clipped.norm}) at update ${update}; ` +
              `stopping. The last good checkpoint is ${lastCheckpoint ?? '(none written)'}; lower the learning rate or set clipNorm`,
          );
        }
        continue;
      }
      nonFiniteRun = 0;
      carried = next;
      const learningRate = scaledLearningRate(c.learningRate * decision.learningRateScale, k, c.lrScaling);
      optimizer.apply(clipped.grads, learningRate);
      tf.dispose(clipped.grads);
      update++;
      tokens += (plan.end - plan.position) * stream.batch;
      emit({
        type: 'step',
        update,
        epoch,
        position,
        truncation: k,
        loss: lossValue,
        gradNorm: clipped.norm,
        learningRate,
        tokens,
        elapsedSeconds: elapsed(),
      });
      if (c.evaluation?.every !== undefined && update % c.evaluation.every === 0) runValidation();
      if (c.checkpoint?.every !== undefined && update % c.checkpoint.every === 0) {
        saveCheckpoint();
        lastCheckpointUpdate = update;
      }
    }
    if (lastValidUpdate !== update) runValidation();
    if (c.checkpoint && lastCheckpointUpdate !== update) saveCheckpoint();

    let testAtBest: Evaluation | undefined;
    if (test) {
      testAtBest = withWeights(model, best, () => evaluate(model, test, { chunk: c.evalChunk }));
      emit({
        type: 'evaluate',
        update,
        epoch,
        split: 'test',
        loss: testAtBest.loss,
        perplexity: testAtBest.perplexity,
        best: false,
      });
    }
    const seconds = elapsed();
    return {
      updates: update,
      epochs: epoch,
      truncation: c.truncation.current(),
      ...(bestValid ? { bestValid } : {}),
      ...(testAtBest ? { testAtBest } : {}),
      tokens,
      tokensPerSecond: tokens / Math.max(seconds, 1e-9),
      elapsedSeconds: seconds,
      estimateSeconds,
      stoppedBy: stoppedBy!,
      metrics,
      ...(lastCheckpoint ? { checkpoint: lastCheckpoint } : {}),
    };
  } finally {
    tf.dispose(carried);
    tf.dispose(best ?? []);
    optimizer.dispose();
  }
}

/** Runs `fn` with `weights` swapped into the model, then puts the current weights back. */
function withWeights<T>(model: RecurrentModel, weights: tf.Tensor[] | undefined, fn: () => T): T {
  if (!weights) return fn();
  const saved = model.variables.map((v) => tf.clone(v));
  model.variables.forEach((v, i) => {
    v.assign(weights[i]!);
  });
  try {
    return fn();
  } finally {
    model.variables.forEach((v, i) => {
      v.assign(saved[i]!);
    });
    tf.dispose(saved);
  }
}
