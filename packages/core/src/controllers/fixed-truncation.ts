import { checkPositiveInteger, type TruncationController } from './truncation-controller';

/** Constant truncation K (classic TBPTT). */
export function fixedTruncation(truncation: number): TruncationController {
  const k = checkPositiveInteger('fixedTruncation', 'K', truncation);
  return {
    kind: 'fixed',
    current: () => k,
    next: () => ({ truncation: k, learningRateScale: 1 }),
    getState: () => ({ kind: 'fixed', truncation: k }),
    setState(state) {
      if (state.kind !== 'fixed' || state.truncation !== k) {
        throw new Error(
          `fixedTruncation.setState: the checkpoint holds ${JSON.stringify(state)}, but this controller is fixed K = ${k}; ` +
            'resume with the controller the run was started with',
        );
      }
    },
  };
}
