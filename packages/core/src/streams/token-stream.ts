import * as tf from '@tensorflow/tfjs-core';
import {
  checkGather,
  checkRange,
  gatherRows,
  rebatchRows,
  type Stream,
  type StreamWindow,
  sliceRows,
} from './stream';

export interface TokenStreamOptions {
  /** B: columns of the [T, B] layout. */
  batch: number;
  /**
   * Language modelling: `tokens` [N, B] laid out time-major; input x_t = tokens[t], target y_t = tokens[t+1],
   * so the stream has T = N − 1 positions. Give `tokens` or `inputs` + `targets`, not both.
   */
  tokens?: Int32Array;
  /** Sequence-to-sequence: inputs [T, B] and int targets [T, B] of the same length. */
  inputs?: Int32Array;
  targets?: Int32Array;
  /** When set, inputs are fed one-hot as float32 [T, B, V] (for models with `input: 'dense'`). */
  oneHot?: number;
}

/**
 * A token stream [T, B] (Int32Array, B independent columns), with int targets for softmax cross-entropy.
 */
export function tokenStream(options: TokenStreamOptions): Stream {
  const { batch, tokens, oneHot } = options;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`tokenStream: batch must be a positive integer, got ${batch}`);
  }
  if (oneHot !== undefined && (!Number.isInteger(oneHot) || oneHot < 1)) {
    throw new Error(`tokenStream: oneHot must be the vocabulary size (a positive integer), got ${oneHot}`);
  }
  let inputs: Int32Array;
  let targets: Int32Array;
  if (tokens !== undefined) {
    if (options.inputs !== undefined || options.targets !== undefined) {
      throw new Error('tokenStream: give either tokens (language modelling) or inputs + targets, not both');
    }
    if (tokens.length % batch !== 0 || tokens.length / batch < 2) {
      throw new Error(
        `tokenStream: tokens.length (${tokens.length}) must be a multiple of batch (${batch}) with at least 2 rows; ` +
          'lay the corpus out with batchify first',
      );
    }
    inputs = tokens.subarray(0, tokens.length - batch);
    targets = tokens.subarray(batch);
  } else {
    if (options.inputs === undefined || options.targets === undefined) {
      throw new Error('tokenStream: give tokens (language modelling) or both inputs and targets');
    }
    inputs = options.inputs;
    targets = options.targets;
    if (inputs.length !== targets.length || inputs.length % batch !== 0 || inputs.length === 0) {
      throw new Error(
        `tokenStream: inputs (${inputs.length}) and targets (${targets.length}) must have the same non-zero length, ` +
          `a multiple of batch (${batch})`,
      );
    }
  }
  const steps = inputs.length / batch;

  const encode = (ids: Int32Array, shape: [number, number]): tf.Tensor =>
    tf.tidy(() => {
      const t = tf.tensor2d(ids, shape, 'int32');
      return oneHot === undefined ? t : tf.cast(tf.oneHot(t, oneHot), 'float32'); // [T, B] -> [T, B, V]
    });

  const stream: Stream = {
    kind: 'tokens',
    steps,
    batch,
    targetKind: 'classes',
    slice(start: number, end: number): StreamWindow {
      checkRange('tokenStream.slice', stream, start, end);
      return {
        inputs: encode(sliceRows(inputs, batch, 1, start, end), [end - start, batch]),
        targets: tf.tensor2d(sliceRows(targets, batch, 1, start, end), [end - start, batch], 'int32'),
      };
    },
    gather(starts, columns, length): StreamWindow {
      checkGather('tokenStream.gather', stream, starts, columns, length);
      const s = starts.length;
      return {
        inputs: encode(gatherRows(inputs, batch, 1, starts, columns, length), [length, s]),
        targets: tf.tensor2d(gatherRows(targets, batch, 1, starts, columns, length), [length, s], 'int32'),
      };
    },
    rebatch(newBatch: number): Stream {
      if (newBatch === batch) return stream;
      if (tokens !== undefined) {
        const r = rebatchRows(tokens, tokens.length / batch, batch, 1, newBatch);
        return tokenStream({ batch: newBatch, tokens: r.data, ...(oneHot === undefined ? {} : { oneHot }) });
      }
      const ri = rebatchRows(inputs, steps, batch, 1, newBatch);
      const rt = rebatchRows(targets, steps, batch, 1, newBatch);
      return tokenStream({
        batch: newBatch,
        inputs: ri.data,
        targets: rt.data,
        ...(oneHot === undefined ? {} : { oneHot }),
      });
    },
  };
  return stream;
}
