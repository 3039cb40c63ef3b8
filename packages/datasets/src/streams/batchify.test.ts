import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchify, streamColumn } from './batchify';

describe('batchify', () => {
  it('lays B contiguous pieces side by side: data[t·B + b] = ids[b·T + t]', () => {
    const stream = batchify(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 3);
    expect(stream.steps).toBe(3);
    expect(stream.batch).toBe(3);
    // columns 0..2, 3..5, 6..8; the remainder 9, 10 is dropped.
    expect(Array.from(stream.data)).toEqual([0, 3, 6, 1, 4, 7, 2, 5, 8]);
  });

  it('keeps every token but the last N mod B, in order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 400 }),
        (list, b) => {
          const batch = Math.min(b, list.length);
          const stream = batchify(list, batch);
          const kept = list.length - (list.length % batch);
          expect(stream.steps * stream.batch).toBe(kept);
          expect(stream.data.length).toBe(kept);
          // Reading the columns one after the other gives back the kept prefix, in order.
          const columns: number[] = [];
          for (let c = 0; c < batch; c++) columns.push(...streamColumn(stream, c));
          expect(columns).toEqual(list.slice(0, kept));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a bad batch size', () => {
    expect(() => batchify([1, 2], 0)).toThrow(/batchify: batch must be a positive integer, got 0/);
    expect(() => batchify([1, 2], 1.5)).toThrow(/got 1.5/);
    expect(() => batchify([1, 2], 3)).toThrow(/batch \(3\) is larger than the number of tokens \(2\)/);
    expect(() => streamColumn(batchify([1, 2], 2), 2)).toThrow(
      /column must be an integer in \[0, 2\), got 2/,
    );
  });
});
