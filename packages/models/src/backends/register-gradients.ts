import { getGradient } from '@tensorflow/tfjs-core';

/**
 * Makes sure tfjs's gradient functions are registered (autodiff needs one per kernel).
 *
 * `@tensorflow/tfjs-core` registers them only from its ES module build (`dist/register_all_gradients`);
 * its Node bundle has none, and those ES files cannot be loaded by Node itself. `@tensorflow/tfjs`'s
 * bundles carry them, so it is imported (once, lazily) when they are missing. Idempotent.
 */
export async function ensureGradients(): Promise<void> {
  if (getGradient('BatchMatMul') != null) return;
  await import('@tensorflow/tfjs');
  if (getGradient('BatchMatMul') == null) {
    throw new Error(
      'ensureGradients: @tensorflow/tfjs was imported but no gradients are registered; ' +
        'check that @tensorflow/tfjs and @tensorflow/tfjs-core resolve to the same version (4.22)',
    );
  }
}
