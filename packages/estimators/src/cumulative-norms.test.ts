import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { profileFromAdjoints } from './adjoints.js';
import { cumulativeAdjointNorms } from './cumulative-norms.js';

describe('cumulativeAdjointNorms', () => {
  it('equals profileFromAdjoints on the row means of random adjoints (one component and several)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (window, samples, components, hidden, seed) => {
          let x = seed + 1;
          const next = () => ((x = (x * 16807) % 2147483647) / 2147483647) * 2 - 1;
          const dimension = components * hidden;
          const adjoints = Float64Array.from({ length: window * samples * dimension }, next); // [W, S, C·H]
          const means = new Float64Array(window * dimension); // [W, C, H]
          for (let k = 0; k < window; k++)
            for (let s = 0; s < samples; s++)
              for (let d = 0; d < dimension; d++)
                means[k * dimension + d]! += adjoints[(k * samples + s) * dimension + d]! / samples;
          const got = cumulativeAdjointNorms(means, { window, components });
          const want = profileFromAdjoints(adjoints, { window, samples, averaging: 'norm' }).cumulative!;
          for (let k = 0; k < window; k++) expect(got.total[k]).toBeCloseTo(want[k] as number, 10);
          // One component alone: its slice of the vectors.
          const first = Float64Array.from({ length: window * samples * hidden }, (_, i) => {
            const ks = Math.floor(i / hidden);
            return adjoints[ks * dimension + (i % hidden)]!;
          });
          const wantFirst = profileFromAdjoints(first, { window, samples, averaging: 'norm' }).cumulative!;
          for (let k = 0; k < window; k++)
            expect(got.components[0]![k]).toBeCloseTo(wantFirst[k] as number, 10);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a bad shape or a non-finite entry', () => {
    expect(() => cumulativeAdjointNorms(new Float64Array(5), { window: 2, components: 2 })).toThrow(
      /W × C × H = 2 × 2 × H values, got 5/,
    );
    expect(() => cumulativeAdjointNorms([0, Number.NaN], { window: 2, components: 1 })).toThrow(
      /must be finite, got NaN/,
    );
  });
});
