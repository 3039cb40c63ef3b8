import { createPrng, standardNormal } from '@tbptt/models';
import { checkPositiveInteger, type TruncationController } from './truncation-controller';

/** PRNG stream of the window lengths (the models' initialiser and dropout use streams 1 and 2). */
const VARIABLE_TRUNCATION_STREAM = 12;

export interface VariableTruncationOptions {
  /** Mean window length (AWD-LSTM's bptt). */
  mean: number;
  /** Standard deviation of the window length. Default 5 (AWD-LSTM). */
  sd?: number;
  /** Probability of using mean / 2 as the centre instead. Default 0.05 (AWD-LSTM). */
  pShort?: number;
  /** Shortest window. Default 5 (AWD-LSTM's max(5, ·)). */
  kmin?: number;
  /** Seed of the controller's own random stream. Default 0. */
  seed?: number;
}

/**
 * AWD-LSTM's random window length (Merity et al. 2018): centre c = mean with probability 1 − pShort,
 * else mean/2; K = max(kmin, round(N(c, sd²))); the learning rate is scaled by K / mean so every token
 * carries the same weight whatever the window length.
 */
export function variableTruncation(options: VariableTruncationOptions): TruncationController {
  const fn = 'variableTruncation';
  const mean = checkPositiveInteger(fn, 'mean', options.mean);
  const sd = options.sd ?? 5;
  const pShort = options.pShort ?? 0.05;
  const kmin = checkPositiveInteger(fn, 'kmin', options.kmin ?? Math.min(5, mean));
  if (!(sd >= 0) || !Number.isFinite(sd)) throw new Error(`${fn}: sd must be a finite number ≥ 0, got ${sd}`);
  if (!(pShort >= 0 && pShort <= 1)) throw new Error(`${fn}: pShort must be in [0, 1], got ${pShort}`);
  const rng = createPrng(options.seed ?? 0, VARIABLE_TRUNCATION_STREAM);
  let last = mean;
  return {
    kind: 'variable',
    current: () => last,
    next() {
      const centre = rng.nextFloat() < 1 - pShort ? mean : mean / 2;
      last = Math.max(kmin, Math.round(centre + sd * standardNormal(rng)));
      return { truncation: last, learningRateScale: last / mean };
    },
    getState: () => ({ kind: 'variable', mean, rng: rng.getState(), last }),
    setState(state) {
      if (state.kind !== 'variable' || state.mean !== mean) {
        throw new Error(
          `${fn}.setState: the checkpoint holds ${JSON.stringify(state)}, but this controller has mean ${mean}; ` +
            'resume with the controller the run was started with',
        );
      }
      rng.setState(state.rng as number[]);
      last = state.last as number;
    },
  };
}
