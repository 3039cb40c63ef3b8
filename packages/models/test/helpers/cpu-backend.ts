import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Switches tfjs to the cpu backend (call in beforeAll). tfjs-core's Node build registers no gradient
 * functions; @tensorflow/tfjs's Node bundle does, so it is imported once here.
 */
export async function useCpuBackend(): Promise<void> {
  if (tf.getGradient('BatchMatMul') == null) await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
}
