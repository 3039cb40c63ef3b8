import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextFile } from '../corpus/read-text-file';
import { inOrder } from '../internal/in-order';
import { decode, type EventSequences, parseEventSequences } from './event-sequences';

/**
 * sha256 of the Book Order files of split 1 (Du et al. 2016, GitHub dunan/NeuralPointProcess, commit
 * ce05ec1, `data/real/book_order/`), the split Aicher, Foti & Fox use.
 */
export const BOOK_ORDER_SHA256: Readonly<Record<string, string>> = Object.freeze({
  'event-1-train.txt': 'c5c31cb2ebe4e768210faafd3297e990d2ed1aa9a5bc76524b73be5c7b788255',
  'event-1-test.txt': '0e0d660ecfc9621cb4065b52d8002d622ccc4e9f479d7551d4e0a5087c18b5d4',
  'time-1-train.txt': '21fdd877a96c3b0b0a4c78490f7d07549e8df2ae8518159810ac44ebe0553acb',
  'time-1-test.txt': '87192b7f4d4edb0d29644740244778dda9b87ead9e0dbf0cfbfb700b565ee642',
});

/** The two marks of Book Order: the two sides of the limit order book (file marks 1 and 2). */
export const BOOK_ORDER_MARKS = 2;

export interface BookOrderOptions {
  /**
   * A folder holding `event-<split>-{train,test}.txt` and `time-<split>-{train,test}.txt`, directly or in a
   * `book-order/` sub-folder (default `$TBPTT_DATA_DIR`). Nothing is downloaded.
   */
  dataDir?: string;
  /** Which of Du et al.'s splits (default 1, the paper's). Only split 1's files are checksum-verified. */
  split?: number;
}

/** Train and test sequences of a Book Order split. */
export interface BookOrder {
  readonly train: EventSequences;
  readonly test: EventSequences;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Loads the Book Order limit-order-book events (Du et al., KDD 2016), the paper's temporal point process
 * data: 100 train sequences of 3,319 events and 100 test sequences of 829, marks 1 and 2 (0 and 1 here), time
 * stamps non-decreasing along each sequence. The files of split 1 must match their pinned sha256
 * ({@link BOOK_ORDER_SHA256}): a modified copy is refused with both hashes (read it with
 * `loadEventSequences` instead). Lay the sequences out for training with `eventRows` / `eventStreams`.
 */
export async function loadBookOrder(options: BookOrderOptions = {}): Promise<BookOrder> {
  const fn = 'loadBookOrder';
  const split = options.split ?? 1;
  if (!Number.isInteger(split) || split < 1) {
    throw new Error(`${fn}: split must be a positive integer (Du et al.'s split number), got ${split}`);
  }
  const envDir = process.env.TBPTT_DATA_DIR;
  const dataDir = options.dataDir ?? (envDir ? envDir : undefined);
  if (dataDir === undefined) {
    throw new Error(
      `${fn}: no data folder; pass dataDir (or set TBPTT_DATA_DIR) to a folder holding event-${split}-train.txt, ` +
        `time-${split}-train.txt, event-${split}-test.txt and time-${split}-test.txt (GitHub dunan/NeuralPointProcess, ` +
        'data/real/book_order/)',
    );
  }
  const nested = join(dataDir, 'book-order');
  const dir = (await isDirectory(nested)) ? nested : dataDir;
  const read = async (name: string): Promise<string> => {
    const path = join(dir, name);
    const bytes = await readTextFile(path, fn);
    const expected = BOOK_ORDER_SHA256[name];
    if (expected !== undefined) {
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== expected) {
        throw new Error(
          `${fn}: "${path}" has sha256 ${actual}, expected ${expected} (the file of dunan/NeuralPointProcess); ` +
            'restore the original file, or read a modified copy with loadEventSequences(eventFile, timeFile)',
        );
      }
    }
    return decode(bytes);
  };
  const part = async (which: 'train' | 'test'): Promise<EventSequences> => {
    const eventName = `event-${split}-${which}.txt`;
    const timeName = `time-${split}-${which}.txt`;
    const [events, times] = await inOrder([read(eventName), read(timeName)]);
    return parseEventSequences(events, times, {
      eventFile: join(dir, eventName),
      timeFile: join(dir, timeName),
    });
  };
  const [train, test] = await inOrder([part('train'), part('test')]);
  return { train, test };
}
