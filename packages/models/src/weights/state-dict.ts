import * as tf from '@tensorflow/tfjs-core';
import { TIED_DECODER_WEIGHT } from '../model/parameter-layout';
import type { RecurrentModel } from '../types';
import type { NamedTensor } from './safetensors';

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The model's weights as a PyTorch state_dict: name -> float32 data, in state_dict order. With tied weights
 * decoder.weight is written too (a copy of encoder.weight), as PyTorch's state_dict lists both.
 */
export function modelStateDict(model: RecurrentModel): Map<string, NamedTensor> {
  const entries = new Map<string, NamedTensor>();
  for (const [name, variable] of model.namedVariables) {
    if (name === 'decoder.bias' && model.spec.tieWeights) {
      const encoder = model.namedVariables.get('encoder.weight')!;
      entries.set(TIED_DECODER_WEIGHT, {
        shape: [...encoder.shape],
        data: encoder.dataSync() as Float32Array,
      });
    }
    entries.set(name, { shape: [...variable.shape], data: (variable.dataSync() as Float32Array).slice() });
  }
  return entries;
}

/**
 * Copies a state_dict into the model's variables. Everything is checked before anything is written, so a
 * mismatch leaves the model unchanged: every model tensor must be present with the model's shape, and no
 * other tensor may be present (names and both shapes are reported). With tied weights, decoder.weight may be
 * absent; if present it must equal encoder.weight.
 */
export function loadStateDict(
  model: RecurrentModel,
  tensors: ReadonlyMap<string, NamedTensor>,
  fn: string,
): void {
  const expected = new Set(model.namedVariables.keys());
  const tied = model.spec.tieWeights;
  const missing = [...expected].filter((name) => !tensors.has(name));
  const unexpected = [...tensors.keys()].filter(
    (name) => !expected.has(name) && !(tied && name === TIED_DECODER_WEIGHT),
  );
  if (missing.length > 0 || unexpected.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
    if (unexpected.length > 0) parts.push(`unexpected ${unexpected.join(', ')}`);
    throw new Error(
      `${fn}: the weights do not fit this model (${model.spec.cell}, ${model.spec.numLayers} layers, ` +
        `${model.spec.input} input): ${parts.join('; ')}; check cell, numLayers, input and tieWeights`,
    );
  }
  for (const [name, variable] of model.namedVariables) {
    const tensor = tensors.get(name)!;
    if (
      tensor.shape.length !== variable.shape.length ||
      tensor.shape.some((d, i) => d !== variable.shape[i])
    ) {
      throw new Error(
        `${fn}: tensor ${name} has shape ${shapeText(tensor.shape)} in the weights but ${shapeText(variable.shape)} ` +
          'in the model; check the sizes in the model spec',
      );
    }
  }
  const decoder = tensors.get(TIED_DECODER_WEIGHT);
  if (tied && decoder !== undefined) {
    const encoder = tensors.get('encoder.weight')!;
    const sameShape = decoder.shape.length === 2 && decoder.shape.every((d, i) => d === encoder.shape[i]);
    if (!sameShape || decoder.data.some((v, i) => v !== encoder.data[i])) {
      throw new Error(
        `${fn}: the model ties decoder.weight to encoder.weight, but the weights hold a different decoder.weight ` +
          `(${shapeText(decoder.shape)} vs ${shapeText(encoder.shape)}); load them into an untied model`,
      );
    }
  }
  tf.tidy(() => {
    for (const [name, variable] of model.namedVariables) {
      const tensor = tensors.get(name)!;
      variable.assign(tf.tensor(tensor.data, tensor.shape, 'float32'));
    }
  });
}
