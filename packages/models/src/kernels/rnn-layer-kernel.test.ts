import type * as tf from '@tensorflow/tfjs-core';
import { describeLayerKernel } from '../../test/helpers/check-layer-kernel';
import { rnnLayer, rnnLayerKernels } from './rnn-layer-kernel';

for (const nonlinearity of ['tanh', 'relu'] as const) {
  describeLayerKernel(`rnn_${nonlinearity}`, rnnLayerKernels[nonlinearity], (x) => {
    const get = (name: string) => x.get(name) as tf.Tensor2D;
    const { outputs, h } = rnnLayer({
      inputGates: get('inputGates'),
      weightHhT: get('weightHhT'),
      h0: get('initial.h'),
      nonlinearity,
      ...(x.has('probes.h') ? { probes: { h: get('probes.h') } } : {}),
    });
    return { outputs, final: [h] };
  });
}
