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
