import type { Prng } from './prng.js';

/**
 * One standard normal draw by the Box–Muller transform on two uniforms u₁, u₂ ∈ [0, 1):
 *
 *     z = √(−2 ln(1 − u₁)) · cos(2π u₂)
 *
 * (1 − u₁ ∈ (0, 1], so the log is finite; the pair's second normal, the sine, is discarded.)
 */
export function standardNormal(rng: Prng): number {
  const radius = Math.sqrt(-2 * Math.log(1 - rng.nextFloat()));
  return radius * Math.cos(2 * Math.PI * rng.nextFloat());
}

/**
 * Fills `out` with normal draws of the given mean and standard deviation: Box–Muller on two uniforms per
 * pair of entries (cosine to the even entry, sine to the odd one; an odd length drops the last sine).
 *
 * @returns `out`.
 */
export function fillNormal<T extends Float32Array | Float64Array>(rng: Prng, out: T, mean = 0, std = 1): T {
  for (let i = 0; i < out.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - rng.nextFloat()));
    const angle = 2 * Math.PI * rng.nextFloat();
    out[i] = mean + std * radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = mean + std * radius * Math.sin(angle);
  }
  return out;
}
