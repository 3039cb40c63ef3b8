import * as tf from '@tensorflow/tfjs-core';
import type { RecurrentState } from '../types';
import type { NormalizedSpec } from './validate-spec';

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkState(
  what: string,
  state: readonly tf.Tensor[] | undefined,
  componentCount: number,
  batch: number,
  hidden: number,
): void {
  if (!Array.isArray(state) || state.length !== componentCount) {
    throw new Error(
      `model.forward: ${what} must be a list of ${componentCount} tensors [B, H] (see stateComponents(spec)), ` +
        `got ${Array.isArray(state) ? `${state.length} tensors` : String(state)}`,
    );
  }
  state.forEach((component, j) => {
    const shape = component?.shape ?? [];
    if (shape.length !== 2 || shape[0] !== batch || shape[1] !== hidden) {
      throw new Error(
        `model.forward: ${what}[${j}] must have shape [${batch}, ${hidden}] (batch of the inputs, hiddenSize), ` +
          `got ${shapeText(shape)}`,
      );
    }
  });
}

/** Backends whose tensors live in CPU memory, where reading the ids back costs next to nothing. */
const HOST_MEMORY_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/**
 * Refuses token ids outside [0, V): gather would throw on some backends and read stray memory on others.
 * Checked where the ids are in host memory (cpu, wasm, tensorflow); GPU backends skip the read-back.
 */
function checkIds(inputs: tf.Tensor, batch: number, vocabulary: number): void {
  if (!HOST_MEMORY_BACKENDS.has(tf.getBackend())) return;
  const ids = inputs.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < 0 || id >= vocabulary) {
      throw new Error(
        `model.forward: inputs[${Math.floor(i / batch)}][${i % batch}] is ${id}, not a token id in [0, ${vocabulary}) ` +
          '(spec.vocabSize is the vocabulary size)',
      );
    }
  }
}

/**
 * Checks the arguments of `forward` against the spec and returns the window length T and batch B.
 * Embedding input: int32 ids [T, B]; dense input: float32 features [T, B, F]; state and probes: lists of
 * [B, H] tensors in state order.
 */
export function checkForwardArguments(
  spec: NormalizedSpec,
  componentCount: number,
  inputs: tf.Tensor,
  state: RecurrentState,
  probes: readonly RecurrentState[] | undefined,
): { steps: number; batch: number } {
  const shape = inputs?.shape;
  if (spec.input === 'embedding') {
    if (shape?.length !== 2 || inputs.dtype !== 'int32') {
      throw new Error(
        `model.forward: inputs must be int32 token ids [T, B] for embedding input, got ${inputs?.dtype} ` +
          `${shape ? shapeText(shape) : String(inputs)}; build them with tf.tensor2d(ids, [T, B], 'int32')`,
      );
    }
  } else if (shape?.length !== 3 || shape[2] !== spec.featureSize || inputs.dtype !== 'float32') {
    throw new Error(
      `model.forward: inputs must be float32 features [T, B, ${spec.featureSize}] for dense input, got ` +
        `${inputs?.dtype} ${shape ? shapeText(shape) : String(inputs)}`,
    );
  }
  const steps = shape[0]!;
  const batch = shape[1]!;
  if (steps < 1 || batch < 1) {
    throw new Error(
      `model.forward: inputs must have at least one step and one column, got ${shapeText(shape)}`,
    );
  }
  if (spec.input === 'embedding') checkIds(inputs, batch, spec.vocabSize);
  checkState('state', state, componentCount, batch, spec.hiddenSize);
  if (probes !== undefined) {
    if (!Array.isArray(probes) || probes.length !== steps) {
      throw new Error(
        `model.forward: options.probes must have one entry per step (${steps}), got ` +
          `${Array.isArray(probes) ? probes.length : String(probes)}`,
      );
    }
    probes.forEach((stepProbes, t) => {
      checkState(`options.probes[${t}]`, stepProbes, componentCount, batch, spec.hiddenSize);
    });
  }
  return { steps, batch };
}
