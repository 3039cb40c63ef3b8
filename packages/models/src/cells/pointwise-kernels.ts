import { gruPointwise } from './gru-pointwise';
import { lstmPointwise } from './lstm-pointwise';
import { rnnPointwise } from './rnn-pointwise';

/**
 * The seam between the cells and fused kernels: each cell step calls the active pointwise function for its
 * type. The defaults are the plain-op versions; a backend with fused kernels installs its own (same
 * signatures, same results) with {@link setPointwiseKernels}.
 */
export interface PointwiseKernels {
  lstm: typeof lstmPointwise;
  gru: typeof gruPointwise;
  rnn: typeof rnnPointwise;
}

/** The plain tfjs-op versions, differentiable on every backend. */
export const plainPointwiseKernels: Readonly<PointwiseKernels> = Object.freeze({
  lstm: lstmPointwise,
  gru: gruPointwise,
  rnn: rnnPointwise,
});

let active: PointwiseKernels = { ...plainPointwiseKernels };

/** The pointwise functions the cells use now. */
export function getPointwiseKernels(): Readonly<PointwiseKernels> {
  return active;
}

/**
 * Replaces some or all pointwise functions (`'plain'` restores the plain-op versions). Returns the previous
 * set, so a caller can restore it.
 */
export function setPointwiseKernels(
  kernels: Partial<PointwiseKernels> | 'plain',
): Readonly<PointwiseKernels> {
  const previous = active;
  active = kernels === 'plain' ? { ...plainPointwiseKernels } : { ...active, ...kernels };
  return previous;
}
