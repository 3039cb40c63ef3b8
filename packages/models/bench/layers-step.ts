import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BenchConfig } from './configs.js';

/**
 * The same model built from tfjs-layers (the obvious JavaScript alternative): [Embedding] → LSTM →
 * LSTM → time-distributed Dense, trained by `trainOnBatch` with SGD (lr 0.1) and sparse categorical
 * cross-entropy. tfjs-layers is batch-major: inputs [B, T] or [B, T, F].
 */
export function layersStep(config: BenchConfig): { step: () => Promise<unknown>; dispose: () => void } {
  const { spec, batch, window } = config;
  const model = tfl.sequential();
  if (spec.input === 'embedding') {
    model.add(
      tfl.layers.embedding({ inputDim: spec.vocabSize, outputDim: spec.embeddingSize!, inputLength: window }),
    );
  }
  for (let l = 0; l < spec.numLayers; l++) {
    model.add(
      tfl.layers.lstm({
        units: spec.hiddenSize,
        returnSequences: true,
        ...(l === 0 && spec.input === 'dense' ? { inputShape: [window, spec.featureSize] } : {}),
      }),
    );
  }
  model.add(
    tfl.layers.timeDistributed({
      layer: tfl.layers.dense({ units: spec.outputSize, activation: 'softmax' }),
    }),
  );
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
  const width = spec.input === 'embedding' ? spec.vocabSize : spec.featureSize;
  const ids = tf.randomUniform([batch, window], 0, width, 'int32', 7);
  const x = spec.input === 'embedding' ? tf.cast(ids, 'float32') : tf.cast(tf.oneHot(ids, width), 'float32');
  const y = tf.cast(tf.randomUniform([batch, window, 1], 0, spec.outputSize, 'int32', 8), 'float32');
  ids.dispose();
  // trainOnBatch reads the loss back, so the step has finished when its promise resolves.
  const step = () => model.trainOnBatch(x, y);
  return {
    step,
    dispose: () => {
      tf.dispose([x, y]);
      model.dispose();
    },
  };
}
