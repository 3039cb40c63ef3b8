import { describe, expect, it } from 'vitest';
import { truncationStats } from './truncation-stats';

/** The K of every update, spelled out from the history by brute force. */
function perUpdate(history: { update: number; K: number }[], updates: number): number[] {
  const ks: number[] = [];
  for (let u = 1; u <= updates; u++) {
    let K = history[0]!.K;
    for (const h of history) if (h.update < u) K = h.K;
    ks.push(K);
  }
  return ks;
}

describe('truncationStats', () => {
  it('equals the mean, min and max over every update of the K each update used', () => {
    const cases: [{ update: number; K: number }[], number][] = [
      [[{ update: 0, K: 15 }], 70],
      [
        [
          { update: 0, K: 15 },
          { update: 30, K: 8 },
          { update: 60, K: 24 },
        ],
        70,
      ],
      // A change at the last update counts for nothing; a history longer than the run is cut.
      [
        [
          { update: 0, K: 5 },
          { update: 10, K: 40 },
          { update: 12, K: 3 },
        ],
        10,
      ],
      [
        [
          { update: 0, K: 2 },
          { update: 1, K: 9 },
        ],
        1,
      ],
    ];
    for (const [history, updates] of cases) {
      const ks = perUpdate(history, updates);
      const stats = truncationStats(history, updates)!;
      expect(stats.kMean).toBeCloseTo(ks.reduce((a, b) => a + b, 0) / ks.length, 12);
      expect(stats.kMin).toBe(Math.min(...ks));
      expect(stats.kMax).toBe(Math.max(...ks));
    }
    expect(truncationStats([{ update: 0, K: 5 }], 0)).toBeNull();
  });
});
