/**
 * The demo's training run, without any DOM: the copy-task data, the LSTM, the truncation controller and the
 * engine configuration for a set of {@link DemoSettings}. The page (TrainDemo.vue through DemoSession) and
 * the Node measurement (apps/docs/scripts/node-throughput.ts) build the same run from here.
 */
import {
  type AdaptiveTruncationState,
  adaptiveTruncation,
  type FixedTruncationState,
  fixedTruncation,
  type TrainConfig,
  type TruncationContext,
  type TruncationController,
  tokenStream,
} from '@tbptt/core';
import { copyTask, SYNTHETIC_VOCAB_SIZE } from '@tbptt/datasets';
import { analyzeProfile, type GradientNormProfile, ZeroProfileError } from '@tbptt/estimators';
import { createModel, type RecurrentModel } from '@tbptt/models';

export type ModelSize = 'tiny' | 'small' | 'medium';

/** Model sizes: hidden units × layers of the LSTM. */
export const MODEL_SIZES: Readonly<Record<ModelSize, { hiddenSize: number; numLayers: number }>> = {
  tiny: { hiddenSize: 16, numLayers: 1 },
  small: { hiddenSize: 32, numLayers: 1 },
  medium: { hiddenSize: 64, numLayers: 2 },
};

export interface DemoSettings {
  /** 'adaptive': K follows δ; 'fixed': K stays, the bias of that K is measured on the same schedule. */
  mode: 'adaptive' | 'fixed';
  /** δ, the tolerated relative bias (adaptive). */
  delta: number;
  /** K (fixed), and the K an adaptive run starts from. */
  truncation: number;
  model: ModelSize;
  /** Adam's learning rate. */
  learningRate: number;
  /** Updates between profile measurements (and so between re-estimates of K). */
  refreshEvery: number;
  /** Seeds the data, the initial weights and the profile sampler. */
  seed: number;
  /** B: stream columns per update. */
  batch: number;
}

/**
 * Defaults, each with its reason: the reference's synthetic setting starts from K = 15 with δ = 0.1; a
 * one-layer LSTM(32) learns spans of 5..10 in a few hundred updates on one core; Adam at 0.01 with the summed
 * window loss clipped at 1 (the reference's convention) is stable at that size; a profile every 25 updates
 * shows K moving within the first minute.
 */
export const DEFAULT_SETTINGS: Readonly<DemoSettings> = {
  mode: 'adaptive',
  delta: 0.1,
  truncation: 15,
  model: 'small',
  learningRate: 0.01,
  refreshEvery: 25,
  seed: 1,
  batch: 16,
};

/** The variable-length copy task of the paper's synthetic experiments: spans of 5 to 10 symbols. */
export const TASK = { length: 10, minLength: 5 } as const;

/** W, burn-in and S of each profile (the synthetic preset's window and burn-in, fewer samples). */
export const PROFILE = { window: 100, burnIn: 20, samples: 32, tau: 80 } as const;

/** One measured profile and what the estimators make of it. */
export interface ProfileSnapshot {
  update: number;
  profile: GradientNormProfile;
  /** β̂ and τ of the fitted geometric tail, δ̂(K) for K = 1..W (index K − 1), the K in use. */
  beta: number;
  tau: number;
  relativeBias: Float64Array;
  truncation: number;
}

export interface DemoRun {
  model: RecurrentModel;
  /** Everything `createTrainer` needs except `onEvent`. */
  config: Omit<TrainConfig, 'onEvent'>;
  /** The latest profile, set by the controller whenever it measures one. */
  latestProfile(): ProfileSnapshot | undefined;
}

/** Checks settings read from a URL or a form; the error names the field, the value and what is expected. */
export function checkSettings(settings: DemoSettings): DemoSettings {
  const fail = (field: string, expected: string, value: unknown): never => {
    throw new Error(`demo settings: ${field} must be ${expected}, got ${String(value)}`);
  };
  const { mode, delta, truncation, model, learningRate, refreshEvery, seed, batch } = settings;
  if (mode !== 'adaptive' && mode !== 'fixed') fail('mode', "'adaptive' or 'fixed'", mode);
  if (!(delta > 0 && delta < 1)) fail('delta', 'in (0, 1)', delta);
  if (!Number.isInteger(truncation) || truncation < 2 || truncation > 100)
    fail('truncation', 'an integer in [2, 100]', truncation);
  if (!Object.hasOwn(MODEL_SIZES, model)) fail('model', "'tiny', 'small' or 'medium'", model);
  if (!(learningRate > 0 && learningRate <= 1)) fail('learningRate', 'in (0, 1]', learningRate);
  if (!Number.isInteger(refreshEvery) || refreshEvery < 1)
    fail('refreshEvery', 'a positive integer', refreshEvery);
  if (!Number.isSafeInteger(seed) || seed < 0) fail('seed', 'a non-negative integer', seed);
  if (!Number.isInteger(batch) || batch < 1 || batch > 256) fail('batch', 'an integer in [1, 256]', batch);
  return settings;
}

