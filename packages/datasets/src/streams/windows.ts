import type { TokenStream } from './batchify';

/** A run of `length` consecutive time steps starting at `start`. */
export interface StepWindow {
  readonly start: number;
  readonly length: number;
}

export interface WindowOptions {
  /**
   * How many final steps have no target inside the stream. 1 (default) for language
   * modelling, where the target of step t is the token at t + 1, so positions run over
   * [0, T − 1); 0 for streams with their own targets (the synthetic tasks).
   */
  targetOffset?: number;
  /** First step (default 0). */
  start?: number;
}

/**
 * Non-overlapping windows of `length` (K) steps covering positions [start, T − targetOffset)
 * in order; the last window is shorter when K does not divide the span. Truncated BPTT with
 * K = `length` runs one update per window and carries the state across.
 *
 * @example [...windows({ steps: 11 }, 4)] // [{start:0,length:4}, {start:4,length:4}, {start:8,length:2}]
 */
export function* windows(
  stream: { readonly steps: number },
  length: number,
  options: WindowOptions = {},
): Generator<StepWindow> {
  const { targetOffset = 1, start = 0 } = options;
  if (!Number.isInteger(length) || length < 1) {
    throw new Error(`windows: length must be a positive integer, got ${length}`);
  }
  if (!Number.isInteger(targetOffset) || targetOffset < 0) {
    throw new Error(`windows: targetOffset must be a non-negative integer, got ${targetOffset}`);
  }
  const end = stream.steps - targetOffset;
  if (!Number.isInteger(start) || start < 0 || start > Math.max(0, end)) {
    throw new Error(`windows: start must be an integer in [0, ${Math.max(0, end)}], got ${start}`);
  }
  for (let s = start; s < end; s += length) yield { start: s, length: Math.min(length, end - s) };
}

/**
 * Rows [start, start + length) of a `[T, B]` stream: a `[length, B]` view (no copy).
 */
export function sliceSteps(stream: TokenStream, start: number, length: number): Int32Array {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 1 ||
    start + length > stream.steps
  ) {
    throw new Error(
      `sliceSteps: rows [${start}, ${start + length}) must be a non-empty integer range inside [0, ${stream.steps}); ` +
        'check the window against the stream length',
    );
  }
  // [T, B] row-major: rows are contiguous blocks of B values.
  return stream.data.subarray(start * stream.batch, (start + length) * stream.batch);
}

/**
 * Language-modelling inputs and targets of a window: inputs are rows [start, start + length),
 * targets the next rows [start + 1, start + length + 1). Both `[length, B]` views.
 */
export function nextTokenWindow(
  stream: TokenStream,
  window: StepWindow,
): { inputs: Int32Array; targets: Int32Array } {
  if (window.start + window.length + 1 > stream.steps) {
    throw new Error(
      `nextTokenWindow: window [${window.start}, ${window.start + window.length}) needs row ` +
        `${window.start + window.length} for its last target, but the stream has ${stream.steps} rows; ` +
        'iterate with windows(stream, K) (targetOffset 1)',
    );
  }
  return {
    inputs: sliceSteps(stream, window.start, window.length),
    targets: sliceSteps(stream, window.start + 1, window.length),
  };
}
