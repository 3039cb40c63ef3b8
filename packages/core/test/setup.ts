// @tensorflow/tfjs's Node bundle registers the CPU backend and every gradient (tfjs-core's Node bundle
// registers no gradients). Tests run on the CPU backend: for models this small it beats WASM's call overhead.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
