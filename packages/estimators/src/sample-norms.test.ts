import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeProfile } from './analyze-profile.js';
import { componentProfilesFromSquaredNorms, profileFromSampleNorms } from './sample-norms.js';

/** Direct computation: the rows of lag k as a plain array, then the mean (or geometric mean) of it. */
function direct(
  norms: readonly number[],
  samples: number,
  averaging: 'norm' | 'log',
  rows: [number, number],
) {
  const window = norms.length / samples;
  return Array.from({ length: window }, (_, k) => {
    const row = norms.slice(k * samples + rows[0], k * samples + rows[1]);
    if (averaging === 'norm') return row.reduce((a, b) => a + b, 0) / row.length;
    return row.some((v) => v === 0) ? 0 : Math.exp(row.reduce((a, b) => a + Math.log(b), 0) / row.length);
  });
}

const layout = fc
  .record({ window: fc.integer({ min: 2, max: 12 }), samples: fc.integer({ min: 1, max: 9 }) })
  .chain(({ window, samples }) =>
    fc.record({
      window: fc.constant(window),
      samples: fc.constant(samples),
      norms: fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), {
        minLength: window * samples,
        maxLength: window * samples,
      }),
      rows: fc
        .tuple(fc.integer({ min: 0, max: samples - 1 }), fc.integer({ min: 1, max: samples }))
        .map(([a, b]) => [Math.min(a, b - 1), Math.max(b, a + 1)] as [number, number]),
      averaging: fc.constantFrom('norm' as const, 'log' as const),
    }),
  );

const relClose = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected) + 1e-300);

