import {
  decodeSafetensors,
  deserializeWeights,
  type NamedTensor,
  type RecurrentModel,
  serializeWeights,
} from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
// `-node` resolves to the in-memory store in the browser build (scripts/browser-build.ts).
import { defaultCheckpointStore as store } from '../checkpoint/checkpoint-store-node';
import type { ControllerState, TruncationController } from '../controllers/truncation-controller';
import type { Chain, ChainState, NamedParameter } from '../optim/gradient-transformation';
import type { Stream } from '../streams/stream';
import type { TrainState } from './train-state';

/** trainer.json's format version. */
export const TRAINER_VERSION = 2;

/** What a checkpoint is checked against: the run that resumes it. */
export interface RunParts {
  model: RecurrentModel;
  parameters: readonly NamedParameter[];
  chain: Chain;
  controller: TruncationController<ControllerState>;
  stream: Stream;
  /** The run's configured base learning rate (a resume with another one starts from it, not the stored one). */
  learningRate: number;
}

/** Stages without state: a resume may add or drop them (e.g. clipping after a divergence). */
const STATELESS_STAGES = new Set(['clip', 'learning-rate']);

type TrainerJson = Omit<TrainState, 'carried' | 'optimizer' | 'best' | 'checkpoint'> & {
  version: typeof TRAINER_VERSION;
  optimizerSteps: number[];
  optimizerStages: string[];
  /** The configured base learning rate of the run that wrote it. */
  baseLearningRate?: number;
  bestValid: NonNullable<TrainState['best']>['valid'] | null;
  modelSpec: unknown;
  stream: { steps: number; batch: number };
};

/** Writes the state as checkpoint `update-<update>` under `root` (atomically); returns its directory. */
export function saveTrainState(root: string, keep: number, parts: RunParts, state: TrainState): string {
  const { model, chain } = parts;
  const { carried, optimizer, best, checkpoint: _last, ...plain } = state;
  const trainer: TrainerJson = {
    ...plain,
    version: TRAINER_VERSION,
    rng: { sampler: state.rng.sampler, model: model.getRngState() },
    optimizerSteps: optimizer.map((s) => s.step),
    optimizerStages: chain.stages.map((s) => s.name),
    baseLearningRate: parts.learningRate,
    bestValid: best?.valid ?? null,
    modelSpec: model.spec,
    stream: { steps: parts.stream.steps, batch: parts.stream.batch },
  };
  const names = [...model.namedVariables.keys()];
  const slots = new Map<string, NamedTensor>();
  for (const stage of optimizer) for (const [name, t] of stage.slots) slots.set(name, named(t));
  return store.write(
    root,
    `update-${String(state.update).padStart(9, '0')}`,
    {
      weights: new Uint8Array(serializeWeights(model)),
      optimizer: slots,
      state: new Map(carried.map((s, i) => [String(i), named(s)])),
      ...(best ? { best: new Map(names.map((name, i) => [name, named(best.weights[i]!)])) } : {}),
      trainer: trainer as unknown as Record<string, unknown>,
    },
    keep,
  );
}

/**
 * Reads and validates the whole checkpoint at `path` — manifest, format version, the stored model spec, every
 * tensor's name, shape and finiteness, the carried state's batch, the stream position, the optimiser stages and
 * the controller state — and only then loads the weights into the model and returns the state to continue from.
 * A mismatch names what differs and leaves the model untouched.
 */
