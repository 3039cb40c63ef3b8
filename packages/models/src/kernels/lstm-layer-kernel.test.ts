import type * as tf from '@tensorflow/tfjs-core';
import { describeLayerKernel } from '../../test/helpers/check-layer-kernel';
import { lstmLayer, lstmLayerKernel } from './lstm-layer-kernel';

describeLayerKernel('lstm', lstmLayerKernel, (x) => {
  const get = (name: string) => x.get(name) as tf.Tensor2D;
  const { outputs, h, c } = lstmLayer({
    inputGates: get('inputGates'),
    weightHhT: get('weightHhT'),
    h0: get('initial.h'),
    c0: get('initial.c'),
    ...(x.has('probes.h') ? { probes: { h: get('probes.h'), c: get('probes.c') } } : {}),
  });
  return { outputs, final: [h, c] };
});