describe('profileFromSampleNorms', () => {
  it('equals the direct mean / geometric mean over the row range, lag by lag (property)', () => {
    fc.assert(
      fc.property(layout, ({ window, samples, norms, rows, averaging }) => {
        const profile = profileFromSampleNorms(Float64Array.from(norms), { samples, averaging, rows });
        expect(profile).toMatchObject({ samples: rows[1] - rows[0], averaging, window });
        const expected = direct(norms, samples, averaging, rows);
        for (let k = 0; k < window; k++) relClose(profile.phi[k] as number, expected[k]!, 1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('reads [W, S] lag-major: lag k is row k', () => {
    // W = 3, S = 2: lag 0 → 4, 6; lag 1 → 1, 3; lag 2 → 0.5, 0.5.
    const profile = profileFromSampleNorms(new Float32Array([4, 6, 1, 3, 0.5, 0.5]), {
      samples: 2,
      averaging: 'norm',
    });
    expect(Array.from(profile.phi)).toEqual([5, 2, 0.5]);
    expect(
      profileFromSampleNorms([4, 6, 1, 3, 0.5, 0.5], { samples: 2, averaging: 'norm', rows: [1, 2] }).phi,
    ).toEqual(Float64Array.from([6, 3, 0.5]));
  });

  it("'log' averaging: a zero norm makes the lag exactly 0, and φ̂ scales with the norms (unlike a 1e−100 floor)", () => {
    const samples = 4;
    const norms = [8, 4, 2, 1, 4, 2, 1, 0, 2, 1, 0.5, 0.25];
    const profile = profileFromSampleNorms(norms, { samples, averaging: 'log' });
    expect(profile.phi[1]).toBe(0);
    for (const c of [1e-200, 1e-20, 1e150]) {
      const scaled = profileFromSampleNorms(
        norms.map((n) => c * n),
        { samples, averaging: 'log' },
      );
      for (let k = 0; k < 3; k++) relClose(scaled.phi[k] as number, c * (profile.phi[k] as number), 1e-12);
      expect(analyzeProfile(scaled, { tau: 1 }).logBeta).toBeCloseTo(
        analyzeProfile(profile, { tau: 1 }).logBeta,
        10,
      );
    }
    // The reference's exp(mean log(n + 1e−100)) is not equivariant: a floored sample does not scale.
    const floored = (ns: number[]) => Math.exp(ns.reduce((s, n) => s + Math.log(n + 1e-100), 0) / ns.length);
    const lag1 = norms.slice(4, 8);
    // Here 3 of 4 samples scale by 1e−20 and the floored one does not: the ratio is 1e−15, not 1e−20.
    relClose(floored(lag1.map((n) => 1e-20 * n)) / floored(lag1), 1e-15, 1e-9);
  });

  it('refuses a bad layout, row range or norm, naming the value', () => {
    expect(() => profileFromSampleNorms([1, 2, 3], { samples: 2, averaging: 'norm' })).toThrow(
      /profileFromSampleNorms: expected W × 2 values with W ≥ 2 lags, got 3/,
    );
    expect(() => profileFromSampleNorms([1, 2], { samples: 2, averaging: 'norm' })).toThrow(/W ≥ 2/);
    expect(() =>
      profileFromSampleNorms([1, 2, 3, 4], { samples: 2, averaging: 'norm', rows: [1, 1] }),
    ).toThrow(/rows must be \[start, end\) with 0 ≤ start < end ≤ S = 2, got \[1,1\]/);
    expect(() => profileFromSampleNorms([1, 2, -3, 4], { samples: 2, averaging: 'norm' })).toThrow(
      /norm 2 must be a finite number ≥ 0, got -3/,
    );
    expect(() => profileFromSampleNorms([1, 2, 3, 4], { samples: 0, averaging: 'norm' })).toThrow(
      /samples.*got 0/,
    );
    expect(() => profileFromSampleNorms([1, 2, 3, 4], { samples: 2, averaging: 'mean' as 'norm' })).toThrow(
      /averaging must be 'norm' or 'log', got "mean"/,
    );
  });
});

describe('componentProfilesFromSquaredNorms', () => {
  it('total = norms of the concatenated components, each component its own (property, against a direct sum)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('norm' as const, 'log' as const),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (window, components, samples, averaging, seed) => {
          let x = seed;
          const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * 10;
          const squares = Float32Array.from({ length: window * components * samples }, next);
          const names = Array.from({ length: components }, (_, j) => `l${j}.h`);
          const rows: [number, number] = [0, samples];
          const result = componentProfilesFromSquaredNorms(squares, {
            samples,
            averaging,
            componentNames: names,
            rows,
          });
          const at = (k: number, j: number, s: number) => squares[(k * components + j) * samples + s]!;
          const totalNorms: number[] = [];
          for (let k = 0; k < window; k++) {
            for (let s = 0; s < samples; s++) {
              let sum = 0;
              for (let j = 0; j < components; j++) sum += at(k, j, s);
              totalNorms.push(Math.sqrt(sum));
            }
          }
          const total = direct(totalNorms, samples, averaging, rows);
          for (let k = 0; k < window; k++) relClose(result.total.phi[k] as number, total[k]!, 1e-12);
          names.forEach((name, j) => {
            const own: number[] = [];
            for (let k = 0; k < window; k++)
              for (let s = 0; s < samples; s++) own.push(Math.sqrt(at(k, j, s)));
            const expected = direct(own, samples, averaging, rows);
            for (let k = 0; k < window; k++)
              relClose(result.components[name]!.phi[k] as number, expected[k]!, 1e-12);
          });
          expect(result.total).toMatchObject({ samples, averaging, window });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a row range picks one group of samples', () => {
    // W = 2, C = 2, S = 2; squares chosen so that the norms are integers.
    const squares = [9, 1, 16, 4, 0, 1, 4, 0];
    const second = componentProfilesFromSquaredNorms(squares, {
      samples: 2,
      averaging: 'norm',
      componentNames: ['h', 'c'],
      rows: [1, 2],
    });
    expect(Array.from(second.components.h!.phi)).toEqual([1, 1]);
    expect(Array.from(second.components.c!.phi)).toEqual([2, 0]);
    expect(Array.from(second.total.phi)).toEqual([Math.sqrt(5), 1]);
    expect(() =>
      componentProfilesFromSquaredNorms(squares, { samples: 2, averaging: 'norm', componentNames: [] }),
    ).toThrow(/componentNames must name at least one state component/);
    expect(() =>
      componentProfilesFromSquaredNorms(squares, {
        samples: 2,
        averaging: 'norm',
        componentNames: ['a', 'b', 'c'],
      }),
    ).toThrow(/expected W × 3 × 2 values with W ≥ 2 lags, got 8/);
  });
});
