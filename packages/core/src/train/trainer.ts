import { analyzeProfile, ZeroProfileError } from '@tbptt/estimators';
import type { RecurrentModel } from '@tbptt/models';
import { createPrng } from '@tbptt/random';
import * as tf from '@tensorflow/tfjs-core';
// `-node` resolves to the in-memory store in the browser build (scripts/browser-build.ts).
import { defaultCheckpointStore as checkpoints } from '../checkpoint/checkpoint-store-node';
import { biasAt } from '../controllers/adaptive-truncation';
import { clipByGlobalNorm, globalNorm } from '../optim/clip';
import { fusedChainUpdate } from '../optim/fused-update';
import {
  applyUpdates,
  type Chain,
  type ChainState,
  chain,
  cloneChainState,
  disposeChainState,
  type NamedParameter,
} from '../optim/gradient-transformation';
import { scaleByLearningRate, scaledLearningRate } from '../optim/learning-rate';
import { planWindow } from '../windows/window-plan';
import { evaluate } from './evaluate';
import type { TrainEvent } from './events';
import { sampleProfiles } from './profile-sampler';
import { loadTrainState, type RunParts, saveTrainState } from './run-checkpoint';
import { checkRunFits } from './run-preflight';
import { type ResolvedTrainConfig, resolveTrainConfig, type TrainConfig } from './train-config';
import type { TrainState } from './train-state';
import { windowGradients } from './window-gradients';

/** Which budget ended training: `stop.epochs`, `stop.updates`, `stop.tokens`, `stop.wallTimeSeconds`, or the abort signal. */
export type StopReason = 'epochs' | 'updates' | 'tokens' | 'wallTime' | 'aborted';

/**
 * The training loop's pieces over one validated configuration: `init` / `restore` give a {@link TrainState},
 * `step` applies one update (with whatever the schedule puts after it: epoch roll-over, evaluation, bias
 * monitoring, checkpoint) and returns the next state, `stopReason` says when to stop, `finish` runs the final
 * evaluation and checkpoint. `train()` is a loop over these; a UI can drive them itself.
 */
export interface Trainer {
  readonly config: ResolvedTrainConfig;
  readonly parameters: readonly NamedParameter[];
  /** clip → optimiser → learning rate(K). */
  readonly chain: Chain;
  /** Checks everything the run will need (data against the model, checkpoint directory, lock) before any update. */
  open(): void;
  init(): TrainState;
  restore(path: string): TrainState;
  stopReason(state: TrainState): StopReason | undefined;
  /** One update. Consumes `state`. */
  step(state: TrainState): TrainState;
  /** Final validation, checkpoint and test at the best weights. Consumes `state`. */
  finish(state: TrainState, stoppedBy: StopReason): { state: TrainState; test?: ReturnType<typeof evaluate> };
  /** Disposes the state's tensors and releases the checkpoint lock. */
  close(state: TrainState | undefined): void;
}

