import * as tf from '@tensorflow/tfjs-core';
import {
  checkGather,
  checkRange,
  gatherRows,
  type Stream,
  type StreamShape,
  type StreamWindow,
  sliceRows,
} from './stream';

/**
 * An event stream laid out time-major, as `eventStreams` / `batchifyEvents` from `@tbptt/datasets` return it:
 * inputs [T, B, F] (F = M + 2: one-hot mark, new-sequence flag, previous gap) and targets [T, B, 2] (next mark,
 * next gap).
 */
export interface PointProcessLayout {
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  readonly steps: number;
  readonly batch: number;
  /** F: input features per position. */
  readonly features: number;
  /** M: marks; every mark target is an integer in [0, M). */
  readonly markCount: number;
}

/**
 * The engine's view of a marked event stream: dense inputs [T, B, F] and targets [T, B, 2] with targetKind
 * 'point-process', scored by the RMTPP loss (next-mark cross-entropy + next-gap negative log density, see
 * `pointProcessLoss`) against logits [T, B, M + 2] (mark logits, log λ, w). Refuses, naming the position, a mark
 * target outside [0, M) or a gap that is negative or not finite.
 */
export function pointProcessStream(source: PointProcessLayout): Stream {
  const fn = 'pointProcessStream';
  if (typeof source !== 'object' || source === null) {
    throw new Error(`${fn}: source must be what eventStreams / batchifyEvents return, got ${String(source)}`);
  }
  const { inputs, targets, steps, batch, features, markCount } = source;
  for (const [name, value] of [
    ['steps', steps],
    ['batch', batch],
    ['features', features],
    ['markCount', markCount],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${fn}: ${name} must be a positive integer, got ${value}`);
  }
  if (!(inputs instanceof Float32Array) || inputs.length !== steps * batch * features) {
    throw new Error(
      `${fn}: inputs must be a Float32Array of steps × batch × features = ${steps} × ${batch} × ${features}, got length ${inputs?.length}`,
    );
  }
  if (!(targets instanceof Float32Array) || targets.length !== steps * batch * 2) {
    throw new Error(
      `${fn}: targets must be a Float32Array of steps × batch × 2 = ${steps} × ${batch} × 2 (mark, gap), got length ${targets?.length}`,
    );
  }
  for (let i = 0; i < steps * batch; i++) {
    const mark = targets[2 * i]!;
    const gap = targets[2 * i + 1]!;
    if (!Number.isInteger(mark) || mark < 0 || mark >= markCount || !(gap >= 0) || !Number.isFinite(gap)) {
      throw new Error(
        `${fn}: the target at step ${Math.floor(i / batch)}, column ${i % batch} is (mark ${mark}, gap ${gap}); ` +
          `expected an integer mark in [0, ${markCount}) and a finite gap ≥ 0`,
      );
    }
  }
  const shape: StreamShape = { input: 'dense', inputSize: features, targetSize: markCount + 2 };
  const stream: Stream = {
    kind: 'dense',
    steps,
    batch,
    targetKind: 'point-process',
    slice(start: number, end: number): StreamWindow {
      checkRange('pointProcessStream.slice', stream, start, end);
      return {
        inputs: tf.tensor3d(sliceRows(inputs, batch, features, start, end), [end - start, batch, features]),
        targets: tf.tensor3d(sliceRows(targets, batch, 2, start, end), [end - start, batch, 2]),
      };
    },
    gather(starts, columns, length): StreamWindow {
      checkGather('pointProcessStream.gather', stream, starts, columns, length);
      const s = starts.length;
      return {
        inputs: tf.tensor3d(gatherRows(inputs, batch, features, starts, columns, length), [
          length,
          s,
          features,
        ]),
        targets: tf.tensor3d(gatherRows(targets, batch, 2, starts, columns, length), [length, s, 2]),
      };
    },
    describe: () => shape,
  };
  return stream;
}
