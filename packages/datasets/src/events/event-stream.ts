import type { EventSequences } from './event-sequences';

/**
 * Events as (input, target) rows, every sequence's rows one after the other: row r is [F] inputs and
 * [2] targets.
 */
export interface EventRows {
  /** [N, F] row-major, F = M + 2: one-hot of the mark m_j (M values), new-sequence flag, previous gap Δ_j. */
  readonly inputs: Float32Array;
  /** [N, 2] row-major: the next mark m_{j+1} (a class id, stored as a float) and the next gap Δ_{j+1}. */
  readonly targets: Float32Array;
  /** N: rows. */
  readonly rows: number;
  /** M: marks (classes of the mark targets). */
  readonly markCount: number;
  /** F = M + 2: input features per row. */
  readonly features: number;
}

/** Event rows laid out [T, B] like `batchify`: column b is rows [b·T, (b+1)·T) in order. */
export interface EventStream {
  /** [T, B, F] row-major (time-major): `inputs[(t·B + b)·F + f]`. */
  readonly inputs: Float32Array;
  /** [T, B, 2] row-major: (next mark, next gap) at time t of column b. */
  readonly targets: Float32Array;
  readonly steps: number;
  readonly batch: number;
  readonly features: number;
  readonly markCount: number;
}

export interface EventRowOptions {
  /** M (default the data's `markCount`): must exceed every mark; give it when splits see different marks. */
  markCount?: number;
  /** Multiplies every gap (default 1; the reference's `--data_time_scale`). */
  timeScale?: number;
}

/**
 * The RMTPP rows of marked event sequences (Du et al. 2016; the paper's Book Order setup): a sequence of n
 * events gives n − 1 rows j = 0 … n−2 with
 *
 *     input  x_j = [onehot(m_j) (M values), 1 if j = 0 else 0, Δ_j]      Δ_j = t_j − t_{j−1}, Δ_0 = 0
 *     target y_j = [m_{j+1}, Δ_{j+1}]
 *
 * so the model reads the current mark, whether a new sequence starts, and the gap that led to this event, and
 * predicts the next mark and the gap until it. Gaps are computed in float64 and scaled by `timeScale`. Rows of
 * consecutive sequences follow each other: one stream per split.
 */
export function eventRows(data: EventSequences, options: EventRowOptions = {}): EventRows {
  const fn = 'eventRows';
  const markCount = options.markCount ?? data.markCount;
  const timeScale = options.timeScale ?? 1;
  if (!Number.isInteger(markCount) || markCount < data.markCount || markCount < 1) {
    throw new Error(
      `${fn}: markCount must be an integer ≥ the data's ${data.markCount} marks (and ≥ 1), got ${markCount}`,
    );
  }
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new Error(`${fn}: timeScale must be a positive number, got ${timeScale}`);
  }
  const features = markCount + 2;
  let rows = 0;
  for (const s of data.sequences) rows += Math.max(0, s.marks.length - 1);
  if (rows === 0) {
    throw new Error(`${fn}: the sequences give no rows (every sequence has fewer than 2 events)`);
  }
  const inputs = new Float32Array(rows * features);
  const targets = new Float32Array(rows * 2);
  let r = 0;
  for (const { marks, times } of data.sequences) {
    for (let j = 0; j + 1 < marks.length; j++, r++) {
      const x = r * features;
      inputs[x + marks[j]!] = 1;
      inputs[x + markCount] = j === 0 ? 1 : 0;
      inputs[x + markCount + 1] = j === 0 ? 0 : (times[j]! - times[j - 1]!) * timeScale;
      targets[r * 2] = marks[j + 1]!;
      targets[r * 2 + 1] = (times[j + 1]! - times[j]!) * timeScale;
    }
  }
  return { inputs, targets, rows, markCount, features };
}

/** Rows [start, end) of event rows (copies). */
export function sliceEventRows(rows: EventRows, start: number, end: number): EventRows {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > rows.rows || end <= start) {
    throw new Error(
      `sliceEventRows: [${start}, ${end}) must be a non-empty integer range inside [0, ${rows.rows}]`,
    );
  }
  return {
    inputs: rows.inputs.slice(start * rows.features, end * rows.features),
    targets: rows.targets.slice(start * 2, end * 2),
    rows: end - start,
    markCount: rows.markCount,
    features: rows.features,
  };
}

/**
 * Lays N rows out as B contiguous columns of T = ⌊N / B⌋ rows (the cut of `batchify`, and of the reference's
 * batchify for the Book Order data), dropping the last N − B·T rows:
 *
 *     inputs[(t·B + b)·F + f] = rows.inputs[(b·T + t)·F + f]      t ∈ [0, T), b ∈ [0, B)
 */
export function batchifyEvents(rows: EventRows, batch: number): EventStream {
  const fn = 'batchifyEvents';
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`${fn}: batch must be a positive integer, got ${batch}`);
  }
  if (batch > rows.rows) {
    throw new Error(
      `${fn}: batch (${batch}) is larger than the number of rows (${rows.rows}); use at most ${rows.rows}`,
    );
  }
  const steps = Math.floor(rows.rows / batch);
  const { features } = rows;
  const inputs = new Float32Array(steps * batch * features);
  const targets = new Float32Array(steps * batch * 2);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const src = b * steps + t;
      const dst = t * batch + b;
      inputs.set(rows.inputs.subarray(src * features, (src + 1) * features), dst * features);
      targets[dst * 2] = rows.targets[src * 2]!;
      targets[dst * 2 + 1] = rows.targets[src * 2 + 1]!;
    }
  }
  return { inputs, targets, steps, batch, features, markCount: rows.markCount };
}

export interface EventStreamsOptions extends EventRowOptions {
  /** B of the training stream (the paper: 64). */
  batch: number;
  /** B of the validation and test streams (default `batch`, as the reference). */
  evalBatch?: number;
}

/**
 * Train, validation and test streams of an event data set, as the paper lays out Book Order: each split's
 * sequences concatenated into one row stream ({@link eventRows}, M the larger of the splits' mark counts
 * unless given), the test rows cut in half by position — the first ⌊N/2⌋ rows for validation, the rest for
 * test — unless `valid` is given, then each laid out [T, B] ({@link batchifyEvents}).
 */
export function eventStreams(
  data: { train: EventSequences; test: EventSequences; valid?: EventSequences },
  options: EventStreamsOptions,
): { train: EventStream; valid: EventStream; test: EventStream } {
  const markCount =
    options.markCount ?? Math.max(data.train.markCount, data.test.markCount, data.valid?.markCount ?? 0);
  const rowOptions = {
    markCount,
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  };
  const train = eventRows(data.train, rowOptions);
  const testRows = eventRows(data.test, rowOptions);
  let valid: EventRows;
  let test: EventRows;
  if (data.valid) {
    valid = eventRows(data.valid, rowOptions);
    test = testRows;
  } else {
    const half = Math.floor(testRows.rows / 2);
    if (half < 1) throw new Error(`eventStreams: the test split has ${testRows.rows} rows, too few to halve`);
    valid = sliceEventRows(testRows, 0, half);
    test = sliceEventRows(testRows, half, testRows.rows);
  }
  const evalBatch = options.evalBatch ?? options.batch;
  return {
    train: batchifyEvents(train, options.batch),
    valid: batchifyEvents(valid, evalBatch),
    test: batchifyEvents(test, evalBatch),
  };
}
