import type { GradientNormProfile } from '@tbptt/estimators';

/**
 * What a controller asks the engine to measure: `repeats` profiles of S samples each, every sample a burn-in
 * then a W-step probe window. The engine measures all S × repeats rows in one probe.
 */
export interface ProfileRequest {
  /** W: lags in the profile. */
  window: number;
  /** Steps run (without gradient) before the probe window to warm the state up. */
  burnIn: number;
  /** S: sampled positions of the training stream per profile. */
  samples: number;
  /** Independent profiles wanted (the paper averages κ̂ over several). */
  repeats: number;
  /** 'norm': φ̂_k is the mean of the per-sample norms; 'log': exp of the mean of their logs. */
  averaging: 'norm' | 'log';
}

export interface TruncationContext {
  /** Updates applied so far. */
  update: number;
  /** Measures `request.repeats` gradient-norm profiles on the training stream at the current weights. */
  profiles(request: ProfileRequest): GradientNormProfile[];
}

/** A change of K reported by the adaptive controller, with the estimates that led to it. */
export interface TruncationChange {
  update: number;
  from: number;
  to: number;
  /** β̂, averaged over the repeats. */
  beta: number;
  /** δ̂ at the old and the new K, averaged over the repeats (Infinity when unbounded). */
  deltaAtFrom: number;
  deltaAtTo: number;
  /** κ̂(δ) of each repeat, before averaging. */
  estimates: number[];
}

export interface TruncationDecision {
  /** K for this update. */
  truncation: number;
  /** Multiplier on the learning rate (variable truncation: K / mean; otherwise 1). */
  learningRateScale: number;
  /** Set when the controller re-estimated K before this update. */
  refresh?: TruncationChange;
}

/** Plain data: what a checkpoint writes for a controller and reads back. */
export type ControllerState = Record<string, unknown>;

/**
 * Answers "what K now?" before every update. Fixed, adaptive(δ) and variable controllers share it;
 * their state is plain JSON so a checkpoint can save and restore it.
 */
export interface TruncationController {
  readonly kind: 'fixed' | 'adaptive' | 'variable';
  /** The K the controller currently holds (the mean for the variable controller). */
  current(): number;
  /** K for the next update; may ask `context.profile` for measurements. */
  next(context: TruncationContext): TruncationDecision;
  getState(): ControllerState;
  setState(state: ControllerState): void;
}

export function checkPositiveInteger(fn: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${fn}: ${field} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
