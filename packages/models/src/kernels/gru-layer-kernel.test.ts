import type * as tf from '@tensorflow/tfjs-core';
import { describeLayerKernel } from '../../test/helpers/check-layer-kernel';
import { gruLayer, gruLayerKernel } from './gru-layer-kernel';

describeLayerKernel('gru', gruLayerKernel, (x) => {
  const get = (name: string) => x.get(name) as tf.Tensor2D;
  const { outputs, h } = gruLayer({
    inputGates: get('inputGates'),
    weightHhT: get('weightHhT'),
    biasHh: x.get('biasHh') as tf.Tensor1D,
    h0: get('initial.h'),
    ...(x.has('probes.h') ? { probes: { h: get('probes.h') } } : {}),
  });
  return { outputs, final: [h] };
});
