import { getGradient } from '@tensorflow/tfjs-core';

/**
 * Makes sure tfjs's gradient functions are registered (autodiff needs one per kernel). Idempotent.
 *
 * `@tensorflow/tfjs-core` registers them only from its ES files (`dist/register_all_gradients`), which
 * its Node build leaves out and Node cannot load. This package ships them as `generated/tfjs-gradients.js`
 * (made by `scripts/bundle-gradients.mjs`: the same gradient functions over tfjs-core's public API), imported
 * once, lazily, so that a program that never trains does not load them; no `@tensorflow/tfjs` is needed.
 */
export async function ensureGradients(): Promise<void> {
  if (getGradient('BatchMatMul') != null) return;
  await import('./generated/tfjs-gradients.js');
  if (getGradient('BatchMatMul') == null) {
    throw new Error(
      'ensureGradients: the gradient module was imported but no gradients are registered; ' +
        'check that a single @tensorflow/tfjs-core is installed (`npm ls @tensorflow/tfjs-core`)',
    );
  }
}