export function loadTrainState(path: string, parts: RunParts): TrainState {
  const { model, parameters, chain, controller, stream } = parts;
  const ck = store.read(path);
  const where = `train: resumeFrom ${ck.path}`;
  const t = ck.trainer as unknown as TrainerJson;
  if (t.version !== TRAINER_VERSION) {
    throw new Error(
      `${where} has trainer.json version ${String(t.version)}; this engine reads version ${TRAINER_VERSION}`,
    );
  }
  const stored = JSON.stringify(t.modelSpec);
  const current = JSON.stringify(model.spec);
  if (stored !== current) {
    const a = t.modelSpec as Record<string, unknown>;
    const b = model.spec as unknown as Record<string, unknown>;
    const diff = Object.keys({ ...a, ...b })
      .filter((k) => JSON.stringify(a?.[k]) !== JSON.stringify(b[k]))
      .map((k) => `${k}: checkpoint ${JSON.stringify(a?.[k])}, this run ${JSON.stringify(b[k])}`);
    throw new Error(
      `${where} was written by another model (${diff.join('; ')}); resume with the same model settings`,
    );
  }
  if (t.stream?.batch !== stream.batch || t.stream?.steps !== stream.steps) {
    throw new Error(
      `${where} was trained on a stream of ${t.stream?.steps} steps × ${t.stream?.batch} columns, this run's has ` +
        `${stream.steps} × ${stream.batch}; resume on the same training data and batch`,
    );
  }
  if (
    !(
      Number.isInteger(t.position) &&
      t.position >= 0 &&
      t.position <= stream.steps &&
      t.carriedAt <= t.position
    )
  ) {
    throw new Error(
      `${where} holds stream position ${t.position} (carried at ${t.carriedAt}) outside [0, ${stream.steps}]; the checkpoint is damaged`,
    );
  }
  const stages = chain.stages.map((s) => s.name);
  const stateful = (names: readonly string[]) => names.filter((n) => !STATELESS_STAGES.has(n));
  if (
    !Array.isArray(t.optimizerStages) ||
    JSON.stringify(stateful(t.optimizerStages)) !== JSON.stringify(stateful(stages))
  ) {
    throw new Error(
      `${where} was written with optimisation ${JSON.stringify(t.optimizerStages)}, this run uses ${JSON.stringify(stages)}; ` +
        'resume with the same optimizer (clipping may change)',
    );
  }
  const stepOf = new Map(t.optimizerStages.map((name, i) => [name, t.optimizerSteps?.[i] ?? 0]));
  const controllerState = controller.restore(t.controller);
  // Weights: names and shapes (the models package checks), finiteness (here), before anything is assigned.
  for (const [name, tensor] of decodeSafetensors(ck.weights).tensors)
    checkFinite(where, 'weights.safetensors', name, tensor);
  // Optimiser slots: exactly the names a fresh chain has, same shapes, finite.
  const fresh = chain.init(parameters);
  const expected = new Map<string, tf.Tensor>();
  for (const stage of fresh) for (const [name, slot] of stage.slots) expected.set(name, slot);
  try {
    checkNamed(where, 'optimizer.safetensors', ck.optimizer, expected);
    const carriedShape: number[][] = model.initialState(1).map((s) => {
      const shape = [stream.batch, s.shape[1]];
      s.dispose();
      return shape;
    });
    if (ck.state.size !== carriedShape.length) {
      throw new Error(
        `${where}: state.safetensors holds ${ck.state.size} state tensors, the model has ${carriedShape.length}`,
      );
    }
    carriedShape.forEach((shape, i) => {
      const s = ck.state.get(String(i));
      if (!s || s.shape.join(',') !== shape.join(',')) {
        throw new Error(
          `${where}: carried state ${i} is ${s ? `[${s.shape}]` : 'missing'}, this run needs [${shape}] (batch ${stream.batch}); resume with the same batch`,
        );
      }
      checkFinite(where, 'state.safetensors', String(i), s);
    });
    if (ck.best) {
      const variables = new Map([...model.namedVariables].map(([n, v]) => [n, v as tf.Tensor]));
      checkNamed(where, 'best.safetensors', ck.best, variables);
    }
  } finally {
    for (const stage of fresh) tf.dispose([...stage.slots.values()]);
  }

  // Everything checked: now touch the model.
  deserializeWeights(model, ck.weights);
  model.setRngState(t.rng.model);
  const optimizer: ChainState = fresh.map((stage, i) => ({
    step: stepOf.get(chain.stages[i]!.name) ?? 0,
    slots: new Map([...stage.slots.keys()].map((name) => [name, tensorOf(ck.optimizer.get(name)!)])),
  }));
  const carried = [...ck.state.keys()]
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => tensorOf(ck.state.get(key)!) as tf.Tensor2D);
  const names = [...model.namedVariables.keys()];
  const best =
    ck.best && t.bestValid
      ? { valid: t.bestValid, weights: names.map((name) => tensorOf(ck.best!.get(name)!)) }
      : undefined;
  const {
    version: _v,
    optimizerSteps: _s,
    optimizerStages: _n,
    bestValid: _b,
    modelSpec: _m,
    stream: _st,
    baseLearningRate,
    ...plain
  } = t;
  return {
    ...plain,
    // Checkpoints written before CPU time was counted.
    cpuSeconds: typeof plain.cpuSeconds === 'number' ? plain.cpuSeconds : 0,
    // A resume asking for another learning rate (e.g. lower, after a divergence) gets it; else the stored one
    // (which plateau decay may have lowered) continues.
    learningRate:
      baseLearningRate !== undefined && baseLearningRate !== parts.learningRate
        ? parts.learningRate
        : plain.learningRate,
    controller: controllerState,
    carried,
    optimizer,
    ...(best ? { best } : {}),
    checkpoint: ck.path,
  };
}

function named(t: tf.Tensor): NamedTensor {
  return { data: (t.dataSync() as Float32Array).slice(), shape: t.shape.slice() };
}

function tensorOf(a: NamedTensor): tf.Tensor {
  return tf.keep(tf.tensor(a.data, a.shape, 'float32'));
}

function checkFinite(where: string, file: string, name: string, tensor: NamedTensor): void {
  const { data } = tensor;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new Error(
        `${where}: ${file} tensor ${name} holds ${data[i]} at index ${i}; the checkpoint is damaged or diverged — resume from an earlier one`,
      );
    }
  }
}

function checkNamed(
  where: string,
  file: string,
  arrays: ReadonlyMap<string, NamedTensor>,
  expected: ReadonlyMap<string, tf.Tensor>,
): void {
  const missing = [...expected.keys()].filter((n) => !arrays.has(n));
  const extra = [...arrays.keys()].filter((n) => !expected.has(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `${where}: ${file} does not fit this run (${missing.length > 0 ? `missing ${missing.join(', ')}` : ''}${missing.length > 0 && extra.length > 0 ? '; ' : ''}${extra.length > 0 ? `unexpected ${extra.join(', ')}` : ''}); ` +
        'resume with the same model and optimizer',
    );
  }
  for (const [name, like] of expected) {
    const a = arrays.get(name)!;
    if (a.shape.join(',') !== like.shape.join(',')) {
      throw new Error(
        `${where}: ${file} tensor ${name} is [${a.shape}], this run expects [${like.shape}]; resume with the same model`,
      );
    }
    checkFinite(where, file, name, a);
  }
}
