import * as tf from '@tensorflow/tfjs-core';

/**
 * A training or evaluation stream laid out time-major: `steps` (T) positions, each holding
 * `batch` (B) independent columns read in parallel (as `batchify` lays out a corpus).
 * Position t pairs an input x_t with a target y_t.
 */
export interface Stream {
  readonly kind: 'tokens' | 'dense';
  /** T: number of (input, target) positions. */
  readonly steps: number;
  /** B: number of independent columns. */
  readonly batch: number;
  /**
   * 'classes': int32 targets [T, B] (softmax cross-entropy); 'real': float32 targets [T, B, O] (squared error);
   * 'point-process': float32 targets [T, B, 2], the next mark and gap (RMTPP loss, see `pointProcessStream`).
   */
  readonly targetKind: 'classes' | 'real' | 'point-process';
  /** Inputs [end−start, B(, F)] and targets [end−start, B(, O)] for positions [start, end). Caller disposes. */
  slice(start: number, end: number): StreamWindow;
  /**
   * Gathers `length` consecutive positions from each (start, column) pair into a batch of
   * S = starts.length rows: inputs [length, S(, F)], targets [length, S(, O)]. Caller disposes.
   */
  gather(starts: readonly number[], columns: readonly number[], length: number): StreamWindow;
  /**
   * What the model must accept: for id inputs the largest id (the model needs vocabSize > it), for dense
   * inputs the feature width; for class targets the largest target (the model needs outputSize > it); for real
   * targets their width. Computed once, on first call.
   */
  describe(): StreamShape;
}

export interface StreamShape {
  /** 'ids': int32 inputs [T, B]; 'dense': float32 inputs [T, B, F]. */
  input: 'ids' | 'dense';
  /** Largest input id (ids) or F (dense). */
  inputSize: number;
  /** Largest class target; the real target width O; for point processes M + 2, the logits width it needs. */
  targetSize: number;
}

export interface StreamWindow {
  inputs: tf.Tensor;
  targets: tf.Tensor;
}

export function checkRange(fn: string, stream: Stream, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > stream.steps || end <= start) {
    throw new Error(
      `${fn}: window [${start}, ${end}) must be a non-empty integer range inside [0, ${stream.steps}); ` +
        'check the window length against the stream length',
    );
  }
}

export function checkGather(
  fn: string,
  stream: Stream,
  starts: readonly number[],
  columns: readonly number[],
  length: number,
): void {
  if (starts.length !== columns.length || starts.length === 0) {
    throw new Error(
      `${fn}: starts and columns must be non-empty and the same length, got ${starts.length} and ${columns.length}`,
    );
  }
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const c = columns[i]!;
    if (s < 0 || s + length > stream.steps || c < 0 || c >= stream.batch) {
      throw new Error(
        `${fn}: sample ${i} (start ${s}, column ${c}, length ${length}) falls outside the stream ` +
          `[${stream.steps} steps, ${stream.batch} columns]; use a shorter window or a longer stream`,
      );
    }
  }
}

/**
 * Copies rows [start, end) of a time-major array [T, B, D] (D values per cell).
 */
export function sliceRows<A extends Int32Array | Float32Array>(
  data: A,
  batch: number,
  depth: number,
  start: number,
  end: number,
): A {
  return data.slice(start * batch * depth, end * batch * depth) as A;
}

/**
 * Gathers `length` rows from each (start, column) pair: [T, B, D] -> [length, S, D].
 */
export function gatherRows<A extends Int32Array | Float32Array>(
  data: A,
  batch: number,
  depth: number,
  starts: readonly number[],
  columns: readonly number[],
  length: number,
): A {
  const samples = starts.length;
  const out = new (data.constructor as { new (n: number): A })(length * samples * depth);
  for (let t = 0; t < length; t++) {
    for (let s = 0; s < samples; s++) {
      const src = ((starts[s]! + t) * batch + columns[s]!) * depth;
      const dst = (t * samples + s) * depth;
      for (let d = 0; d < depth; d++) out[dst + d] = data[src + d]!;
    }
  }
  return out;
}

/** The largest value of an id array (−1 when empty). */
export function maxId(data: Int32Array): number {
  let max = -1;
  for (let i = 0; i < data.length; i++) if (data[i]! > max) max = data[i]!;
  return max;
}

export function toTensor(data: Int32Array | Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(data, shape, data instanceof Int32Array ? 'int32' : 'float32');
}
