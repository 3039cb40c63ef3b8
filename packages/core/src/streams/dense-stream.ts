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
  toTensor,
} from './stream';

export interface DenseStreamOptions {
  batch: number;
  /** F: features per position. */
  features: number;
  /** Inputs [T, B, F], time-major. */
  inputs: Float32Array;
  /** Int targets [T, B] (classes) or real targets [T, B, O] (squared error). */
  targets: Int32Array | Float32Array;
  /** O for real targets; ignored for int targets. */
  outputs?: number;
}

/**
 * A dense feature stream [T, B, F] with integer targets [T, B] or real targets [T, B, O].
 */
export function denseStream(options: DenseStreamOptions): Stream {
  const { batch, features, inputs, targets } = options;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`denseStream: batch must be a positive integer, got ${batch}`);
  }
  if (!Number.isInteger(features) || features < 1) {
    throw new Error(`denseStream: features must be a positive integer, got ${features}`);
  }
  if (inputs.length % (batch * features) !== 0 || inputs.length === 0) {
    throw new Error(
      `denseStream: inputs.length (${inputs.length}) must be a non-zero multiple of batch × features (${batch * features})`,
    );
  }
  const steps = inputs.length / (batch * features);
  const real = targets instanceof Float32Array;
  const outputs = real ? (options.outputs ?? 1) : 1;
  if (targets.length !== steps * batch * outputs) {
    throw new Error(
      `denseStream: targets.length (${targets.length}) must be T × B${real ? ' × outputs' : ''} = ${steps * batch * outputs}` +
        (real ? '; set outputs to the target width O' : ''),
    );
  }
  const targetShape = (t: number, b: number): number[] => (real ? [t, b, outputs] : [t, b]);

  let shape: StreamShape | undefined;
  const stream: Stream = {
    kind: 'dense',
    steps,
    batch,
    targetKind: real ? 'real' : 'classes',
    slice(start: number, end: number): StreamWindow {
      checkRange('denseStream.slice', stream, start, end);
      return {
        inputs: tf.tensor3d(sliceRows(inputs, batch, features, start, end), [end - start, batch, features]),
        targets: toTensor(sliceRows(targets, batch, outputs, start, end), targetShape(end - start, batch)),
      };
    },
    gather(starts, columns, length): StreamWindow {
      checkGather('denseStream.gather', stream, starts, columns, length);
      const s = starts.length;
      return {
        inputs: tf.tensor3d(gatherRows(inputs, batch, features, starts, columns, length), [
          length,
          s,
          features,
        ]),
        targets: toTensor(
          gatherRows(targets, batch, outputs, starts, columns, length),
          targetShape(length, s),
        ),
      };
    },
    describe: () => {
      shape ??= {
        input: 'dense',
        inputSize: features,
        targetSize: real ? outputs : maxId(targets as Int32Array),
      };
      return shape;
    },
  };
  return stream;
}
