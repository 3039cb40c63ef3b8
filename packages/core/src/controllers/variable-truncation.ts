import { createPrng, standardNormal } from '@tbptt/random';
import {
  checkPositiveInteger,
  isRecord,
  restoreError,
  type TruncationController,
  type VariableTruncationState,
} from './truncation-controller';

export interface VariableTruncationOptions {
  /** Mean window length (AWD-LSTM's bptt). */
  mean: number;
  /** Standard deviation of the window length. Default 5 (AWD-LSTM). */
  sd?: number;
  /** Probability of using mean / 2 as the centre instead. Default 0.05 (AWD-LSTM). */
  pShort?: number;
  /** Shortest window. Default 5 (AWD-LSTM's max(5, ·)), or the mean when it is shorter. */
  kmin?: number;
  /** Seed of the controller's own random stream. Default 0. */
  seed?: number;
}

/**
 * AWD-LSTM's random window length (Merity et al. 2018): centre c = mean with probability 1 − pShort,
 * else mean/2; K = max(kmin, round(N(c, sd²))); the learning rate is scaled by K / mean so every token
 * carries the same weight whatever the window length.
 */
export function variableTruncation(
  options: VariableTruncationOptions,
): TruncationController<VariableTruncationState> {
  const fn = 'variableTruncation';
  const mean = checkPositiveInteger(fn, 'mean', options.mean);
  const sd = options.sd ?? 5;
  const pShort = options.pShort ?? 0.05;
  const kmin = checkPositiveInteger(fn, 'kmin', options.kmin ?? Math.min(5, mean));
  if (typeof sd !== 'number' || !(sd >= 0) || !Number.isFinite(sd)) {
    throw new Error(`${fn}: sd must be a finite number ≥ 0, got ${String(sd)}`);
  }
  if (typeof pShort !== 'number' || !(pShort >= 0 && pShort <= 1)) {
    throw new Error(`${fn}: pShort must be in [0, 1], got ${String(pShort)}`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new Error(`${fn}: seed must be a safe integer, got ${String(seed)}`);
  return {
    kind: 'variable',
    init: () => ({
      kind: 'variable',
      mean,
      rng: createPrng(seed, 'variableTruncation').getState(),
      truncation: mean,
    }),
    next(state) {
      const rng = createPrng(seed, 'variableTruncation');
      rng.setState(state.rng);
      const centre = rng.nextFloat() < 1 - pShort ? mean : mean / 2;
      const k = Math.max(kmin, Math.round(centre + sd * standardNormal(rng)));
      return [
        { truncation: k, learningRateScale: k / mean },
        { kind: 'variable', mean, rng: rng.getState(), truncation: k },
      ];
    },
    truncation: () => mean,
    restore(json) {
      if (
        !isRecord(json) ||
        json.kind !== 'variable' ||
        json.mean !== mean ||
        !Array.isArray(json.rng) ||
        json.rng.length !== 4 ||
        !json.rng.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) ||
        !Number.isInteger(json.truncation)
      ) {
        throw restoreError(fn, json, `variable with mean ${mean}`);
      }
      return {
        kind: 'variable',
        mean,
        rng: [...(json.rng as number[])],
        truncation: json.truncation as number,
      };
    },
  };
}
