import type { RecurrentModel } from '../types';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { loadStateDict, modelStateDict } from './state-dict';

/**
 * The model's weights as a safetensors file in memory, with PyTorch state_dict names and layouts
 * (encoder.weight [V, E], rnn.weight_ih_l0 [G·H, in], rnn.weight_hh_l0 [G·H, H], rnn.bias_ih_l0,
 * rnn.bias_hh_l0, …, decoder.weight [O, H], decoder.bias [O]), loadable by `safetensors.torch.load_file`
 * into a module with `encoder` (nn.Embedding), `rnn` (nn.LSTM/GRU/RNN) and `decoder` (nn.Linear).
 * The metadata records the model spec under "tbptt.spec". Works in browsers and Node.
 */
export function serializeWeights(model: RecurrentModel): ArrayBuffer {
  return encodeSafetensors(modelStateDict(model), { format: 'pt', 'tbptt.spec': JSON.stringify(model.spec) });
}

/**
 * Loads weights from a safetensors file in memory (see {@link serializeWeights}) into the model. A missing,
 * unexpected or differently shaped tensor throws naming it and both shapes, and leaves the model unchanged.
 */
export function deserializeWeights(model: RecurrentModel, file: ArrayBuffer | ArrayBufferView): void {
  loadStateDict(model, decodeSafetensors(file).tensors, 'deserializeWeights');
}
