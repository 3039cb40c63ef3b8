/**
 * A token stream laid out `[T, B]` row-major: `data[t * batch + b]` is the token at time t
 * of column b. The B columns are read in parallel and carry independent recurrent state.
 */
export interface TokenStream {
  /** `[steps, batch]` row-major. */
  readonly data: Int32Array;
  /** T: time steps (rows). */
  readonly steps: number;
  /** B: independent columns. */
  readonly batch: number;
}

/**
 * Cuts a token sequence of length N into B contiguous pieces of T = ⌊N / B⌋ tokens and lays
 * them side by side as columns of a `[T, B]` stream:
 *
 *     data[t * B + b] = ids[b * T + t]        t ∈ [0, T), b ∈ [0, B)
 *
 * so column b reads `ids[b·T .. (b+1)·T)` in order (the layout of PyTorch's
 * word_language_model `batchify`). The last N − B·T tokens (fewer than B) are dropped: they
 * cannot fill a row.
 *
 * @param ids token ids, e.g. `corpus.train`
 * @param batch B, an integer in [1, N]
 */
export function batchify(ids: ArrayLike<number>, batch: number): TokenStream {
  const n = ids.length;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`batchify: batch must be a positive integer, got ${batch}`);
  }
  if (batch > n) {
    throw new Error(
      `batchify: batch (${batch}) is larger than the number of tokens (${n}); use a batch of at most ${n}`,
    );
  }
  const steps = Math.floor(n / batch);
  const data = new Int32Array(steps * batch);
  for (let b = 0; b < batch; b++) {
    const offset = b * steps;
    for (let t = 0; t < steps; t++) data[t * batch + b] = ids[offset + t]!;
  }
  return { data, steps, batch };
}

/**
 * Reads column b of a stream back as a sequence (the inverse of {@link batchify} for one column).
 */
export function streamColumn(stream: TokenStream, column: number): Int32Array {
  if (!Number.isInteger(column) || column < 0 || column >= stream.batch) {
    throw new Error(`streamColumn: column must be an integer in [0, ${stream.batch}), got ${column}`);
  }
  const out = new Int32Array(stream.steps);
  for (let t = 0; t < stream.steps; t++) out[t] = stream.data[t * stream.batch + column]!;
  return out;
}
