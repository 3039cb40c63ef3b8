import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOK_ORDER_SHA256, eventStreams, loadBookOrder } from '../src/index';
import { makeTempDir, removeTempDir, sharedDatasetsDir } from './helpers/files';

const dir = join(sharedDatasetsDir(), 'book-order');
const available = Object.keys(BOOK_ORDER_SHA256).every((name) => existsSync(join(dir, name)));
if (!available) {
  console.warn(
    `[datasets] skipping the Book Order tests: no event-1-*/time-1-* files under "${dir}" ` +
      '(set TBPTT_SHARED_DATASETS to the folder holding book-order/)',
  );
}

/** Counts of each mark (0-based) over every sequence. */
function markCounts(sequences: readonly { marks: Int32Array }[]): number[] {
  const counts = [0, 0];
  for (const s of sequences) for (const m of s.marks) counts[m]!++;
  return counts;
}

describe.skipIf(!available)('Book Order (split 1) from ../shared/datasets', () => {
  it('has the published statistics (100 sequences of 3,319 / 829 events; mark counts per split)', async () => {
    // The parent folder works too (its book-order/ sub-folder is used).
    const data = await loadBookOrder({ dataDir: sharedDatasetsDir(), split: 1 });
    expect(data.train.sequences.length).toBe(100);
    expect(data.test.sequences.length).toBe(100);
    expect(new Set(data.train.sequences.map((s) => s.marks.length))).toEqual(new Set([3319]));
    expect(new Set(data.test.sequences.map((s) => s.times.length))).toEqual(new Set([829]));
    expect(data.train.events).toBe(331_900);
    expect(data.test.events).toBe(82_900);
    expect(data.train.markCount).toBe(2);
    // README: train mark 1: 168,026, mark 2: 163,874; test 42,019 / 40,881.
    expect(markCounts(data.train.sequences)).toEqual([168_026, 163_874]);
    expect(markCounts(data.test.sequences)).toEqual([42_019, 40_881]);
    const lastTime = (seqs: readonly { times: Float64Array }[]) =>
      Math.max(...seqs.map((s) => s.times[s.times.length - 1]!));
    expect(lastTime(data.train.sequences)).toBeCloseTo(50.875, 3);
    expect(lastTime(data.test.sequences)).toBeCloseTo(22.654, 3);
  });

  it('lays out the paper’s streams: 331,800 train rows, test rows halved into 41,400 + 41,400', async () => {
    const data = await loadBookOrder({ dataDir: dir });
    const streams = eventStreams(data, { batch: 64 });
    expect(streams.train.features).toBe(4);
    expect([streams.train.steps, streams.train.batch]).toEqual([Math.floor(331_800 / 64), 64]);
    expect([streams.valid.steps, streams.test.steps]).toEqual([
      Math.floor(41_400 / 64),
      Math.floor(41_400 / 64),
    ]);
    // Row 0 of column 0 is the first event of train sequence 0: flag 1, gap 0.
    expect(Array.from(streams.train.inputs.subarray(0, 4)).slice(2)).toEqual([1, 0]);
    // Every target gap is the difference of two consecutive time stamps: > 0 in this data, < 5.
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (let i = 1; i < streams.train.targets.length; i += 2) {
      min = Math.min(min, streams.train.targets[i]!);
      max = Math.max(max, streams.train.targets[i]!);
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeCloseTo(4.5739, 3);
  });

  describe('checksums', () => {
    let copy = '';
    beforeAll(async () => {
      copy = await makeTempDir();
      for (const name of Object.keys(BOOK_ORDER_SHA256)) await copyFile(join(dir, name), join(copy, name));
    });
    afterAll(async () => removeTempDir(copy));

    it('refuses a modified copy, naming the file and both hashes', async () => {
      const path = join(copy, 'time-1-test.txt');
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace('0.00178333333334', '0.00178333333335'));
      await expect(loadBookOrder({ dataDir: copy })).rejects.toThrow(
        new RegExp(
          `loadBookOrder: "${path.replace(/[/\\.]/g, '\\$&')}" has sha256 [0-9a-f]{64}, expected ${BOOK_ORDER_SHA256['time-1-test.txt']}`,
        ),
      );
    });
  });
});

describe('loadBookOrder without data', () => {
  it('says which files it needs when the folder lacks them', async () => {
    const empty = await makeTempDir();
    try {
      await expect(loadBookOrder({ dataDir: empty })).rejects.toThrow(
        /loadBookOrder: cannot read ".*event-1-train.txt": no such file/,
      );
      const saved = process.env.TBPTT_DATA_DIR;
      delete process.env.TBPTT_DATA_DIR;
      try {
        await expect(loadBookOrder()).rejects.toThrow('loadBookOrder: no data folder; pass dataDir');
      } finally {
        if (saved !== undefined) process.env.TBPTT_DATA_DIR = saved;
      }
    } finally {
      await removeTempDir(empty);
    }
  });
});
