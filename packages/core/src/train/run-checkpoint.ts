import {
  deserializeWeights,
  type NamedTensor,
  type Prng,
  type RecurrentModel,
  type RecurrentState,
  serializeWeights,
} from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { readCheckpoint, writeCheckpoint } from '../checkpoint/checkpoint-io';
import type { TruncationController } from '../controllers/truncation-controller';
import type { Optimizer } from '../optim/optimizer';
import type { Evaluation } from './evaluate';
import type { TrainEvent } from './events';

/** The objects whose state a checkpoint saves and a resume restores in place. */
export interface RunParts {
  model: RecurrentModel;
  optimizer: Optimizer;
  controller: TruncationController;
  /** The engine's sampling RNG (profile positions). */
  rng: Prng;
}

/** Where a run stands: counters, stream position, carried state, best weights and metrics. */
export interface RunState {
  update: number;
  epoch: number;
  position: number;
  carriedAt: number;
  tokens: number;
  elapsedSeconds: number;
  estimateSeconds: number;
  /** The state before `carriedAt` (owned by the run). */
  carried: RecurrentState;
  bestValid: (Evaluation & { update: number }) | undefined;
  /** Weights at the best validation loss, in `model.variables` order (owned by the run). */
  best: tf.Tensor[] | undefined;
  metrics: TrainEvent[];
}

/** trainer.json: everything but the tensors. */
interface TrainerJson {
  version: 1;
  update: number;
  epoch: number;
  position: number;
  carriedAt: number;
  tokens: number;
  elapsedSeconds: number;
  estimateSeconds: number;
  optimizerStep: number;
  optimizerName: string;
  controller: Record<string, unknown>;
  rng: { sampler: number[]; model: number[] };
  bestValid: (Evaluation & { update: number }) | null;
  metrics: TrainEvent[];
}

/** Writes the run as checkpoint `update-<update>` under `dir` (atomically); returns its directory. */
export function saveRun(dir: string, keep: number, parts: RunParts, run: RunState): string {
  const { model, optimizer, controller, rng } = parts;
  const names = [...model.namedVariables.keys()];
  const trainer: TrainerJson = {
    version: 1,
    update: run.update,
    epoch: run.epoch,
    position: run.position,
    carriedAt: run.carriedAt,
    tokens: run.tokens,
    elapsedSeconds: run.elapsedSeconds,
    estimateSeconds: run.estimateSeconds,
    optimizerStep: optimizer.getStep(),
    optimizerName: optimizer.name,
    controller: controller.getState(),
    rng: { sampler: rng.getState(), model: model.getRngState() },
    bestValid: run.bestValid ?? null,
    metrics: run.metrics,
  };
  const best = run.best;
  return writeCheckpoint(
    dir,
    `update-${String(run.update).padStart(9, '0')}`,
    {
      weights: new Uint8Array(serializeWeights(model)),
      optimizer: arrays([...optimizer.slots()]),
      state: arrays(run.carried.map((s, i) => [String(i), s])),
      ...(best ? { best: arrays(names.map((name, i) => [name, best[i]!])) } : {}),
      trainer: trainer as unknown as Record<string, unknown>,
    },
    keep,
  );
}

/**
 * Reads the checkpoint at `path` into the model, optimiser, controller and RNGs, and returns the run state to
 * continue from (its tensors owned by the caller). Refuses a checkpoint of another format, optimiser or model.
 */
export function restoreRun(path: string, parts: RunParts): RunState & { path: string } {
  const { model, optimizer, controller, rng } = parts;
  const ck = readCheckpoint(path);
  const t = ck.trainer as unknown as TrainerJson;
  if (t.version !== 1) {
    throw new Error(
      `train: resumeFrom ${ck.path} has trainer.json version ${t.version}; this engine reads version 1`,
    );
  }
  if (t.optimizerName !== optimizer.name) {
    throw new Error(
      `train: resumeFrom ${ck.path} was written with optimizer '${t.optimizerName}', this run uses '${optimizer.name}'; ` +
        'resume with the same optimizer',
    );
  }
  deserializeWeights(model, ck.weights);
  assignNamed('optimizer', ck.optimizer, optimizer.slots());
  optimizer.setStep(t.optimizerStep);
  controller.setState(t.controller);
  rng.setState(t.rng.sampler);
  model.setRngState(t.rng.model);
  const carried = [...ck.state.keys()]
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => {
      const s = ck.state.get(key)!;
      return tf.tensor2d(s.data, s.shape as [number, number]);
    });
  const names = [...model.namedVariables.keys()];
  const best = ck.best ? model.variables.map((v, i) => tensorFrom(ck.best!, names[i]!, v)) : undefined;
  return {
    path: ck.path,
    update: t.update,
    epoch: t.epoch,
    position: t.position,
    carriedAt: t.carriedAt,
    tokens: t.tokens,
    elapsedSeconds: t.elapsedSeconds,
    estimateSeconds: t.estimateSeconds,
    carried,
    bestValid: t.bestValid ?? undefined,
    best,
    metrics: t.metrics,
  };
}

function arrays(entries: [string, tf.Tensor][]): Map<string, NamedTensor> {
  return new Map(
    entries.map(([name, t]) => [
      name,
      { data: (t.dataSync() as Float32Array).slice(), shape: t.shape.slice() },
    ]),
  );
}

function tensorFrom(arrays: Map<string, NamedTensor>, name: string, like: tf.Tensor): tf.Tensor {
  const a = arrays.get(name);
  if (!a || a.shape.join(',') !== like.shape.join(',')) {
    throw new Error(
      `train: checkpoint tensor ${name} is ${a ? `[${a.shape}]` : 'missing'}, the model expects [${like.shape}]; ` +
        'resume with the model the checkpoint was written from',
    );
  }
  return tf.tensor(a.data, a.shape, like.dtype);
}

function assignNamed(
  file: string,
  arrays: Map<string, NamedTensor>,
  variables: ReadonlyMap<string, tf.Variable>,
): void {
  if (arrays.size !== variables.size) {
    throw new Error(
      `train: checkpoint ${file} holds ${arrays.size} tensors, the run expects ${variables.size}; ` +
        'resume with the same model and optimizer',
    );
  }
  for (const [name, variable] of variables) {
    const t = tensorFrom(arrays, name, variable);
    variable.assign(t);
    t.dispose();
  }
}
