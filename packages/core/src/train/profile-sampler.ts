import type { GradientNormProfile } from '@tbptt/estimators';
import type { RecurrentModel } from '@tbptt/models';
import { type Prng, uniformInt } from '@tbptt/random';
import * as tf from '@tensorflow/tfjs-core';
import type { ProfileRequest } from '../controllers/truncation-controller';
import { gradientNormProfileGroups } from '../profile/gradient-norm-profile';
import type { Stream } from '../streams/stream';

/**
 * The engine's answer to a profile request: S × repeats positions of the training stream drawn uniformly (a
 * column and a start such that burn-in + W steps fit), gathered into one batch, then ONE one-pass probe from the
 * zero state with dropout off, split into `repeats` total profiles of S rows each (each with its cumulative
 * adjoint norms). Dropout is off so that probing draws nothing from the model's dropout stream: fixed and
 * adaptive runs from one seed then see the same masks (the reference probes with dropout on).
 */
export function sampleProfiles(
  model: RecurrentModel,
  stream: Stream,
  rng: Prng,
  request: ProfileRequest,
): GradientNormProfile[] {
  const length = request.burnIn + request.window;
  if (length > stream.steps) {
    throw new Error(
      `sampleProfiles: burnIn + window = ${length} steps do not fit in the training stream (${stream.steps} steps); ` +
        'lower window / burnIn or lay the stream out with fewer columns',
    );
  }
  const starts: number[] = [];
  const columns: number[] = [];
  for (let s = 0; s < request.samples * request.repeats; s++) {
    starts.push(uniformInt(rng, stream.steps - length + 1));
    columns.push(uniformInt(rng, stream.batch));
  }
  const { inputs, targets } = stream.gather(starts, columns, length);
  try {
    return gradientNormProfileGroups(model, inputs, targets, {
      window: request.window,
      burnIn: request.burnIn,
      averaging: request.averaging,
      targetKind: stream.targetKind,
      groups: request.repeats,
    }).map((profiles) => profiles.total);
  } finally {
    tf.dispose([inputs, targets]);
  }
}
