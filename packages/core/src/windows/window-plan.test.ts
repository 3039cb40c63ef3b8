import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planWindow } from './window-plan';

describe('planWindow', () => {
  it('tf: non-overlapping windows of K with the state carried from the window end', () => {
    expect(planWindow({ style: 'tf', truncation: 5, position: 10, carriedAt: 10, steps: 100 })).toEqual({
      carriedAt: 10,
      gradStart: 10,
      position: 10,
      carryAt: 15,
      end: 15,
    });
  });

  it('buffer: K−1 burn-in steps, K loss steps, state carried from p+1', () => {
    // Loss on [10, 15), burn-in [6, 10), next burn-in starts at 11.
    expect(planWindow({ style: 'buffer', truncation: 5, position: 10, carriedAt: 6, steps: 100 })).toEqual({
      carriedAt: 6,
      gradStart: 6,
      position: 10,
      carryAt: 11,
      end: 15,
    });
  });

  it('buffer at the stream start has no burn-in; when K shrinks the surplus is advanced without gradient', () => {
    expect(
      planWindow({ style: 'buffer', truncation: 5, position: 0, carriedAt: 0, steps: 100 }).gradStart,
    ).toBe(0);
    const shrink = planWindow({ style: 'buffer', truncation: 3, position: 10, carriedAt: 6, steps: 100 });
    expect(shrink.gradStart).toBe(8); // [6, 8) advanced without gradient, burn-in [8, 10) = K − 1 = 2 steps
    const grow = planWindow({ style: 'buffer', truncation: 8, position: 10, carriedAt: 6, steps: 100 });
    expect(grow.gradStart).toBe(6); // only 4 burn-in steps are available for this one window
  });

  it('cuts the last window at the stream end and carries the end state into the next epoch', () => {
    const plan = planWindow({ style: 'buffer', truncation: 5, position: 97, carriedAt: 93, steps: 100 });
    expect(plan.end).toBe(100);
    expect(plan.carryAt).toBe(100);
  });

  it('every position gets exactly one loss and every loss sees min(K, p+1) states (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'tf' | 'buffer'>('tf', 'buffer'),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 80 }),
        (style, k, steps) => {
          const seen = new Array(steps).fill(0);
          let position = 0;
          let carriedAt = 0;
          while (position < steps) {
            const plan = planWindow({ style, truncation: k, position, carriedAt, steps });
            expect(plan.gradStart).toBeGreaterThanOrEqual(carriedAt);
            expect(plan.carryAt).toBeGreaterThan(plan.gradStart);
            expect(plan.carryAt).toBeLessThanOrEqual(plan.end);
            for (let t = plan.position; t < plan.end; t++) {
              seen[t]++;
              const lags = t - plan.gradStart + 1;
              if (style === 'buffer') expect(lags).toBeGreaterThanOrEqual(Math.min(k, t + 1));
              else expect(lags).toBe(t - plan.position + 1);
            }
            position = plan.end;
            carriedAt = plan.carryAt;
          }
          expect(seen.every((n) => n === 1)).toBe(true);
        },
      ),
    );
  });

  it('refuses bad arguments, naming them', () => {
    expect(() => planWindow({ style: 'tf', truncation: 0, position: 0, carriedAt: 0, steps: 10 })).toThrow(
      /truncation/,
    );
    expect(() => planWindow({ style: 'tf', truncation: 2, position: 10, carriedAt: 0, steps: 10 })).toThrow(
      /position/,
    );
    expect(() => planWindow({ style: 'tf', truncation: 2, position: 3, carriedAt: 4, steps: 10 })).toThrow(
      /carriedAt/,
    );
  });
});
