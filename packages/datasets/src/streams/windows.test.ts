import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchify } from './batchify';
import { nextTokenWindow, sliceSteps, windows } from './windows';

describe('windows', () => {
  it('covers [0, T − 1) in order with K-step windows (language modelling)', () => {
    expect([...windows({ steps: 11 }, 4)]).toEqual([
      { start: 0, length: 4 },
      { start: 4, length: 4 },
      { start: 8, length: 2 },
    ]);
    expect([...windows({ steps: 8 }, 4, { targetOffset: 0 })]).toEqual([
      { start: 0, length: 4 },
      { start: 4, length: 4 },
    ]);
    expect([...windows({ steps: 10 }, 3, { start: 5 })]).toEqual([
      { start: 5, length: 3 },
      { start: 8, length: 1 },
    ]);
    expect([...windows({ steps: 1 }, 3)]).toEqual([]);
  });

  it('partitions the positions exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 1 }),
        (steps, k, targetOffset) => {
          const seen: number[] = [];
          for (const w of windows({ steps }, k, { targetOffset })) {
            expect(w.length).toBeGreaterThan(0);
            expect(w.length).toBeLessThanOrEqual(k);
            for (let t = w.start; t < w.start + w.length; t++) seen.push(t);
          }
          const end = Math.max(0, steps - targetOffset);
          expect(seen).toEqual(Array.from({ length: end }, (_, t) => t));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects bad arguments', () => {
    expect(() => [...windows({ steps: 5 }, 0)]).toThrow(/windows: length must be a positive integer, got 0/);
    expect(() => [...windows({ steps: 5 }, 2, { start: 9 })]).toThrow(
      /start must be an integer in \[0, 4\], got 9/,
    );
  });
});

describe('sliceSteps and nextTokenWindow', () => {
  const stream = batchify(
    Int32Array.from({ length: 20 }, (_, i) => i),
    2,
  ); // T = 10
  it('slices rows as views', () => {
    const rows = sliceSteps(stream, 2, 3);
    expect(Array.from(rows)).toEqual([2, 12, 3, 13, 4, 14]);
    expect(rows.buffer).toBe(stream.data.buffer);
  });

  it('pairs each input row with the next row as target', () => {
    const { inputs, targets } = nextTokenWindow(stream, { start: 7, length: 2 });
    expect(Array.from(inputs)).toEqual([7, 17, 8, 18]);
    expect(Array.from(targets)).toEqual([8, 18, 9, 19]);
    expect(() => nextTokenWindow(stream, { start: 8, length: 2 })).toThrow(
      /needs row 10 for its last target/,
    );
    expect(() => sliceSteps(stream, 9, 2)).toThrow(
      /rows \[9, 11\) must be a non-empty integer range inside \[0, 10\)/,
    );
  });
});
