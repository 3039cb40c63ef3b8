import { createPrng, uniformInt } from '@tbptt/random';
import { checkInteger, checkSeed } from '../internal/check-options';
import type { PairedTokenStream } from '../streams/paired-token-stream';
import { FIRST_SYMBOL, SYMBOL_COUNT, SYNTHETIC_VOCAB_SIZE } from './alphabet';

export interface RepeatTaskOptions {
  /** T: time steps. */
  steps: number;
  /** B: independent columns. */
  batch: number;
  /** Delay: the target at step t is the input at step t − lag. */
  lag: number;
  /** P: length of the random base pattern that the input repeats. Default 10 (the authors' code). */
  period?: number;
  /** Shift the symbols by one (cyclically over 2..5) on each repetition of the pattern. Default true. */
  grow?: boolean;
  /** Seed: same seed and options → same stream. */
  seed: number;
}

/**
 * The repeat (delayed recall) task, after `generate_repeating_sequence` in the authors' code:
 * each column draws a base pattern p of P symbols (uniform over 2..5) and shows it over and
 * over; with `grow`, repetition r shows each symbol shifted by r (cyclically within 2..5):
 *
 *     x_t = 2 + ((p[t mod P] − 2 + ⌊t / P⌋·grow) mod 4)
 *     y_t = x_{t − lag}   for t ≥ lag,   0 (blank) for t < lag
 *
 * Every target is an input already seen, exactly `lag` steps back, so the gradient needs lag
 * `lag` to be learnt exactly (a short window can still guess from the pattern's regularity,
 * which `grow` makes harder). The alphabet is the copy task's (6 ids; 1 is unused here).
 * Column b draws from `createPrng(seed, 'data', b)` (@tbptt/random), independent of the batch size.
 */
export function repeatTask(options: RepeatTaskOptions): PairedTokenStream {
  const caller = 'repeatTask';
  const { steps, batch, lag, period = 10, grow = true, seed } = options;
  checkInteger(caller, 'steps', steps, 1);
  checkInteger(caller, 'batch', batch, 1);
  checkInteger(caller, 'lag', lag, 1);
  checkInteger(caller, 'period', period, 1);
  checkSeed(caller, seed);

  const inputs = new Int32Array(steps * batch); // [T, B]
  const targets = new Int32Array(steps * batch); // [T, B], 0 = blank for t < lag
  const pattern = new Int32Array(period);
  for (let b = 0; b < batch; b++) {
    const rng = createPrng(seed, 'data', b);
    for (let i = 0; i < period; i++) pattern[i] = uniformInt(rng, SYMBOL_COUNT);
    for (let t = 0; t < steps; t++) {
      const shift = grow ? Math.floor(t / period) : 0;
      const x = FIRST_SYMBOL + ((pattern[t % period]! + shift) % SYMBOL_COUNT);
      inputs[t * batch + b] = x;
      if (t + lag < steps) targets[(t + lag) * batch + b] = x;
    }
  }
  return { inputs, targets, steps, batch, vocabSize: SYNTHETIC_VOCAB_SIZE };
}
