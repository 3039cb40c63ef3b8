/**
 * The registry of named random streams. One seed (the run's or the model's) feeds every consumer through
 * its own stream, so drawing more dropout masks never shifts the data, the initial weights or the profile
 * positions. The numbers are part of the format: a checkpoint's generator states and every seeded result
 * depend on them, so an entry is never renumbered (add new names with new numbers).
 */
export const RNG_STREAMS = {
  /** The models' weight initialiser (`@tbptt/models`, init-weights). */
  init: 1,
  /** The models' dropout masks. */
  dropout: 2,
  /** Synthetic data (`@tbptt/datasets` copy and repeat tasks; one sub-stream per batch column). */
  data: 3,
  /** The positions at which the adaptive controller probes gradient-norm profiles (`@tbptt/core`). */
  profileSampler: 11,
  /** The truncation lengths drawn by `variableTruncation` (`@tbptt/core`). */
  variableTruncation: 12,
} as const;

/** A name in {@link RNG_STREAMS}. */
export type RngStreamName = keyof typeof RNG_STREAMS;

const TWO_POW_32 = 4294967296;

/**
 * The stream number of a name in {@link RNG_STREAMS}, or a number checked to be an integer in [0, 2^32).
 *
 * @param caller the public function, named in the error.
 */
export function resolveStream(stream: RngStreamName | number, caller = 'resolveStream'): number {
  if (typeof stream === 'number') {
    if (!Number.isInteger(stream) || stream < 0 || stream >= TWO_POW_32) {
      throw new Error(
        `${caller}: stream must be a name in RNG_STREAMS or an integer in [0, 2^32), got ${stream}`,
      );
    }
    return stream;
  }
  if (typeof stream === 'string' && Object.hasOwn(RNG_STREAMS, stream)) {
    return RNG_STREAMS[stream as RngStreamName];
  }
  throw new Error(
    `${caller}: unknown stream ${JSON.stringify(stream)}; use one of ` +
      `${Object.keys(RNG_STREAMS).join(', ')} or a stream number`,
  );
}
