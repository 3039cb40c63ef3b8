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

/** What the engine tells a controller before an update. */
export interface TruncationContext {
  /** Updates applied so far. */
  update: number;
  /** Training stream steps (loss positions per column) consumed so far. */
  steps: number;
  /**
   * Measures `request.repeats` gradient-norm profiles on the training stream at the current weights, each with
   * its cumulative-adjoint norms (for the exact C(K)).
   */
  profiles(request: ProfileRequest): GradientNormProfile[];
}

/** One re-estimate of K by the adaptive controller: what it measured and what it chose. */
export interface TruncationEstimate {
  update: number;
  /** K held before the estimate. */
  current: number;
  /** K chosen (equal to `current` when K stays). */
  chosen: number;
  /** β̂, averaged over the repeats. */
  beta: number;
  /** δ̂ at the current and the chosen K, averaged over the repeats (Infinity when unbounded). */
  deltaAtCurrent: number;
  deltaAtChosen: number;
  /** κ̂(δ) of each repeat, before combining and clamping. */
  estimates: number[];
  /** Profiles that carried no gradient signal (zero everywhere) and were skipped. */
  skipped: number;
}

export interface TruncationDecision {
  /** K for this update. */
  truncation: number;
  /** Multiplier on the learning rate (variable truncation: K / mean; otherwise 1). */
  learningRateScale: number;
  /** Set when the controller re-estimated K before this update. */
  estimate?: TruncationEstimate;
}

/** The plain-data state of the fixed controller. */
export interface FixedTruncationState {
  kind: 'fixed';
  truncation: number;
}

/** The plain-data state of the adaptive controller. */
export interface AdaptiveTruncationState {
  kind: 'adaptive';
  delta: number;
  truncation: number;
  /** Update and stream step of the last estimate (the schedule counts from them). */
  lastUpdate: number;
  lastSteps: number;
  estimates: number;
}

/** The plain-data state of the variable controller. */
export interface VariableTruncationState {
  kind: 'variable';
  mean: number;
  /** The controller's own PRNG state. */
  rng: number[];
  truncation: number;
}

/** Plain data: what a checkpoint writes for a controller and reads back. */
export type ControllerState = FixedTruncationState | AdaptiveTruncationState | VariableTruncationState;

/**
 * Answers "what K now?" before every update, in the shape of optax's transformations: the controller is a
 * pure description; its state is a separate plain value. `next(state, context)` returns the decision and the
 * next state and never mutates its arguments, so the same state and context give the same decision, and a
 * checkpoint is just the state's JSON.
 */
export interface TruncationController<S extends ControllerState = ControllerState> {
  readonly kind: S['kind'];
  /** The state before the first update. */
  init(): S;
  /** K for the next update (and the next state); may ask `context.profiles` for measurements. */
  next(state: S, context: TruncationContext): [TruncationDecision, S];
  /** The K a state holds (the mean for the variable controller). */
  truncation(state: S): number;
  /**
   * Checks a state read from a checkpoint against this controller (kind and settings) and returns it typed;
   * the error says what differs.
   */
  restore(json: unknown): S;
}

export function checkPositiveInteger(fn: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${fn}: ${field} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** The common refusal of a checkpoint state that belongs to another controller. */
export function restoreError(fn: string, json: unknown, expected: string): Error {
  return new Error(
    `${fn}.restore: the checkpoint holds controller state ${JSON.stringify(json)}, but this run's controller is ${expected}; ` +
      'resume with the truncation the run was started with',
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
