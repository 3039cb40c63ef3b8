import { cells } from '../cells/cells';
import type { NormalizedSpec } from './validate-spec';

/** Which part of the network a parameter belongs to (decides its initialiser). */
export type ParameterRole = 'encoder' | 'recurrent' | 'decoder';

/** One parameter tensor: its PyTorch state_dict name and shape. */
export interface ParameterInfo {
  name: string;
  shape: number[];
  role: ParameterRole;
  /**
   * The input width of the nn.Linear this parameter belongs to, when it is not H: the dense input encoder's
   * (features) and a constant head's (1). PyTorch's default initialiser bounds a Linear's weight and bias by
   * 1/√fanIn.
   */
  fanIn?: number;
}

/**
 * Width of the input to recurrent layer `layer`: E (embedding), F (dense), size + F − features (dense with an
 * input encoder) or H (upper layers).
 */
export function layerInputSize(spec: NormalizedSpec, layer: number): number {
  if (layer > 0) return spec.hiddenSize;
  if (spec.input === 'embedding') return spec.embeddingSize;
  const encoder = spec.inputEncoder;
  return encoder === undefined ? spec.featureSize : encoder.size + spec.featureSize - encoder.features;
}

/**
 * The model's parameters in PyTorch state_dict order (an `encoder` nn.Embedding, an `rnn` nn.LSTM / nn.GRU /
 * nn.RNN, a `decoder` nn.Linear): encoder.weight [V, E] (embedding input only), then per layer l
 * rnn.weight_ih_l{l} [G·H, in], rnn.weight_hh_l{l} [G·H, H], rnn.bias_ih_l{l} [G·H], rnn.bias_hh_l{l} [G·H],
 * then decoder.weight [O, H] and decoder.bias [O]. With tied weights decoder.weight is encoder.weight and is
 * not listed (see {@link TIED_DECODER_WEIGHT}).
 *
 * A dense input encoder (`spec.inputEncoder`, an nn.Linear) is encoder.weight [size, features] and
 * encoder.bias [size]. With `spec.heads` the decoder is, per head in order, heads.<name>.weight [size, H] and
 * heads.<name>.bias [size] (linear) or heads.<name>.weight [size, 1] (constant), an nn.ModuleDict `heads`.
 */
export function parameterLayout(spec: NormalizedSpec): ParameterInfo[] {
  const gateWidth = cells[spec.cell].gateCount * spec.hiddenSize;
  const layout: ParameterInfo[] = [];
  if (spec.input === 'embedding') {
    layout.push({ name: 'encoder.weight', shape: [spec.vocabSize, spec.embeddingSize], role: 'encoder' });
  } else if (spec.inputEncoder !== undefined) {
    const { features, size } = spec.inputEncoder;
    layout.push(
      { name: 'encoder.weight', shape: [size, features], role: 'encoder', fanIn: features },
      { name: 'encoder.bias', shape: [size], role: 'encoder', fanIn: features },
    );
  }
  for (let l = 0; l < spec.numLayers; l++) {
    layout.push(
      { name: `rnn.weight_ih_l${l}`, shape: [gateWidth, layerInputSize(spec, l)], role: 'recurrent' },
      { name: `rnn.weight_hh_l${l}`, shape: [gateWidth, spec.hiddenSize], role: 'recurrent' },
      { name: `rnn.bias_ih_l${l}`, shape: [gateWidth], role: 'recurrent' },
      { name: `rnn.bias_hh_l${l}`, shape: [gateWidth], role: 'recurrent' },
    );
  }
  if (spec.heads !== undefined) {
    for (const head of spec.heads) {
      if (head.kind === 'constant') {
        layout.push({ name: `heads.${head.name}.weight`, shape: [head.size, 1], role: 'decoder', fanIn: 1 });
      } else {
        layout.push(
          { name: `heads.${head.name}.weight`, shape: [head.size, spec.hiddenSize], role: 'decoder' },
          { name: `heads.${head.name}.bias`, shape: [head.size], role: 'decoder' },
        );
      }
    }
    return layout;
  }
  if (!spec.tieWeights) {
    layout.push({ name: 'decoder.weight', shape: [spec.outputSize, spec.hiddenSize], role: 'decoder' });
  }
  layout.push({ name: 'decoder.bias', shape: [spec.outputSize], role: 'decoder' });
  return layout;
}

/** The state_dict name that, with tied weights, aliases encoder.weight (PyTorch saves both). */
export const TIED_DECODER_WEIGHT = 'decoder.weight';