export function createTrainer(config: TrainConfig): Trainer {
  const c = resolveTrainConfig(config);
  const { model, truncation: controller } = c;
  const stream = c.train;
  const parameters = [...model.namedVariables].map(([name, variable]) => ({ name, variable }));
  const optimization = chain(
    ...(c.clip ? [clipByGlobalNorm(c.clip)] : []),
    c.optimizer,
    scaleByLearningRate(),
  );
  const parts: RunParts = {
    model,
    parameters,
    chain: optimization,
    controller,
    stream,
    learningRate: c.optimizer.learningRate,
  };
  let release: (() => void) | undefined;
  let started = performance.now();
  let elapsedBefore = 0;
  /** Weights and optimiser state at the last good checkpoint (restored when training diverges). */
  let good: { weights: tf.Tensor[]; optimizer: ChainState; path: string } | undefined;
  /** The state a step is working on, so that `close` frees it even when the step threw. */
  let latest: TrainState | undefined;

  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;
  let cpuStarted = cpuNow();
  let cpuBefore = 0;
  const cpu = () => cpuBefore + cpuNow() - cpuStarted;
  const emit = (s: TrainState, event: TrainEvent) => {
    if (event.type !== 'step') s.metrics.push(event);
    c.onEvent?.(event);
  };
  const startClock = (s: TrainState) => {
    elapsedBefore = s.elapsedSeconds;
    started = performance.now();
    cpuBefore = s.cpuSeconds;
    cpuStarted = cpuNow();
  };

  const runValidation = (s: TrainState) => {
    if (!c.valid) return;
    const t0 = performance.now();
    const result = evaluate(model, c.valid, { chunk: c.evalChunk });
    const seconds = (performance.now() - t0) / 1000;
    s.evaluateSeconds += seconds;
    s.lastEvaluationSeconds =
      seconds * (1 + (c.test ? c.test.steps * c.test.batch : 0) / (c.valid.steps * c.valid.batch));
    s.lastValidUpdate = s.update;
    const isBest = s.best === undefined || result.loss < s.best.valid.loss;
    if (isBest) {
      tf.dispose(s.best?.weights ?? []);
      s.best = {
        valid: { ...result, update: s.update },
        weights: model.variables.map((v) => tf.keep(tf.clone(v))),
      };
      s.plateauCount = 0;
    } else if (c.plateau) {
      s.plateauCount++;
      if (s.plateauCount > c.plateau.patience) {
        const from = s.learningRate;
        s.learningRate = Math.max(c.plateau.minLearningRate, from / c.plateau.factor);
        s.plateauCount = 0;
        if (s.learningRate !== from)
          emit(s, { type: 'learningRate', update: s.update, from, to: s.learningRate });
      }
    }
    emit(s, {
      type: 'evaluate',
      update: s.update,
      epoch: s.epoch,
      split: 'valid',
      loss: result.loss,
      perplexity: result.perplexity,
      ...(result.rmse === undefined ? {} : { rmse: result.rmse }),
      ...(result.errorRate === undefined ? {} : { errorRate: result.errorRate }),
      best: isBest,
      seconds,
    });
  };

  /** Good means good: finite weights, and a recent loss level not far above the lowest level seen. */
  const healthy = (s: TrainState): string | undefined => {
    if (!Number.isFinite(globalNorm(model.variables))) return 'the weights are not finite';
    if (s.lossAverage !== undefined && s.lossFloor !== undefined) {
      if (s.lossAverage - s.lossFloor > Math.max(1, Math.abs(s.lossFloor))) {
        return `the loss has exploded (recent level ${s.lossAverage.toPrecision(4)}, lowest ${s.lossFloor.toPrecision(4)})`;
      }
    }
    return undefined;
  };

  const saveCheckpoint = (s: TrainState) => {
    if (!c.checkpoint) return;
    s.lastCheckpointUpdate = s.update;
    const target = `${c.checkpoint.dir}/update-${String(s.update).padStart(9, '0')}`;
    const problem = healthy(s);
    if (problem !== undefined) {
      emit(s, {
        type: 'checkpointFailed',
        update: s.update,
        path: target,
        message: `not written: ${problem}; the last good checkpoint stays ${s.checkpoint ?? '(none)'}`,
      });
      return;
    }
    s.elapsedSeconds = elapsed();
    s.cpuSeconds = cpu();
    try {
      const path = saveTrainState(c.checkpoint.dir, c.keep, parts, s);
      s.checkpoint = path;
      if (good) {
        tf.dispose(good.weights);
        disposeChainState(good.optimizer);
      }
      good = {
        weights: model.variables.map((v) => tf.keep(tf.clone(v))),
        optimizer: cloneChainState(s.optimizer),
        path,
      };
      emit(s, { type: 'checkpoint', update: s.update, path });
    } catch (error) {
      emit(s, {
        type: 'checkpointFailed',
        update: s.update,
        path: target,
        message: (error as Error).message,
      });
    }
  };

  const monitorBias = (s: TrainState) => {
    const m = c.monitor!;
    s.lastBiasUpdate = s.update;
    const t0 = performance.now();
    const rng = createPrng(c.seed, 'profileSampler');
    rng.setState(s.rng.sampler);
    const [profile] = sampleProfiles(model, stream, rng, {
      window: m.window,
      burnIn: m.burnIn,
      samples: m.samples,
      repeats: 1,
      averaging: 'norm',
    });
    s.rng.sampler = rng.getState();
    const k = controller.truncation(s.controller);
    try {
      const analysis = analyzeProfile(profile!, { cumulative: m.cumulative });
      const seconds = (performance.now() - t0) / 1000;
      s.monitorSeconds += seconds;
      emit(s, {
        type: 'bias',
        update: s.update,
        truncation: k,
        beta: analysis.beta,
        deltaAtTruncation: biasAt(analysis.relativeBias, k),
        kappa: m.deltas.map((delta) => ({ delta, K: smallestTruncation(analysis.relativeBias, delta) })),
        seconds,
      });
    } catch (error) {
      if (!(error instanceof ZeroProfileError)) throw error;
      s.monitorSeconds += (performance.now() - t0) / 1000;
    }
  };

  const trainer: Trainer = {
    config: c,
    parameters,
    chain: optimization,
    open() {
      checkRunFits(c);
      if (c.checkpoint) {
        const weights = model.variables.reduce((n, v) => n + v.size, 0) * 4;
        const slotCount = { sgd: 0, momentum: 1, adam: 2, adadelta: 2 }[c.optimizer.name] ?? 2;
        release = checkpoints.prepare(c.checkpoint.dir, weights * (2 + slotCount) + 2 ** 20);
      }
    },
    init() {
      const controllerState = controller.init();
      const k = controller.truncation(controllerState);
      const s: TrainState = {
        update: 0,
        epoch: 0,
        position: 0,
        carriedAt: 0,
        carried: model.initialState(stream.batch),
        tokens: 0,
        optimizer: optimization.init(parameters),
        controller: controllerState,
        learningRate: c.optimizer.learningRate,
        plateauCount: 0,
        rng: { sampler: createPrng(c.seed, 'profileSampler').getState(), model: model.getRngState() },
        lastValidUpdate: -1,
        lastCheckpointUpdate: -1,
        lastBiasUpdate: -1,
        nonFiniteRun: 0,
        lossAverage: undefined,
        lossFloor: undefined,
        elapsedSeconds: 0,
        estimateSeconds: 0,
        monitorSeconds: 0,
        evaluateSeconds: 0,
        cpuSeconds: 0,
        lastEvaluationSeconds: 0,
        truncationHistory: [{ update: 0, K: k }],
        metrics: [],
      };
      startClock(s);
      return s;
    },
    restore(path) {
      const s = loadTrainState(path, parts);
      startClock(s);
      return s;
    },
    stopReason(s) {
      if (c.signal?.aborted) return 'aborted';
      if (c.stop.epochs !== undefined && s.epoch >= c.stop.epochs) return 'epochs';
      if (c.stop.updates !== undefined && s.update >= c.stop.updates) return 'updates';
      if (c.stop.tokens !== undefined && s.tokens >= c.stop.tokens) return 'tokens';
      // The next update and the final evaluation must fit in the budget too.
      // Remaining first: measuring it may take time that elapsed() must then include.
      if (c.stop.wallTimeSeconds !== undefined && remainingSeconds(s) + elapsed() >= c.stop.wallTimeSeconds) {
        return 'wallTime';
      }
      return undefined;
    },
    step(state) {
      const s: TrainState = { ...state, rng: { ...state.rng } };
      latest = s;
      const before = performance.now();
      const rng = createPrng(c.seed, 'profileSampler');
      rng.setState(s.rng.sampler);
      const [decision, controllerState] = controller.next(s.controller, {
        update: s.update,
        steps: s.tokens / stream.batch,
        profiles: (request) => sampleProfiles(model, stream, rng, request),
      });
      s.rng.sampler = rng.getState();
      s.controller = controllerState;
      const k = decision.truncation;
      if (decision.estimate) {
        const seconds = (performance.now() - before) / 1000;
        s.estimateSeconds += seconds;
        emit(s, { type: 'estimate', ...decision.estimate, seconds });
      }
      const held = controller.truncation(controllerState);
      const last = s.truncationHistory[s.truncationHistory.length - 1]!;
      if (controller.kind !== 'variable' && held !== last.K) {
        emit(s, { type: 'truncation', update: s.update, from: last.K, to: held });
        s.truncationHistory = [...s.truncationHistory, { update: s.update, K: held }];
      }

      const plan = planWindow({
        style: c.windowing,
        truncation: k,
        position: s.position,
        carriedAt: s.carriedAt,
        steps: stream.steps,
      });
      const { loss, grads, carried: next } = windowGradients(model, stream, plan, s.carried);
      const lossValue = loss.dataSync()[0]!;
      loss.dispose();
      const gradNorm = globalNorm(grads);
      tf.dispose(s.carried);
      s.position = plan.end;
      s.carriedAt = plan.carryAt;

      if (!Number.isFinite(lossValue) || !Number.isFinite(gradNorm)) {
        tf.dispose([...grads, ...next]);
        s.carried = model.initialState(stream.batch);
        s.carriedAt = s.position; // the next window starts from a zero state at the window end
        s.nonFiniteRun++;
        emit(s, {
          type: 'nonFinite',
          update: s.update,
          loss: lossValue,
          gradNorm,
          consecutive: s.nonFiniteRun,
        });
        if (s.nonFiniteRun >= c.maxNonFinite) {
          const restored = good
            ? (() => {
                model.variables.forEach((v, i) => {
                  v.assign(good!.weights[i]!);
                });
                disposeChainState(s.optimizer);
                s.optimizer = cloneChainState(good!.optimizer);
                return `the weights and optimiser state of the last good checkpoint ${good!.path} were restored in memory`;
              })()
            : undefined;
          throw new Error(
            `train: ${s.nonFiniteRun} non-finite updates in a row (loss ${lossValue}, gradient norm ${gradNorm}) at update ${s.update}; ` +
              (restored
                ? `stopping: ${restored}. Resume from it (resumeFrom: '${good!.path}') with a lower learning rate or with clipping (clip: { norm: 1 })`
                : `stopping: no healthy checkpoint was written (${c.checkpoint ? 'the weights had already diverged at every checkpoint' : 'no checkpoint.dir'}). ` +
                  'Start again with a lower learning rate or with clipping (clip: { norm: 1 })'),
          );
        }
        rollover(s);
        return s;
      }
      s.nonFiniteRun = 0;
      s.carried = next;
      const lossPositions = plan.end - plan.position;
      const learningRate = scaledLearningRate(
        s.learningRate * decision.learningRateScale,
        k,
        c.learningRateScaling,
      );
      // One fused kernel per parameter when the backend has it (the same math as the chain); else the chain.
      const fused = fusedChainUpdate(c.optimizer, c.clip, parameters, grads, s.optimizer, {
        lossPositions,
        learningRate,
        gradNorm,
      });
      if (fused) {
        tf.dispose(grads);
        s.optimizer = fused;
      } else {
        const out = optimization.update(grads, s.optimizer, {
          parameters,
          lossPositions,
          learningRate,
          gradNorm,
        });
        tf.dispose(grads);
        applyUpdates(parameters, out.updates);
        tf.dispose(out.updates);
        s.optimizer = out.state;
      }
      s.update++;
      const tokensBefore = s.tokens;
      s.tokens += lossPositions * stream.batch;
      s.lossAverage = s.lossAverage === undefined ? lossValue : 0.9 * s.lossAverage + 0.1 * lossValue;
      s.lossFloor = s.lossFloor === undefined ? s.lossAverage : Math.min(s.lossFloor, s.lossAverage);
      emit(s, {
        type: 'step',
        update: s.update,
        epoch: s.epoch,
        position: s.position,
        steps: stream.steps,
        truncation: k,
        loss: lossValue,
        gradNorm,
        learningRate,
        tokens: s.tokens,
        elapsedSeconds: elapsed(),
      });
      rollover(s);
      if (c.evaluation?.every !== undefined && s.update % c.evaluation.every === 0) runValidation(s);
      const everyTokens = c.evaluation?.everyTokens;
      if (everyTokens !== undefined && crossesMultiple(tokensBefore, s.tokens, everyTokens)) runValidation(s);
      if (c.monitor && s.update % c.monitor.every === 0) monitorBias(s);
      if (c.checkpoint?.every !== undefined && s.update % c.checkpoint.every === 0) saveCheckpoint(s);
      return s;
    },
    finish(state, stoppedBy) {
      const s: TrainState = { ...state };
      if (stoppedBy !== 'aborted' && s.lastValidUpdate !== s.update) runValidation(s);
      if (c.checkpoint && s.lastCheckpointUpdate !== s.update) saveCheckpoint(s);
      let test: ReturnType<typeof evaluate> | undefined;
      if (c.test && stoppedBy !== 'aborted') {
        const t0 = performance.now();
        const result = withWeights(model, s.best?.weights, () =>
          evaluate(model, c.test!, { chunk: c.evalChunk }),
        );
        const seconds = (performance.now() - t0) / 1000;
        s.evaluateSeconds += seconds;
        test = result;
        emit(s, {
          type: 'evaluate',
          update: s.update,
          epoch: s.epoch,
          split: 'test',
          loss: result.loss,
          perplexity: result.perplexity,
          ...(result.rmse === undefined ? {} : { rmse: result.rmse }),
          ...(result.errorRate === undefined ? {} : { errorRate: result.errorRate }),
          best: false,
          seconds,
        });
      }
      s.elapsedSeconds = elapsed();
      s.cpuSeconds = cpu();
      return { state: s, ...(test ? { test } : {}) };
    },
    close(state) {
      for (const s of [state, latest]) {
        if (!s) continue;
        tf.dispose(s.carried);
        tf.dispose(s.best?.weights ?? []);
        disposeChainState(s.optimizer);
      }
      latest = undefined;
      if (good) {
        tf.dispose(good.weights);
        disposeChainState(good.optimizer);
        good = undefined;
      }
      release?.();
      release = undefined;
    },
  };

  /** Seconds one final validation + test will take, measured once on a chunk of each split (see below). */
  let projectedEvaluation: number | undefined;

  /**
   * What the next update and the final validation + test will take, so that a wall-time budget holds them: the
   * mean update time, plus the last validation's time scaled to both splits. Before any validation (or without
   * a valid split) the evaluation is timed directly, once, before the first update: one chunk
   * of each split, forward only, scaled to the split's length — training speed says little about it, since the
   * batch, the window and the backward pass all differ.
   */
  function remainingSeconds(s: TrainState): number {
    const measured = s.lastValidUpdate >= 0 && s.lastEvaluationSeconds > 0;
    if (!measured && projectedEvaluation === undefined) {
      const t0 = performance.now();
      projectedEvaluation = [c.valid, c.test].reduce(
        (sum, split) => sum + (split ? timeEvaluation(split) : 0),
        0,
      );
      s.evaluateSeconds += (performance.now() - t0) / 1000; // the timing itself is evaluation, not training
    }
    const evaluation = measured ? s.lastEvaluationSeconds : projectedEvaluation!;
    if (s.update === 0 || s.tokens === 0) return evaluation;
    const training = Math.max(elapsed() - s.estimateSeconds - s.monitorSeconds - s.evaluateSeconds, 0);
    const step = training / s.update;
    return step + evaluation;
  }

  /** The seconds `evaluate` will take on `split`, from one timed chunk (dropout off, nothing kept). */
  function timeEvaluation(split: NonNullable<ResolvedTrainConfig['valid']>): number {
    const length = Math.min(c.evalChunk, split.steps);
    const t0 = performance.now();
    const { inputs, targets } = split.slice(0, length);
    tf.tidy(() => {
      const state = model.initialState(split.batch);
      model.forward(inputs, state, { training: false }).logits.dataSync();
    });
    tf.dispose([inputs, targets]);
    // evaluate runs ⌈T / chunk⌉ chunks; the timed one is a full chunk, so this errs towards stopping early.
    return ((performance.now() - t0) / 1000) * Math.ceil(split.steps / length);
  }

  /** At the end of the stream: next epoch, validation when evaluating per epoch (no `every` / `everyTokens`), fresh state if asked. */
  function rollover(s: TrainState): void {
    if (s.position < stream.steps) return;
    s.epoch++;
    s.position = 0;
    s.carriedAt = 0;
    if (c.evaluation?.every === undefined && c.evaluation?.everyTokens === undefined) runValidation(s);
    if (c.resetStateEachEpoch) {
      tf.dispose(s.carried);
      s.carried = model.initialState(stream.batch);
    }
  }

  return trainer;
}

/** Whether going from `before` to `after` tokens passes a multiple of `every`: ⌊before / every⌋ < ⌊after / every⌋. */
function crossesMultiple(before: number, after: number, every: number): boolean {
  return Math.floor(before / every) < Math.floor(after / every);
}

/** κ̂(δ) = min{K ∈ [1, W] : δ̂(K) < δ}, W when none is (δ = 1 allowed: the reference monitors K at δ = 1). */
function smallestTruncation(relativeBias: Float64Array, delta: number): number {
  const k = relativeBias.findIndex((bias) => bias < delta);
  return k < 0 ? relativeBias.length : k + 1;
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

/** CPU seconds of this process (user + system, every thread) where the runtime tells them, else 0. */
function cpuNow(): number {
  const usage = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process
    ?.cpuUsage;
  if (typeof usage !== 'function') return 0;
  const { user, system } = usage();
  return (user + system) / 1e6;
}