/**
 * Builds the run. The controller is wrapped so that the page sees every profile it measures: the adaptive one
 * passes its profile request through; the fixed one asks for a profile on the same schedule and keeps K.
 */
export function createDemoRun(settings: DemoSettings): DemoRun {
  checkSettings(settings);
  const vocab = SYNTHETIC_VOCAB_SIZE;
  const { seed, batch } = settings;
  const split = (steps: number, columns: number, dataSeed: number) =>
    tokenStream(copyTask({ steps, batch: columns, seed: dataSeed, ...TASK }), { oneHot: vocab });
  const train = split(20_000, batch, seed);
  const valid = split(400, 8, seed + 1_000);
  const { hiddenSize, numLayers } = MODEL_SIZES[settings.model];
  const model = createModel({
    cell: 'lstm',
    input: 'dense',
    featureSize: vocab,
    hiddenSize,
    numLayers,
    outputSize: vocab,
    seed,
  });

  let latest: ProfileSnapshot | undefined;
  const record = (update: number, profiles: GradientNormProfile[], k: number) => {
    const profile = profiles[0];
    if (!profile) return;
    try {
      const analysis = analyzeProfile(profile, { estimator: 'ols', tau: PROFILE.tau, cumulative: 'exact' });
      latest = {
        update,
        profile,
        beta: analysis.beta,
        tau: analysis.tau,
        relativeBias: analysis.relativeBias,
        truncation: k,
      };
    } catch (error) {
      if (!(error instanceof ZeroProfileError)) throw error;
    }
  };

  let truncation: TruncationController<AdaptiveTruncationState> | TruncationController<FixedTruncationState>;
  if (settings.mode === 'adaptive') {
    const inner = adaptiveTruncation({
      delta: settings.delta,
      preset: 'synthetic',
      initialK: settings.truncation,
      refreshEvery: settings.refreshEvery,
      window: PROFILE.window,
      burnIn: PROFILE.burnIn,
      tau: PROFILE.tau,
      samples: PROFILE.samples,
    });
    truncation = {
      ...inner,
      next(state: AdaptiveTruncationState, context: TruncationContext) {
        return inner.next(state, {
          ...context,
          profiles(request) {
            const profiles = context.profiles(request);
            record(context.update, profiles, state.truncation);
            return profiles;
          },
        });
      },
    };
  } else {
    const inner = fixedTruncation(settings.truncation);
    let lastUpdate = 0;
    truncation = {
      ...inner,
      next(state: FixedTruncationState, context: TruncationContext) {
        if (context.update - lastUpdate >= settings.refreshEvery) {
          lastUpdate = context.update;
          const request = { ...PROFILE, repeats: 1, averaging: 'norm' as const };
          record(context.update, context.profiles(request), settings.truncation);
        }
        return inner.next(state, context);
      },
    };
  }

  return {
    model,
    config: {
      model,
      train,
      valid,
      truncation,
      windowing: 'buffer',
      optimizer: { name: 'adam', learningRate: settings.learningRate },
      clip: { norm: 1, over: 'sum' },
      resetStateEachEpoch: false,
      stop: { updates: 1_000_000 },
      evaluation: { every: 50, chunk: 100 },
      seed,
    },
    latestProfile: () => latest,
  };
}

/** Settings from a URL query (`?mode=fixed&truncation=20&seed=3`), over the defaults. */
export function settingsFromQuery(query: URLSearchParams): DemoSettings {
  const s: DemoSettings = { ...DEFAULT_SETTINGS };
  const num = (key: keyof DemoSettings) => {
    const v = query.get(key);
    if (v !== null) (s as unknown as Record<string, number>)[key] = Number(v);
  };
  const mode = query.get('mode');
  if (mode !== null) s.mode = mode as DemoSettings['mode'];
  const model = query.get('model');
  if (model !== null) s.model = model as ModelSize;
  for (const key of ['delta', 'truncation', 'learningRate', 'refreshEvery', 'seed', 'batch'] as const)
    num(key);
  return checkSettings(s);
}
