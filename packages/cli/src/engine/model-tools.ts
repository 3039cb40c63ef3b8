/**
 * Engine binding for the commands that use a model without training it: `evaluate`, `generate`, `diagnose`
 * and the profile a run writes at its end. Like `build-run.ts`, the only place that knows the engine's API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, gradientNormProfile, resolveCheckpoint, type Stream } from '@tbptt/core';
import { Vocabulary, type VocabularyJson } from '@tbptt/datasets';
import type { ComponentProfiles } from '@tbptt/estimators';
import { deserializeWeights, type RecurrentModel } from '@tbptt/models';
import { createPrng, uniformInt } from '@tbptt/random';
import * as tf from '@tensorflow/tfjs-core';
import { RunError, UsageError } from '../errors';
import { RUN_FILES } from '../io/run-files';
import type { TrainOptions } from '../options/train-options';
import { buildModel, buildTask, type TaskData } from './build-run';

/** PRNG streams of the CLI's own sampling (outside @tbptt/random's RNG_STREAMS registry: 1, 2, 3, 11, 12). */
const PROFILE_STREAM = 21;
const GENERATE_STREAM = 22;

/** Loads `file` (safetensors) into the model; a mismatch is a usage error naming the file. */
export function loadWeightsFile(model: RecurrentModel, file: string): void {
  if (!existsSync(file)) throw new UsageError(`weights file ${file} does not exist`);
  try {
    deserializeWeights(model, readFileSync(file));
  } catch (error) {
    throw new UsageError(
      `${file}: ${(error as Error).message.split('\n')[0]}; pass the flags of the model it was trained with`,
    );
  }
}

/** The update a run directory's latest checkpoint was written at (undefined when there is none). */
export function checkpointUpdate(checkpointRoot: string): number | undefined {
  let dir: string;
  try {
    dir = resolveCheckpoint(checkpointRoot);
  } catch {
    return undefined;
  }
  try {
    const trainer = JSON.parse(readFileSync(join(dir, 'trainer.json'), 'utf8')) as { update?: unknown };
    if (typeof trainer.update !== 'number') throw new Error('no update counter');
    return trainer.update;
  } catch (error) {
    throw new RunError(
      `${join(dir, 'trainer.json')}: the checkpoint is damaged (${(error as Error).message}); start a new run`,
    );
  }
}

/** Valid and test loss / perplexity of the model (state carried across the split, dropout off). */
export function scoreSplits(model: RecurrentModel, task: TaskData): { valid: Score; test: Score } {
  return { valid: score(model, task.valid), test: score(model, task.test) };
}

export interface Score {
  /** Nats per token, or the NLL per event (point processes). */
  loss: number;
  /** NaN for point processes. */
  perplexity: number;
  tokens: number;
  /** Point processes: RMSE of the predicted mean gap, and the 0-1 loss of the most likely mark. */
  rmse?: number;
  errorRate?: number;
}

function score(model: RecurrentModel, stream: Stream): Score {
  const e = evaluate(model, stream, { chunk: 100 });
  return {
    loss: e.loss,
    perplexity: e.perplexity,
    tokens: e.tokens,
    ...(e.rmse === undefined ? {} : { rmse: e.rmse }),
    ...(e.errorRate === undefined ? {} : { errorRate: e.errorRate }),
  };
}

/**
 * The gradient-norm profile φ̂ at the model's current weights: `samples` positions of the training stream
 * drawn with the run's seed, `burnIn` warm-up steps, W lags, one backward pass. Total and per component.
 */
export function measureProfile(
  model: RecurrentModel,
  stream: Stream,
  options: { window: number; burnIn: number; samples: number; seed: number },
): ComponentProfiles {
  const length = options.burnIn + options.window;
  if (length > stream.steps) {
    throw new UsageError(
      `--window ${options.window} + --burn-in ${options.burnIn} = ${length} steps do not fit in the training stream (${stream.steps} steps per column); lower them`,
    );
  }
  const rng = createPrng(options.seed, PROFILE_STREAM);
  const starts: number[] = [];
  const columns: number[] = [];
  for (let s = 0; s < options.samples; s++) {
    starts.push(uniformInt(rng, stream.steps - length + 1));
    columns.push(uniformInt(rng, stream.batch));
  }
  const { inputs, targets } = stream.gather(starts, columns, length);
  try {
    return gradientNormProfile(model, inputs, targets, {
      window: options.window,
      burnIn: options.burnIn,
      targetKind: stream.targetKind,
    });
  } finally {
    tf.dispose([inputs, targets]);
  }
}

