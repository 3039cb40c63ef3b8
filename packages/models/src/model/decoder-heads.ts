import * as tf from '@tensorflow/tfjs-core';
import { matMulBias } from '../internal/mat-mul-bias';
import { linear } from '../kernels/linear-kernel';
import type { InputEncoderSpec } from '../types';
import type { NormalizedSpec } from './validate-spec';

/** Maps the top layer's (dropped-out) output rows [N, H] to the logits rows [N, O]. */
export type Decoder = (top: tf.Tensor2D) => tf.Tensor2D;

/**
 * The decoder of a spec, reading its parameters through `variable` (by state_dict name):
 *
 * - no heads: logits = x W_decᵀ + b_dec (W_dec = encoder.weight with tied weights), by {@link linear}
 *   (on wasm this package's SIMD kernels, which read W_dec [O, H] as it is stored);
 * - heads: every linear head's weights are stacked into one [Σ linear sizes, H] matrix, so all of them cost
 *   one matrix product, and the logits are the heads' outputs concatenated in spec order: linear head k gives
 *   x W_kᵀ + b_k, constant head k its weight column w_k [size, 1] repeated on every row.
 */
export function decoderParts(spec: NormalizedSpec, variable: (name: string) => tf.Variable): Decoder {
  if (spec.heads === undefined) {
    const weight = (
      spec.tieWeights ? variable('encoder.weight') : variable('decoder.weight')
    ) as tf.Variable<tf.Rank.R2>;
    const bias = variable('decoder.bias') as tf.Variable<tf.Rank.R1>;
    // [N, H] x [O, H]ᵀ + [O] -> [N, O]
    return (x) => linear(x, weight, bias);
  }
  const heads = spec.heads;
  const linearHeads = heads.filter((head) => head.kind === 'linear');
  const linearWeights = linearHeads.map(
    (head) => variable(`heads.${head.name}.weight`) as tf.Variable<tf.Rank.R2>,
  );
  const linearBiases = linearHeads.map(
    (head) => variable(`heads.${head.name}.bias`) as tf.Variable<tf.Rank.R1>,
  );
  const constants = new Map(
    heads
      .filter((head) => head.kind === 'constant')
      .map((head) => [head.name, variable(`heads.${head.name}.weight`) as tf.Variable<tf.Rank.R2>]),
  );
  return (x) => {
    const rows = x.shape[0];
    let linearOut: tf.Tensor2D | null = null;
    if (linearHeads.length > 0) {
      // K × [size_k, H] -> [ΣL, H];  K × [size_k] -> [ΣL];  [N, H] x [ΣL, H]ᵀ + [ΣL] -> [N, ΣL]
      const weight = linearWeights.length === 1 ? linearWeights[0]! : tf.concat(linearWeights, 0);
      const bias = linearBiases.length === 1 ? linearBiases[0]! : tf.concat(linearBiases, 0);
      linearOut = linear(x, weight as tf.Tensor2D, bias as tf.Tensor1D);
    }
    if (constants.size === 0) return linearOut!;
    // Pieces in head order; adjacent linear heads are one slice of linearOut.
    const pieces: tf.Tensor2D[] = [];
    let column = 0; // next unread column of linearOut
    let run = 0; // width of the linear run being collected
    const flush = () => {
      if (run === 0) return;
      const whole = column === 0 && run === linearOut!.shape[1];
      pieces.push(whole ? linearOut! : (tf.slice(linearOut!, [0, column], [rows, run]) as tf.Tensor2D)); // [N, run]
      column += run;
      run = 0;
    };
    for (const head of heads) {
      if (head.kind === 'linear') {
        run += head.size;
        continue;
      }
      flush();
      // [size, 1] -> [1, size] -> tile [N, size] (the gradient of tile sums the rows into w)
      pieces.push(tf.tile(tf.reshape(constants.get(head.name)!, [1, head.size]), [rows, 1]) as tf.Tensor2D);
    }
    flush();
    return pieces.length === 1 ? pieces[0]! : (tf.concat(pieces, 1) as tf.Tensor2D); // [N, O]
  };
}

/**
 * A dense input encoder: features [T, B, F] -> rows [T·B, size + F − n], the first n features through the
 * linear encoder, the rest passed through after it.
 */
export function encodeLeadingFeatures(
  inputs: tf.Tensor,
  rows: number,
  encoder: InputEncoderSpec & { weight: tf.Tensor2D; bias: tf.Tensor1D },
): tf.Tensor2D {
  const featureSize = inputs.shape[2]!;
  const flat = tf.reshape(inputs, [rows, featureSize]) as tf.Tensor2D; // [T, B, F] -> [T·B, F]
  const encodedInput =
    encoder.features === featureSize
      ? flat
      : (tf.slice(flat, [0, 0], [rows, encoder.features]) as tf.Tensor2D); // [T·B, n]
  // [size, n] -> [n, size];  [T·B, n] x [n, size] + [size] -> [T·B, size]
  const encoded = matMulBias(encodedInput, tf.transpose(encoder.weight) as tf.Tensor2D, encoder.bias);
  if (encoder.features === featureSize) return encoded;
  const passed = tf.slice(flat, [0, encoder.features], [rows, featureSize - encoder.features]); // [T·B, F − n]
  return tf.concat([encoded, passed], 1) as tf.Tensor2D; // [T·B, size + F − n]
}
