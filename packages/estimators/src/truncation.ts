import { EstimatorInputError } from './errors.js';

/** Bounds on the truncation length: κ̂ is clamped to [kmin, kmax]. */
export interface TruncationBounds {
  /** Smallest K allowed (K_min, default 1). */
  kmin?: number;
  /** Largest K allowed (K_max, default W). Also the answer when no K ≤ W meets δ. */
  kmax?: number;
}

/**
 * κ̂(δ) = min{ K ∈ [1, W] : δ̂(K) < δ }, clamped to [K_min, K_max] (ARCHITECTURE §1; Section 4.3 of
 * Aicher, Foti & Fox 2019). When no K ≤ W meets δ (the bias is unbounded, e.g. β̂ ≥ 1) the answer is K_max:
 * the longest truncation allowed.
 *
 * @param relativeBias δ̂(K) at index K − 1, non-increasing in K (see biasBounds).
 * @param delta the tolerable relative bias δ ∈ (0, 1); Theorem 2 needs δ < 1.
 */
export function chooseTruncation(
  relativeBias: Float64Array,
  delta: number,
  bounds: TruncationBounds = {},
): number {
  const window = relativeBias.length;
  checkDelta(delta, 'chooseTruncation');
  const { kmin, kmax } = checkBounds(bounds, window, 'chooseTruncation');
  // δ̂ is non-increasing in K: binary search for the first K with δ̂(K) < δ.
  let lo = 0;
  let hi = window;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((relativeBias[mid] as number) < delta) hi = mid;
    else lo = mid + 1;
  }
  if (lo === window) return kmax;
  return Math.min(kmax, Math.max(kmin, lo + 1));
}

/** κ̂(δ) for many δ at once (same order as `deltas`). */
export function chooseTruncations(
  relativeBias: Float64Array,
  deltas: readonly number[],
  bounds: TruncationBounds = {},
): number[] {
  return deltas.map((delta) => chooseTruncation(relativeBias, delta, bounds));
}

export function checkDelta(delta: number, caller: string): void {
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) {
    throw new EstimatorInputError(
      `${caller}: delta must be in (0, 1), got ${String(delta)}; it is the tolerable relative gradient bias ` +
        '(e.g. 0.1 for 10 %)',
    );
  }
}

function checkBounds(
  bounds: TruncationBounds,
  window: number,
  caller: string,
): { kmin: number; kmax: number } {
  const kmin = bounds.kmin ?? 1;
  const kmax = bounds.kmax ?? window;
  if (!Number.isInteger(kmin) || kmin < 1) {
    throw new EstimatorInputError(`${caller}: kmin must be an integer ≥ 1, got ${String(kmin)}`);
  }
  if (!Number.isInteger(kmax) || kmax < kmin) {
    throw new EstimatorInputError(
      `${caller}: kmax must be an integer ≥ kmin (${kmin}), got ${String(kmax)}; swap or widen the bounds`,
    );
  }
  return { kmin, kmax };
}
