/** Blank: the input while nothing is shown, and the target when nothing is to be recalled. */
export const BLANK = 0;
/** Start marker: opens every span of the copy task. */
export const START = 1;
/** First of the 4 content symbols 2..5. */
export const FIRST_SYMBOL = 2;
/** Number of content symbols. */
export const SYMBOL_COUNT = 4;
/** Alphabet size of the synthetic tasks (the paper's 6): blank, start marker, 4 symbols. */
export const SYNTHETIC_VOCAB_SIZE = 6;

/**
 * A sequence-to-sequence stream: inputs and targets both `[T, B]` row-major
 * (`inputs[t * batch + b]`). Inputs are ids in [0, vocabSize), to be fed one-hot; targets
 * are class ids in the same range.
 */
export interface TaskStream {
  /** `[steps, batch]` row-major input ids. */
  readonly inputs: Int32Array;
  /** `[steps, batch]` row-major target ids. */
  readonly targets: Int32Array;
  readonly steps: number;
  readonly batch: number;
  readonly vocabSize: typeof SYNTHETIC_VOCAB_SIZE;
}

/** Checks that `value` is an integer ≥ `min`, with an error naming `caller` and `name`. */
export function checkInteger(caller: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${caller}: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

export function checkSeed(caller: string, seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${caller}: seed must be a safe integer, got ${seed}`);
  }
}
