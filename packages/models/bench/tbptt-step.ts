import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from '../src/loss/softmax-cross-entropy.js';
import { createModel } from '../src/model/create-model.js';
import type { BenchConfig } from './configs.js';

/** Random inputs and targets for one window of `config` (fixed across steps). */
export function makeBatch(config: BenchConfig): { inputs: tf.Tensor; targets: tf.Tensor1D } {
  const { spec, batch, window } = config;
  const rows = batch * window;
  const width = spec.input === 'embedding' ? spec.vocabSize : spec.featureSize;
  const ids = tf.randomUniform([window, batch], 0, width, 'int32', 7);
  const inputs = spec.input === 'embedding' ? ids : tf.cast(tf.oneHot(ids, width), 'float32');
  if (spec.input !== 'embedding') ids.dispose();
  const targets = tf.randomUniform([rows], 0, spec.outputSize, 'int32', 8) as tf.Tensor1D;
  return { inputs, targets };
}

/**
 * One training step of this package's model: forward over the window, softmax cross-entropy,
 * gradients of every variable, SGD update (lr 0.1). Returns the step function and a dispose.
 */
export function tbpttStep(config: BenchConfig): { step: () => void; dispose: () => void } {
  const model = createModel(config.spec);
  const { inputs, targets } = makeBatch(config);
  const state = model.initialState(config.batch);
  const lr = tf.scalar(0.1);
  const step = () => {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = model.forward(inputs, state, { training: true });
        const [steps, batch, classes] = logits.shape;
        // [T, B, O] -> [T·B, O]
        return softmaxCrossEntropy(targets, tf.reshape(logits, [steps * batch, classes]) as tf.Tensor2D);
      }, model.variables);
      for (const v of model.variables) v.assign(tf.sub(v, tf.mul(grads[v.name]!, lr)));
      value.dataSync();
    });
  };
  return {
    step,
    dispose: () => {
      tf.dispose([inputs, targets, lr, ...state]);
      model.dispose();
    },
  };
}
