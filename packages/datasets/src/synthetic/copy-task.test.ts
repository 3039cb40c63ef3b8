import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyTask } from './copy-task';

/** Column b of a [T, B] array. */
function column(data: Int32Array, batch: number, b: number): number[] {
  const out: number[] = [];
  for (let i = b; i < data.length; i += batch) out.push(data[i]!);
  return out;
}

/**
 * Independent decoder: the target at step t computed from the inputs x_0..x_t only.
 * Find the last start marker p ≤ t; its span is the run of non-blank inputs from p; if the
 * span has ended (a blank at p + L ≤ t) and t is within the L recall steps after it, the
 * target is the span's symbol at the same offset; otherwise blank.
 */
function targetFromPast(seen: readonly number[]): number {
  const t = seen.length - 1;
  let p = t;
  while (p >= 0 && seen[p] !== 1) p--;
  if (p < 0) return 0;
  let end = p;
  while (end <= t && seen[end] !== 0) end++;
  if (end > t) return 0; // the span is still being shown
  const length = end - p;
  const offset = t - end;
  return offset < length ? seen[p + offset]! : 0;
}

const options = fc.record({
  steps: fc.integer({ min: 1, max: 120 }),
  batch: fc.integer({ min: 1, max: 4 }),
  length: fc.integer({ min: 1, max: 12 }),
  minFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  seed: fc.integer(),
  randomPhase: fc.boolean(),
});

describe('copyTask', () => {
  it('every target is recoverable from the inputs seen so far (property)', () => {
    fc.assert(
      fc.property(options, (o) => {
        const minLength = Math.max(1, Math.round(o.length * o.minFraction));
        const task = copyTask({ ...o, minLength });
        for (let b = 0; b < o.batch; b++) {
          const x = column(task.inputs, o.batch, b);
          const y = column(task.targets, o.batch, b);
          for (let t = 0; t < o.steps; t++) expect(y[t]).toBe(targetFromPast(x.slice(0, t + 1)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('has spans of length in [m_min, m] made of a start marker and symbols 2..5 (property)', () => {
    fc.assert(
      fc.property(options, (o) => {
        const minLength = Math.max(1, Math.round(o.length * o.minFraction));
        const task = copyTask({ ...o, minLength, randomPhase: false, steps: 4 * o.length + 2 });
        const x = column(task.inputs, o.batch, 0);
        expect(x[0]).toBe(1);
        let t = 0;
        // Every complete span: marker, then symbols, then as many blanks.
        while (t < x.length) {
          expect(x[t]).toBe(1);
          let end = t + 1;
          while (end < x.length && x[end]! >= 2) end++;
          const length = end - t;
          if (end + length > x.length) break;
          expect(length).toBeGreaterThanOrEqual(minLength);
          expect(length).toBeLessThanOrEqual(o.length);
          for (let i = end; i < end + length; i++) expect(x[i]).toBe(0);
          t = end + length;
        }
        for (const v of task.inputs) expect(v >= 0 && v < 6).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('fixed length: every non-blank target is the input exactly m steps back', () => {
    const m = 7;
    const task = copyTask({ steps: 500, batch: 3, length: m, seed: 1 });
    let recalled = 0;
    for (let t = 0; t < 500; t++) {
      for (let b = 0; b < 3; b++) {
        const y = task.targets[t * 3 + b]!;
        if (y !== 0) {
          expect(y).toBe(task.inputs[(t - m) * 3 + b]);
          recalled++;
        }
      }
    }
    expect(recalled).toBeGreaterThan(600);
  });

  it('same seed → same data; other seed → other data; columns independent of B and T', () => {
    const a = copyTask({ steps: 200, batch: 4, length: 10, minLength: 5, seed: 9 });
    const b = copyTask({ steps: 200, batch: 4, length: 10, minLength: 5, seed: 9 });
    const c = copyTask({ steps: 200, batch: 4, length: 10, minLength: 5, seed: 10 });
    expect(a.inputs).toEqual(b.inputs);
    expect(a.targets).toEqual(b.targets);
    expect(a.inputs).not.toEqual(c.inputs);
    const narrow = copyTask({ steps: 120, batch: 2, length: 10, minLength: 5, seed: 9 });
    expect(column(narrow.inputs, 2, 1)).toEqual(column(a.inputs, 4, 1).slice(0, 120));
    expect(column(narrow.targets, 2, 1)).toEqual(column(a.targets, 4, 1).slice(0, 120));
    expect(a.vocabSize).toBe(6);
  });

  it('uses the four symbols about equally', () => {
    const task = copyTask({ steps: 4000, batch: 2, length: 10, seed: 5 });
    const counts = [0, 0, 0, 0, 0, 0];
    for (const v of task.inputs) counts[v]!++;
    const symbols = counts.slice(2);
    const total = symbols.reduce((s, c) => s + c, 0);
    for (const c of symbols) expect(Math.abs(c / total - 0.25)).toBeLessThan(0.04);
  });

  it('rejects bad options', () => {
    expect(() => copyTask({ steps: 0, batch: 1, length: 3, seed: 0 })).toThrow(
      /copyTask: steps must be an integer ≥ 1, got 0/,
    );
    expect(() => copyTask({ steps: 5, batch: 1, length: 3, minLength: 4, seed: 0 })).toThrow(
      /minLength \(4\) must not exceed length \(3\)/,
    );
    expect(() => copyTask({ steps: 5, batch: 1, length: 3, seed: 0.5 })).toThrow(
      /seed must be a safe integer/,
    );
  });
});