/** A trained run loaded back: its options, its task's streams and the model with the chosen weights. */
export async function loadRun(
  dir: string,
  options: TrainOptions,
  which: 'best' | 'last',
  /** The run's task when the caller built it already (buildTask). */
  built?: TaskData,
): Promise<{ task: TaskData; model: RecurrentModel; weightsFile: string }> {
  const task = built ?? (await buildTask(options));
  const model = buildModel(options, task);
  const best = join(dir, RUN_FILES.best);
  const weightsFile = which === 'best' && existsSync(best) ? best : join(dir, RUN_FILES.weights);
  if (!existsSync(weightsFile)) {
    model.dispose();
    throw new UsageError(
      `${dir} has no ${RUN_FILES.weights}: the run has not finished; resume it with tbptt train --resume ${dir}`,
    );
  }
  loadWeightsFile(model, weightsFile);
  return { task, model, weightsFile };
}

/** A model for `generate`, built from the run's config without loading its data (the vocabulary is in vocab.json). */
export function loadLanguageModel(
  dir: string,
  options: TrainOptions,
  which: 'best' | 'last',
): { model: RecurrentModel; vocab: Vocabulary } {
  const vocabFile = join(dir, RUN_FILES.vocab);
  if (!existsSync(vocabFile)) {
    throw new UsageError(
      `${dir} has no ${RUN_FILES.vocab}: generate needs a language-model run (--task ptb, wikitext-2 or text:<dir>)`,
    );
  }
  const json = JSON.parse(readFileSync(vocabFile, 'utf8')) as VocabularyJson;
  const vocab = new Vocabulary(json.tokens, json.level);
  const model = buildModel(options, { kind: 'language', vocabSize: vocab.size });
  const best = join(dir, RUN_FILES.best);
  loadWeightsFile(model, which === 'best' && existsSync(best) ? best : join(dir, RUN_FILES.weights));
  return { model, vocab };
}

/**
 * Samples `count` tokens from the model: the prompt (or `<eos>`, the start of a line) is read first, then
 * each token is drawn from softmax(logits / temperature) with the CLI's seeded PRNG, so the same seed gives
 * the same text.
 */
export function sampleTokens(
  model: RecurrentModel,
  vocab: Vocabulary,
  options: { count: number; temperature: number; seed: number; prompt?: string },
): { prompt: Int32Array; tokens: Int32Array } {
  const prompt =
    options.prompt !== undefined && options.prompt !== ''
      ? vocab.encodeText(options.prompt)
      : Int32Array.of(vocab.eosId ?? 0);
  if (prompt.length === 0) throw new UsageError('--prompt has no tokens; give some text or drop --prompt');
  const rng = createPrng(options.seed, GENERATE_STREAM);
  let state = model.initialState(1);
  const out = new Int32Array(options.count);
  let logits = step(
    model,
    prompt,
    () => state,
    (s) => (state = s),
  );
  const probabilities = new Float64Array(vocab.size);
  for (let i = 0; i < options.count; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < vocab.size; v++) max = Math.max(max, logits[v]! / options.temperature);
    let sum = 0;
    for (let v = 0; v < vocab.size; v++) {
      probabilities[v] = Math.exp(logits[v]! / options.temperature - max);
      sum += probabilities[v]!;
    }
    // Inverse-CDF draw: u uniform in [0, sum).
    let u = rng.nextFloat() * sum;
    let token = vocab.size - 1;
    for (let v = 0; v < vocab.size; v++) {
      u -= probabilities[v]!;
      if (u < 0) {
        token = v;
        break;
      }
    }
    out[i] = token;
    logits = step(
      model,
      Int32Array.of(token),
      () => state,
      (s) => (state = s),
    );
  }
  tf.dispose(state);
  return { prompt, tokens: out };
}

/** Feeds `ids` one window [T, 1] from the held state; returns the last step's logits and keeps the new state. */
function step(
  model: RecurrentModel,
  ids: Int32Array,
  get: () => tf.Tensor2D[],
  set: (s: tf.Tensor2D[]) => void,
): Float32Array {
  const state = get();
  const { logits, finalState } = tf.tidy(() => {
    const out = model.forward(tf.tensor2d(ids, [ids.length, 1], 'int32'), state, {
      training: false,
      decodeFrom: ids.length - 1,
    });
    return { logits: out.logits, finalState: out.finalState };
  });
  const values = logits.dataSync() as Float32Array;
  tf.dispose([logits, ...state]);
  set(finalState);
  return values.slice();
}
