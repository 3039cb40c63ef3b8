import type { Prng } from './prng.js';

/**
 * Fills `out` with uniform floats in [low, high): out[i] = low + (high − low) · u_i, one 32-bit draw each.
 *
 * @returns `out`.
 */
export function fillUniform<T extends Float32Array | Float64Array>(
  rng: Prng,
  out: T,
  low: number,
  high: number,
): T {
  const width = high - low;
  for (let i = 0; i < out.length; i++) out[i] = low + width * rng.nextFloat();
  return out;
}
