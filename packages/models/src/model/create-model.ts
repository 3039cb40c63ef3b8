import { createPrng, validatePrngState } from '@tbptt/random';
import * as tf from '@tensorflow/tfjs-core';
import { cells } from '../cells/cells';
import { runLayer } from '../cells/run-layer';
import { embeddingLookup } from '../internal/embedding-lookup';
import type { ForwardOptions, ForwardResult, ModelSpec, RecurrentModel, RecurrentState } from '../types';
import { decoderParts, encodeLeadingFeatures } from './decoder-heads';
import { DROPOUT_STREAM, dropoutMask } from './dropout-mask';
import { checkForwardArguments } from './forward-arguments';
import { initialWeights } from './init-weights';
import { layerInputSize, type ParameterInfo, parameterLayout } from './parameter-layout';
import { stateComponents } from './state-components';
import { validateSpec } from './validate-spec';

/**
 * Builds a stacked recurrent model: input (embedding lookup, or dense features, optionally with a linear
 * encoder of the leading features), `numLayers` recurrent layers of one cell type, dropout between layers and
 * on the output (training only), and a linear decoder or several heads.
 *
 *     x_t = E[ids_t] (embedding) or features_t (dense)
 *         or [W_enc features_t[:n] + b_enc, features_t[n:]]   (dense with inputEncoder { features: n })
 *     h^l_t = cell(h^{l−1}_t, h^l_{t−1})                for l = 0 … L−1  (h^{−1}_t = x_t)
 *     logits_t = dropout(h^{L−1}_t) W_decᵀ + b_dec
 *         or [y^1_t, …, y^K_t], y^k_t = dropout(h^{L−1}_t) W_kᵀ + b_k (linear head) or w_k (constant head)
 *
 * With heads, head k owns the columns [Σ_{i<k} size_i, Σ_{i≤k} size_i) of the logits' last axis, so an
 * engine that only sees logits [T, B, O] (and a loss that knows the layout) needs nothing else.
 *
 * Parameters follow PyTorch's state_dict names and layouts (see {@link parameterLayout}) and are initialised
 * from `spec.seed`. Throws, naming the field and value, on a bad spec.
 */
