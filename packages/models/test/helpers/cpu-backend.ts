import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '../../src/backends/register-gradients';

/**
 * Switches tfjs to the cpu backend (call in beforeAll). tfjs-core's Node build registers no gradient
 * functions: this package's `ensureGradients` does (what `selectBackend` calls), without @tensorflow/tfjs.
 */
export async function useCpuBackend(): Promise<void> {
  await ensureGradients();
  await tf.setBackend('cpu');
  await tf.ready();
}
