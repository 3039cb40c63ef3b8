import { createPrng, uniformInt } from '@tbptt/random';
import { checkInteger, checkSeed } from '../internal/check-options';
import type { PairedTokenStream } from '../streams/paired-token-stream';
import { FIRST_SYMBOL, START, SYMBOL_COUNT, SYNTHETIC_VOCAB_SIZE } from './alphabet';

export interface CopyTaskOptions {
  /** T: time steps. */
  steps: number;
  /** B: independent columns. */
  batch: number;
  /** m: length of the copied span (start marker included), the longest when `minLength` is set. */
  length: number;
  /** m_min: shortest span for the variable-length task; spans are uniform in [m_min, m]. Default m (fixed length). */
  minLength?: number;
  /** Seed: same seed and options → same stream. */
  seed: number;
  /**
   * Start each column after a random number (uniform in [0, 2m)) of blank steps, so the
   * columns are out of phase. (The reference code shifts the stream instead, which can start
   * in the middle of an episode with targets whose inputs were never shown.) Default true.
   */
  randomPhase?: boolean;
}

/**
 * The copy task of the paper's synthetic experiments (Aicher, Foti & Fox, 2019), with the
 * layout of `generate_copy_sequence` in the authors' code (aicherc/adaptive_tbptt). Each
 * column is a run of episodes; an episode with span length L (L = m, or uniform in
 * [m_min, m]) takes 2L steps:
 *
 *     input   1 s₂ … s_L  0 0 … 0
 *     target  0 0  …  0   1 s₂ … s_L
 *
 * with 0 the blank, 1 the start marker and s_i uniform over the symbols 2..5. The target at
 * step t of the recall half is the input at step t − L, so a fixed-length task has every
 * dependency at lag exactly m. Every target is a function of the inputs seen so far: the
 * span ends at the first blank input after a start marker, which also reveals L. Episodes
 * are cut off at the end of the stream; with `randomPhase` a column begins with blank steps
 * (input and target 0), never in the middle of an episode.
 *
 * Columns are generated independently (column b from sub-stream b of the 'data' stream of `seed`,
 * `createPrng(seed, 'data', b)` of @tbptt/random), so a column's
 * data does not depend on the batch size, and a longer stream extends a shorter one.
 */
export function copyTask(options: CopyTaskOptions): PairedTokenStream {
  const caller = 'copyTask';
  const { steps, batch, length, seed, randomPhase = true } = options;
  const minLength = options.minLength ?? length;
  checkInteger(caller, 'steps', steps, 1);
  checkInteger(caller, 'batch', batch, 1);
  checkInteger(caller, 'length', length, 1);
  checkInteger(caller, 'minLength', minLength, 1);
  if (minLength > length) {
    throw new Error(`${caller}: minLength (${minLength}) must not exceed length (${length})`);
  }
  checkSeed(caller, seed);

  const inputs = new Int32Array(steps * batch); // [T, B], zero = blank
  const targets = new Int32Array(steps * batch); // [T, B]
  const span = new Int32Array(length);
  for (let b = 0; b < batch; b++) {
    const rng = createPrng(seed, 'data', b);
    let t = randomPhase ? uniformInt(rng, 2 * length) : 0;
    while (t < steps) {
      const spanLength = minLength + uniformInt(rng, length - minLength + 1);
      span[0] = START;
      for (let i = 1; i < spanLength; i++) span[i] = FIRST_SYMBOL + uniformInt(rng, SYMBOL_COUNT);
      for (let i = 0; i < spanLength; i++) {
        const shown = t + i;
        const recalled = t + spanLength + i;
        if (shown < steps) inputs[shown * batch + b] = span[i]!;
        if (recalled < steps) targets[recalled * batch + b] = span[i]!;
      }
      t += 2 * spanLength;
    }
  }
  // Blank is 0, so every entry not written above is already a blank.
  return { inputs, targets, steps, batch, vocabSize: SYNTHETIC_VOCAB_SIZE };
}
