import { createPrng, uniformInt } from '@tbptt/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repeatTask } from './repeat-task';

describe('repeatTask', () => {
  it('targets are the inputs lag steps back, blank before (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 15 }),
        fc.boolean(),
        fc.integer(),
        (steps, batch, lag, period, grow, seed) => {
          const task = repeatTask({ steps, batch, lag, period, grow, seed });
          for (let t = 0; t < steps; t++) {
            for (let b = 0; b < batch; b++) {
              const expected = t < lag ? 0 : task.inputs[(t - lag) * batch + b];
              expect(task.targets[t * batch + b]).toBe(expected);
              const x = task.inputs[t * batch + b]!;
              expect(x >= 2 && x <= 5).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('repeats the base pattern, shifted by one symbol per repetition when growing', () => {
    const period = 5;
    const task = repeatTask({ steps: 30, batch: 1, lag: 2, period, seed: 4 });
    const plain = repeatTask({ steps: 30, batch: 1, lag: 2, period, grow: false, seed: 4 });
    for (let t = period; t < 30; t++) {
      expect(plain.inputs[t]).toBe(plain.inputs[t - period]);
      expect(task.inputs[t]).toBe(2 + ((task.inputs[t - period]! - 2 + 1) % 4));
    }
  });

  it("column b's base pattern is the first P draws of sub-stream b of the 'data' stream", () => {
    const task = repeatTask({ steps: 8, batch: 3, lag: 1, period: 8, grow: false, seed: 77 });
    for (let b = 0; b < 3; b++) {
      const rng = createPrng(77, 'data', b);
      const expected = Array.from({ length: 8 }, () => 2 + uniformInt(rng, 4));
      expect(Array.from({ length: 8 }, (_, t) => task.inputs[t * 3 + b])).toEqual(expected);
    }
  });

  it('is deterministic in the seed', () => {
    const a = repeatTask({ steps: 50, batch: 3, lag: 4, seed: 1 });
    expect(repeatTask({ steps: 50, batch: 3, lag: 4, seed: 1 }).inputs).toEqual(a.inputs);
    expect(repeatTask({ steps: 50, batch: 3, lag: 4, seed: 2 }).inputs).not.toEqual(a.inputs);
    expect(() => repeatTask({ steps: 5, batch: 1, lag: 0, seed: 1 })).toThrow(
      /repeatTask: lag must be an integer ≥ 1, got 0/,
    );
  });
});
