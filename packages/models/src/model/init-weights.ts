import { createPrng, fillNormal, fillUniform, type Prng } from '@tbptt/random';
import type { ParameterInfo } from './parameter-layout';
import type { NormalizedSpec } from './validate-spec';

/**
 * Initial values of one parameter.
 *
 * - 'paper': matrices uniform on ±√(3 / max(rows, cols)) (variance 1 / max dim), vectors zero.
 * - 'pytorch': PyTorch's defaults — nn.LSTM/GRU/RNN: every weight and bias uniform on ±1/√H;
 *   nn.Embedding: N(0, 1); nn.Linear (kaiming_uniform with a = √5 on fan_in): weight and bias uniform on
 *   ±1/√fan_in, fan_in = H for the decoder and linear heads, the encoded features for a dense input encoder,
 *   1 for a constant head.
 */
export function initialValues(spec: NormalizedSpec, info: ParameterInfo, rng: Prng): Float32Array {
  const size = info.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const isMatrix = info.shape.length === 2;
  if (spec.init === 'paper') {
    if (!isMatrix) return out;
    const bound = Math.sqrt(3 / Math.max(...info.shape));
    return fillUniform(rng, out, -bound, bound);
  }
  if (info.role === 'encoder' && info.fanIn === undefined) return fillNormal(rng, out, 0, 1);
  const bound = 1 / Math.sqrt(info.fanIn ?? spec.hiddenSize);
  return fillUniform(rng, out, -bound, bound);
}

/** Initial values of every parameter in `layout`, drawn in layout order from the spec's seed. */
export function initialWeights(spec: NormalizedSpec, layout: readonly ParameterInfo[]): Float32Array[] {
  const rng = createPrng(spec.seed, 'init');
  return layout.map((info) => initialValues(spec, info, rng));
}
