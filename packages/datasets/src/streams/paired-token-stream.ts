/**
 * A sequence-to-sequence token stream: inputs and targets both `[T, B]` row-major
 * (`inputs[t * batch + b]` is the input at time t of column b, `targets[t * batch + b]` its target).
 * Inputs are ids in [0, vocabSize), to be fed one-hot or embedded; targets are class ids in the same
 * range. The B columns are read in parallel and carry independent recurrent state, as in a
 * `TokenStream` (what `batchify` returns). What `copyTask` and `repeatTask` return.
 */
export interface PairedTokenStream {
  /** `[steps, batch]` row-major input ids. */
  readonly inputs: Int32Array;
  /** `[steps, batch]` row-major target ids. */
  readonly targets: Int32Array;
  /** T: time steps (rows). */
  readonly steps: number;
  /** B: independent columns. */
  readonly batch: number;
  /** Number of ids: every input and target is in [0, vocabSize). */
  readonly vocabSize: number;
}
