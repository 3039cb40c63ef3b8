/**
 * Errors raised by the estimators. Each names the function, the argument, the value received and the fix,
 * so a caller can show the message as is.
 */

/** A profile, option or δ that the estimators cannot work with. */
export class EstimatorInputError extends Error {
  override readonly name = 'EstimatorInputError';
}

/**
 * The profile is 0 at every lag: the probe saw no gradient signal, so no truncation can be chosen from it.
 * The adaptive controller catches this and keeps its current K.
 */
export class ZeroProfileError extends Error {
  override readonly name = 'ZeroProfileError';
}
