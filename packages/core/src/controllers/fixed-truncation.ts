import {
  checkPositiveInteger,
  type FixedTruncationState,
  isRecord,
  restoreError,
  type TruncationController,
} from './truncation-controller';

/** Constant truncation K (classic TBPTT). */
export function fixedTruncation(truncation: number): TruncationController<FixedTruncationState> {
  const k = checkPositiveInteger('fixedTruncation', 'K', truncation);
  return {
    kind: 'fixed',
    init: () => ({ kind: 'fixed', truncation: k }),
    next: (state) => [{ truncation: k, learningRateScale: 1 }, state],
    truncation: () => k,
    restore(json) {
      if (!isRecord(json) || json.kind !== 'fixed' || json.truncation !== k) {
        throw restoreError('fixedTruncation', json, `fixed K = ${k}`);
      }
      return { kind: 'fixed', truncation: k };
    },
  };
}