export function createModel(spec: ModelSpec): RecurrentModel {
  const normalized = validateSpec(spec);
  if (tf.engine().backendNames().length === 0) {
    throw new Error(
      "createModel: no TensorFlow.js backend is registered; call `await selectBackend('auto')` first " +
        "(or import '@tensorflow/tfjs-backend-cpu')",
    );
  }
  const cell = cells[normalized.cell];
  const layout = parameterLayout(normalized);
  checkModelSize(layout);
  const values = initialWeights(normalized, layout);
  const named = new Map<string, tf.Variable>();
  layout.forEach((info, i) => {
    named.set(
      info.name,
      tf.tidy(() => tf.variable(tf.tensor(values[i]!, info.shape, 'float32'), true)),
    );
  });
  const variables = [...named.values()];
  const variable = (name: string): tf.Variable => named.get(name)!;
  const encoder =
    normalized.input === 'embedding' ? (variable('encoder.weight') as tf.Variable<tf.Rank.R2>) : null;
  const inputEncoder =
    normalized.input === 'dense' && normalized.inputEncoder !== undefined
      ? {
          ...normalized.inputEncoder,
          weight: variable('encoder.weight') as tf.Variable<tf.Rank.R2>,
          bias: variable('encoder.bias') as tf.Variable<tf.Rank.R1>,
        }
      : null;
  const decoder = decoderParts(normalized, variable);
  const layers = Array.from({ length: normalized.numLayers }, (_, l) => ({
    weightIh: variable(`rnn.weight_ih_l${l}`) as tf.Variable<tf.Rank.R2>,
    weightHh: variable(`rnn.weight_hh_l${l}`) as tf.Variable<tf.Rank.R2>,
    biasIh: variable(`rnn.bias_ih_l${l}`) as tf.Variable<tf.Rank.R1>,
    biasHh: variable(`rnn.bias_hh_l${l}`) as tf.Variable<tf.Rank.R1>,
  }));
  const componentCount = stateComponents(normalized).length;
  const rng = createPrng(normalized.seed, DROPOUT_STREAM);
  let disposed = false;

  const assertAlive = (method: string): void => {
    if (disposed)
      throw new Error(`model.${method}: the model was disposed; create a new one with createModel`);
  };

  const forward = (inputs: tf.Tensor, state: RecurrentState, options: ForwardOptions = {}): ForwardResult => {
    assertAlive('forward');
    const { steps, batch } = checkForwardArguments(normalized, componentCount, inputs, state, options.probes);
    const decodeFrom = options.decodeFrom ?? 0;
    if (!Number.isInteger(decodeFrom) || decodeFrom < 0 || decodeFrom > steps) {
      throw new Error(
        `model.forward: decodeFrom must be an integer in [0, T] = [0, ${steps}], got ${String(decodeFrom)}`,
      );
    }
    const stateAfter = options.stateAt;
    if (stateAfter !== undefined) {
      if (!Number.isInteger(stateAfter) || stateAfter < 0 || stateAfter > steps) {
        throw new Error(
          `model.forward: stateAt must be an integer in [0, T] = [0, ${steps}], got ${String(stateAfter)}`,
        );
      }
      if (options.probes !== undefined) {
        throw new Error(
          'model.forward: stateAt and probes cannot be combined; run the profile probe without stateAt',
        );
      }
    }
    const training = options.training ?? false;
    const dropout = training ? normalized.dropout : 0;
    return tf.tidy(() => {
      const rows = steps * batch;
      // [T, B] ids -> [T·B] -> gather -> [T·B, E];  or [T, B, F] -> [T·B, F]
      let x: tf.Tensor2D =
        encoder !== null
          ? embeddingLookup(encoder, tf.reshape(inputs, [rows]) as tf.Tensor1D)
          : inputEncoder !== null
            ? encodeLeadingFeatures(inputs, rows, inputEncoder)
            : (tf.reshape(inputs, [rows, layerInputSize(normalized, 0)]) as tf.Tensor2D);
      const finalState: tf.Tensor2D[] = [];
      const stateAt: tf.Tensor2D[] = [];
      const masks: (tf.Tensor2D | null)[] = [];
      layers.forEach((weights, l) => {
        const first = l * cell.stateCount;
        const layerState = state.slice(first, first + cell.stateCount);
        const layerProbes = options.probes?.map((stepProbes) =>
          stepProbes.slice(first, first + cell.stateCount),
        );
        const run = runLayer(cell, x, steps, weights, layerState, layerProbes, stateAfter);
        finalState.push(...run.finalState);
        if (run.stateAt !== undefined) stateAt.push(...run.stateAt);
        x = run.outputs;
        // Between layers, and on the last layer's output before the decoder (masks for every row, so the
        // dropout RNG advances the same whatever decodeFrom is).
        masks.push(dropout > 0 ? dropoutMask(rng, rows, normalized.hiddenSize, dropout) : null);
        if (l < layers.length - 1 && masks[l]) x = tf.mul(x, masks[l]!);
      });
      const decoded = steps - decodeFrom;
      const carried = stateAfter === undefined ? {} : { stateAt };
      if (decoded === 0) {
        return { logits: tf.zeros([0, batch, normalized.outputSize]) as tf.Tensor3D, finalState, ...carried };
      }
      // Rows of the decoded steps: [T·B, H] -> [(T − decodeFrom)·B, H]
      const decodedRows = (t: tf.Tensor2D) =>
        decodeFrom > 0 ? tf.slice(t, [decodeFrom * batch, 0], [decoded * batch, -1]) : t;
      x = decodedRows(x);
      if (options.probes !== undefined) {
        // The top layer's h_t is read by the decoder at step t too, for the decoded steps only:
        // (T − d) x [B, H] -> stack [T − d, B, H] -> [(T − d)·B, H] (stack: its gradient is one Unpack)
        const top = (layers.length - 1) * cell.stateCount;
        const decoderProbes = options.probes.slice(decodeFrom).map((stepProbes) => stepProbes[top]!);
        x = tf.add(x, tf.reshape(tf.stack(decoderProbes), [decoded * batch, normalized.hiddenSize]));
      }
      const lastMask = masks[layers.length - 1];
      if (lastMask) x = tf.mul(x, decodedRows(lastMask));
      const logits2d = decoder(x);
      const logits = tf.reshape(logits2d, [decoded, batch, normalized.outputSize]) as tf.Tensor3D;
      return { logits, finalState, ...carried };
    });
  };

  return {
    spec: normalized,
    variables,
    namedVariables: named,
    initialState(batch: number): RecurrentState {
      assertAlive('initialState');
      if (!Number.isInteger(batch) || batch < 1) {
        throw new Error(`model.initialState: batch must be a positive integer, got ${batch}`);
      }
      return Array.from(
        { length: componentCount },
        () => tf.zeros([batch, normalized.hiddenSize]) as tf.Tensor2D,
      );
    },
    forward,
    getRngState: () => rng.getState(),
    setRngState: (rngState: number[]) => rng.setState(validatePrngState(rngState, 'setRngState')),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of variables) v.dispose();
    },
  };
}

/** Most float32 values one weight tensor may hold (1 GiB): beyond it typed arrays fail with a bare RangeError. */
export const MAX_TENSOR_VALUES = 2 ** 28;

/** Refuses a model too large to allocate, naming the largest tensor, its size and the fix. */
function checkModelSize(layout: readonly ParameterInfo[]): void {
  let total = 0;
  let largest = layout[0]!;
  const size = (p: ParameterInfo) => p.shape.reduce((a, b) => a * b, 1);
  for (const p of layout) {
    total += size(p);
    if (size(p) > size(largest)) largest = p;
  }
  if (size(largest) > MAX_TENSOR_VALUES) {
    throw new Error(
      `createModel: the model would need ${total.toExponential(2)} parameters; its largest tensor ${largest.name} ` +
        `[${largest.shape.join(', ')}] alone holds ${size(largest).toExponential(2)} values (${((size(largest) * 4) / 2 ** 30).toFixed(0)} GiB, ` +
        `the limit is ${MAX_TENSOR_VALUES.toExponential(2)}); lower hiddenSize, vocabSize or the embedding size`,
    );
  }
}
