import * as tf from '@tensorflow/tfjs-core';
import {
  checkGather,
  checkRange,
  gatherRows,
  maxId,
  type Stream,
  type StreamShape,
  type StreamWindow,
  sliceRows,
} from './stream';

/** A token stream laid out `[T, B]` row-major, as `batchify` from `@tbptt/datasets` returns it. */
export interface TokenLayout {
  /** `data[t * batch + b]`: the token at time t of column b. */
  readonly data: Int32Array;
  readonly steps: number;
  readonly batch: number;
}

/** Inputs and targets both `[T, B]` row-major, as `copyTask` / `repeatTask` from `@tbptt/datasets` return them. */
export interface PairedTokenLayout {
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
  readonly steps: number;
  readonly batch: number;
}

export interface TokenStreamOptions {
  /** Feed inputs one-hot as float32 [T, B, V] with this V (for models with `input: 'dense'`). */
  oneHot?: number;
}

/**
 * The engine's view of a token stream. A {@link TokenLayout} (`batchify(ids, B)`) is a language-modelling
 * stream: input x_t = data[t], target y_t = data[t+1], so it has T − 1 positions. A {@link PairedTokenLayout}
 * pairs inputs and targets position by position. Targets are class ids for softmax cross-entropy.
 */
export function tokenStream(
  source: TokenLayout | PairedTokenLayout,
  options: TokenStreamOptions = {},
): Stream {
  const fn = 'tokenStream';
  if (typeof source !== 'object' || source === null) {
    throw new Error(`${fn}: source must be what batchify or copyTask returns, got ${String(source)}`);
  }
  const { batch, steps: rows } = source;
  const { oneHot } = options;
  if (!Number.isInteger(batch) || batch < 1)
    throw new Error(`${fn}: batch must be a positive integer, got ${batch}`);
  if (oneHot !== undefined && (!Number.isInteger(oneHot) || oneHot < 1)) {
    throw new Error(`${fn}: oneHot must be the vocabulary size (a positive integer), got ${oneHot}`);
  }
  let inputs: Int32Array;
  let targets: Int32Array;
  let steps: number;
  if ('data' in source) {
    if (!(source.data instanceof Int32Array) || source.data.length !== rows * batch || rows < 2) {
      throw new Error(
        `${fn}: data must be an Int32Array of steps × batch = ${rows} × ${batch} with at least 2 steps, got length ${source.data?.length}; ` +
          'lay the corpus out with batchify(ids, batch) first',
      );
    }
    inputs = source.data.subarray(0, source.data.length - batch);
    targets = source.data.subarray(batch);
    steps = rows - 1;
  } else {
    if (!(source.inputs instanceof Int32Array) || !(source.targets instanceof Int32Array)) {
      throw new Error(
        `${fn}: give a batchify() result ({ data }) or a paired stream ({ inputs, targets }) of Int32Arrays`,
      );
    }
    ({ inputs, targets } = source);
    if (inputs.length !== rows * batch || targets.length !== rows * batch || rows < 1) {
      throw new Error(
        `${fn}: inputs (${inputs.length}) and targets (${targets.length}) must both hold steps × batch = ${rows} × ${batch} ids`,
      );
    }
    steps = rows;
  }

  const encode = (ids: Int32Array, shape: [number, number]): tf.Tensor =>
    tf.tidy(() => {
      const t = tf.tensor2d(ids, shape, 'int32');
      return oneHot === undefined ? t : tf.cast(tf.oneHot(t, oneHot), 'float32'); // [T, B] -> [T, B, V]
    });

  let shape: StreamShape | undefined;
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
    describe() {
      shape ??= {
        input: oneHot === undefined ? 'ids' : 'dense',
        inputSize: oneHot ?? maxId(inputs),
        targetSize: maxId(targets),
      };
      return shape;
    },
  };
  if (oneHot !== undefined) {
    const largest = Math.max(maxId(inputs), 0);
    if (largest >= oneHot) {
      throw new Error(
        `${fn}: input id ${largest} does not fit oneHot: ${oneHot}; set oneHot to the vocabulary size (> ${largest})`,
      );
    }
  }
  return stream;
}
