/**
 * Windowing styles for truncated BPTT.
 *
 * - `tf`: non-overlapping windows of K steps with a loss on every step; the loss at offset j
 *   back-propagates through only j + 1 states.
 * - `buffer`: Williams & Peng's TBPTT(K, 2K−1), the paper's experiments: K − 1 differentiable
 *   burn-in steps, then K loss steps, stride K, so every loss back-propagates through at least K states.
 */
export type WindowStyle = 'tf' | 'buffer';

export interface WindowPlanInput {
  style: WindowStyle;
  /** Truncation length K ≥ 1. */
  truncation: number;
  /** p: first loss position of this window. */
  position: number;
  /** a ≤ p: the position the carried state sits before (the state is h_{a−1}, input to step a). */
  carriedAt: number;
  /** T: stream length; the window is cut at the end of the stream. */
  steps: number;
}

/**
 * The positions one update touches, all half-open ranges of stream positions:
 * [carriedAt, gradStart) is advanced without gradient, [gradStart, end) runs inside the gradient
 * closure, losses are taken on [position, end), and the state before `carryAt` is carried to the next window.
 */
export interface WindowPlan {
  carriedAt: number;
  gradStart: number;
  position: number;
  carryAt: number;
  end: number;
}

/**
 * Plans one update. For `buffer` the burn-in starts at max(a, p − K + 1): when the carried state lies
 * earlier it is advanced without gradient; when K grew since the state was carried, the burn-in is the
 * K_old − 1 steps available (one transitional window). The next window's state is carried from
 * p + 1 (`buffer`, so the next burn-in with the same K is exactly K − 1 steps) or from the window end (`tf`).
 * At the end of the stream the state is carried from the end, ready to continue into the next epoch.
 */
export function planWindow(input: WindowPlanInput): WindowPlan {
  const { style, truncation: k, position: p, carriedAt: a, steps } = input;
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`planWindow: truncation must be a positive integer, got ${k}`);
  }
  if (!Number.isInteger(p) || p < 0 || p >= steps) {
    throw new Error(`planWindow: position must be an integer in [0, ${steps}), got ${p}`);
  }
  if (!Number.isInteger(a) || a < 0 || a > p) {
    throw new Error(`planWindow: carriedAt must be an integer in [0, position=${p}], got ${a}`);
  }
  const end = Math.min(p + k, steps);
  if (style === 'tf') {
    return { carriedAt: a, gradStart: p, position: p, carryAt: end, end };
  }
  const gradStart = Math.max(a, p - k + 1);
  const carryAt = end === steps ? end : Math.max(gradStart + 1, Math.min(end, end - k + 1));
  return { carriedAt: a, gradStart, position: p, carryAt, end };
}
