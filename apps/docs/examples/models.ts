// @tbptt/models: an LSTM language model on the wasm backend, one window forward, the loss, weights as bytes.
import {
  createModel,
  deserializeWeights,
  selectBackend,
  serializeWeights,
  softmaxCrossEntropy,
} from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';

const backend = await selectBackend('wasm');
const model = createModel({
  cell: 'lstm',
  input: 'embedding',
  vocabSize: 50,
  hiddenSize: 32,
  numLayers: 2,
  outputSize: 50,
  seed: 1,
});
console.log(`backend ${backend}; parameters: ${[...model.namedVariables.keys()].join(', ')}`);

const T = 8;
const B = 4;
const loss = tf.tidy(() => {
  const ids = tf.tensor2d(
    Int32Array.from({ length: T * B }, (_, i) => (7 * i) % 50),
    [T, B],
    'int32',
  ); // [T, B]
  const next = tf.tensor1d(
    Int32Array.from({ length: T * B }, (_, i) => (7 * i + 7) % 50),
    'int32',
  ); // [T·B]
  const state = model.initialState(B); // [h0, c0, h1, c1], each [B, H]
  const { logits } = model.forward(ids, state); // logits [T, B, V]
  return softmaxCrossEntropy(next, tf.reshape(logits, [T * B, 50]) as tf.Tensor2D).dataSync()[0]!; // [T·B, V]
});
console.log(`loss of an untrained model: ${loss.toFixed(3)} nats (ln 50 = ${Math.log(50).toFixed(3)})`);

// Safetensors with PyTorch's state_dict names: the same bytes load into nn.LSTM + nn.Embedding + nn.Linear.
const bytes = serializeWeights(model);
const copy = createModel({ ...model.spec, seed: 2 });
deserializeWeights(copy, bytes);
const same = model.variables.every((v, i) =>
  tf.tidy(() => tf.all(tf.equal(v, copy.variables[i]!)).dataSync()[0] === 1),
);
console.log(
  `${bytes.byteLength} bytes of weights; a second model loaded them: ${same ? 'identical' : 'different'}`,
);
model.dispose();
copy.dispose();
