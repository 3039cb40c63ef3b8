import { readTextFile } from '../corpus/read-text-file';
import { inOrder } from '../internal/in-order';

/** One sequence of events: mark m_j (0-based) at time t_j, times non-decreasing. */
export interface EventSequence {
  /** Marks m_0 … m_{n−1}, 0-based (mark k in a file of Du et al.'s format, which counts from 1, is k − 1 here). */
  readonly marks: Int32Array;
  /** Time stamps t_0 ≤ t_1 ≤ … ≤ t_{n−1}, in the file's unit. */
  readonly times: Float64Array;
}

/** Sequences read from an event file and a time file (one sequence per line in each). */
export interface EventSequences {
  readonly sequences: readonly EventSequence[];
  /** M: the largest mark + 1 (marks are in [0, M)). */
  readonly markCount: number;
  /** Events over all sequences. */
  readonly events: number;
}

export interface EventFileOptions {
  /**
   * The value of the first mark in the files (default 1, as in Du et al.'s RMTPP data): file mark k becomes
   * k − firstMark. A mark below it is an error.
   */
  firstMark?: number;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** The non-empty lines of a text (a final newline ends the last line; it does not start another). */
function lines(text: string): string[] {
  const all = text.split(/\r?\n/);
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  return all;
}

/**
 * Parses the two-file format of marked event sequences (RMTPP, Du et al. 2016): line i of the event text
 * holds the marks of sequence i and line i of the time text their time stamps, values separated by
 * whitespace. Checks, with errors naming the file and the line (1-based) and saying what to fix: both files
 * have the same number of lines; no line is empty; line i of both has the same number of values; every mark
 * is an integer ≥ firstMark; every time is a finite decimal number, non-decreasing along the line.
 */
export function parseEventSequences(
  eventText: string,
  timeText: string,
  files: { eventFile: string; timeFile: string },
  options: EventFileOptions = {},
): EventSequences {
  const fn = 'loadEventSequences';
  const { eventFile, timeFile } = files;
  const firstMark = options.firstMark ?? 1;
  if (!Number.isInteger(firstMark)) {
    throw new Error(`${fn}: firstMark must be an integer, got ${firstMark}`);
  }
  const eventLines = lines(eventText);
  const timeLines = lines(timeText);
  if (eventLines.length !== timeLines.length) {
    const shorter = eventLines.length < timeLines.length ? eventFile : timeFile;
    const line = Math.min(eventLines.length, timeLines.length) + 1;
    throw new Error(
      `${fn}: "${eventFile}" has ${eventLines.length} lines but "${timeFile}" has ${timeLines.length}; ` +
        `"${shorter}" has no line ${line}. Line i of both files must describe the same sequence`,
    );
  }
  if (eventLines.length === 0) {
    throw new Error(`${fn}: "${eventFile}" and "${timeFile}" are empty; expected one sequence per line`);
  }
  const sequences: EventSequence[] = [];
  let largest = -1;
  let events = 0;
  for (let i = 0; i < eventLines.length; i++) {
    const line = i + 1;
    const markValues = eventLines[i]!.trim()
      .split(/\s+/)
      .filter((v) => v !== '');
    const timeValues = timeLines[i]!.trim()
      .split(/\s+/)
      .filter((v) => v !== '');
    if (markValues.length === 0 || timeValues.length === 0) {
      const file = markValues.length === 0 ? eventFile : timeFile;
      throw new Error(
        `${fn}: "${file}" line ${line} is empty; every line must hold one sequence of at least one event`,
      );
    }
    if (markValues.length !== timeValues.length) {
      throw new Error(
        `${fn}: line ${line} has ${markValues.length} marks in "${eventFile}" but ${timeValues.length} times in ` +
          `"${timeFile}"; each event needs one mark and one time`,
      );
    }
    const n = markValues.length;
    const marks = new Int32Array(n);
    const times = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const text = markValues[j]!;
      const mark = INTEGER.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(mark) || mark < firstMark) {
        throw new Error(
          `${fn}: "${eventFile}" line ${line}, value ${j + 1}: ${JSON.stringify(text)} is not an integer mark ≥ ${firstMark}; ` +
            'marks are integer class ids (set firstMark if the file counts them from another value)',
        );
      }
      marks[j] = mark - firstMark;
      if (marks[j]! > largest) largest = marks[j]!;
      const timeText = timeValues[j]!;
      const time = DECIMAL.test(timeText) ? Number(timeText) : Number.NaN;
      if (!Number.isFinite(time)) {
        throw new Error(
          `${fn}: "${timeFile}" line ${line}, value ${j + 1}: ${JSON.stringify(timeText)} is not a finite decimal number`,
        );
      }
      if (j > 0 && time < times[j - 1]!) {
        throw new Error(
          `${fn}: "${timeFile}" line ${line}, value ${j + 1}: time ${timeText} comes before the previous one ` +
            `(${timeValues[j - 1]}); times must be non-decreasing along a line (sort the events of this sequence)`,
        );
      }
      times[j] = time;
    }
    events += n;
    sequences.push({ marks, times });
  }
  return { sequences, markCount: largest + 1, events };
}

/**
 * Reads marked event sequences from an event file and a time file (the RMTPP format, Du et al. 2016; see
 * {@link parseEventSequences} for the layout and the checks). Files are read as UTF-8 text; nothing is
 * checksum-verified here (see `loadBookOrder` for the known files). Node only.
 */
export async function loadEventSequences(
  eventFile: string,
  timeFile: string,
  options: EventFileOptions = {},
): Promise<EventSequences> {
  const fn = 'loadEventSequences';
  const [eventBytes, timeBytes] = await inOrder([readTextFile(eventFile, fn), readTextFile(timeFile, fn)]);
  return parseEventSequences(decode(eventBytes), decode(timeBytes), { eventFile, timeFile }, options);
}

/** UTF-8 text of checked bytes (see checkTextBytes). */
export function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
