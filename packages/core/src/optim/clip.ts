import { sumOfSquares } from '@tbptt/models/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { EMPTY_STATE, type GradientTransformation } from './gradient-transformation';

/** ‖(g₁, …, gₘ)‖₂ over all gradients, as a number (non-finite exactly when some entry is). */
export function globalNorm(grads: readonly tf.Tensor[]): number {
  // One pass per gradient on the backend's memory (wasm, cpu; float64 sums), tfjs ops elsewhere.
  return Math.sqrt(sumOfSquares(grads));
}

export interface ClipOptions {
  /** The threshold c > 0. */
  norm: number;
  /**
   * 'mean' (default): clip the gradient of the loss averaged over the window's loss positions at c.
   * 'sum': clip the gradient of the summed window loss at c — the reference's convention (`tbptt.py` with
   * `normed=True` averages the K losses and clips at c / K), so the threshold on the mean-loss gradient is c / K.
   */
  over?: 'mean' | 'sum';
}

/** Checks clip options; errors name the field. */
export function checkClip(fn: string, clip: ClipOptions): Required<ClipOptions> {
  if (typeof clip !== 'object' || clip === null) {
    throw new Error(`${fn}: clip must be { norm, over? }, got ${String(clip)}`);
  }
  if (typeof clip.norm !== 'number' || !(clip.norm > 0) || !Number.isFinite(clip.norm)) {
    throw new Error(`${fn}: clip.norm must be a finite number > 0, got ${String(clip.norm)}`);
  }
  const over = clip.over ?? 'mean';
  if (over !== 'mean' && over !== 'sum') {
    throw new Error(`${fn}: clip.over must be 'mean' or 'sum', got ${JSON.stringify(over)}`);
  }
  return { norm: clip.norm, over };
}

/** The threshold on the mean-loss gradient: c, or c / K when clipping over the summed loss. */
export function clipThreshold(clip: Required<ClipOptions>, lossPositions: number): number {
  return clip.over === 'sum' ? clip.norm / lossPositions : clip.norm;
}

/**
 * Global-norm clipping (Pascanu et al. 2013; PyTorch's `clip_grad_norm_`): with n = ‖g‖₂ and threshold c',
 * every gᵢ is scaled by c' / (n + 10⁻⁶) when n > c'. Uses `context.gradNorm` when the engine measured it.
 */
export function clipByGlobalNorm(options: ClipOptions): GradientTransformation {
  const clip = checkClip('clipByGlobalNorm', options);
  return {
    name: 'clip',
    init: () => EMPTY_STATE,
    update(grads, state, context) {
      const norm = context.gradNorm ?? globalNorm(grads);
      const threshold = clipThreshold(clip, context.lossPositions);
      if (!(norm > threshold)) return { updates: grads.map((g) => tf.clone(g)), state };
      const scale = threshold / (norm + 1e-6);
      return { updates: grads.map((g) => tf.mul(g, scale)), state };
    },
  };
}
