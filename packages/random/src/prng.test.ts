import { describe, expect, it } from 'vitest';
import { createPrng, validatePrngState } from './prng.js';
import { RNG_STREAMS } from './streams.js';

/** sfc32 written independently with BigInt, from the algorithm's description, continuing from a state. */
function referenceSfc32(state: readonly number[], count: number): number[] {
  const M = 0xffffffffn;
  let [a, b, c, d] = state.map((w) => BigInt(w)) as [bigint, bigint, bigint, bigint];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = (a + b + d) & M;
    d = (d + 1n) & M;
    a = b ^ (b >> 9n);
    b = (c + (c << 3n)) & M;
    c = (((c << 21n) | (c >> 11n)) & M) + t;
    c &= M;
    out.push(Number(t));
  }
  return out;
}

const draw = (rng: { nextUint32(): number }, n: number) => Array.from({ length: n }, () => rng.nextUint32());

/** Pearson correlation of two equally long samples. */
function correlation(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('createPrng', () => {
  it('gives exactly the numbers of the former @tbptt/models generator (pinned before the move)', () => {
    // First four outputs of models/src/internal/prng.ts at commit edd0fd6 for these (seed, stream).
    const pinned: [number, number, number[]][] = [
      [0, 1, [3793829064, 515859444, 2588329476, 1771887344]],
      [42, 2, [3696498799, 2796804694, 3879819937, 3279257039]],
      [2 ** 40 + 7, 11, [2340860516, 365653889, 2897304596, 1781610556]],
      [-5, 12, [423884610, 734352875, 1153920818, 1054012820]],
      [123, 3, [3662109391, 2121944818, 3263205619, 3031830338]],
    ];
    for (const [seed, stream, expected] of pinned)
      expect(draw(createPrng(seed, stream), 4)).toEqual(expected);
  });

  it('steps exactly as a BigInt transcription of sfc32 from its state', () => {
    for (const [seed, stream] of [
      [0, 1],
      [987654321, 3],
      [-1, 12],
    ] as const) {
      const rng = createPrng(seed, stream);
      const state = rng.getState();
      expect(draw(rng, 200)).toEqual(referenceSfc32(state, 200));
    }
  });

  it('a stream name and its number give the same generator', () => {
    for (const [name, number] of Object.entries(RNG_STREAMS)) {
      expect(draw(createPrng(5, name as keyof typeof RNG_STREAMS), 8)).toEqual(
        draw(createPrng(5, number), 8),
      );
    }
  });

  it('is reproducible and differs across seeds, streams and sub-streams', () => {
    expect(draw(createPrng(42, 'data', 3), 8)).toEqual(draw(createPrng(42, 'data', 3), 8));
    const sequences = new Map<string, string>();
    const add = (label: string, rng: { nextUint32(): number }) =>
      sequences.set(label, draw(rng, 8).join(','));
    for (const seed of [0, 1, 42, 2 ** 40, -1]) {
      for (const stream of [0, 1, 2, 3, 11, 12]) add(`${seed}/${stream}`, createPrng(seed, stream));
      for (let column = 0; column < 16; column++)
        add(`${seed}/3/${column}`, createPrng(seed, 'data', column));
      add(`${seed}/3/2^40`, createPrng(seed, 'data', 2 ** 40));
    }
    // 5 seeds × (6 streams + 17 sub-streams): all distinct.
    expect(new Set(sequences.values()).size).toBe(5 * 23);
  });

  it('streams and sub-streams are uncorrelated (pairwise and at lag 1)', () => {
    const n = 20_000;
    const floats = (rng: { nextFloat(): number }) => Array.from({ length: n }, () => rng.nextFloat());
    const samples = [
      ...Object.values(RNG_STREAMS).map((s) => floats(createPrng(7, s))),
      ...Array.from({ length: 6 }, (_, column) => floats(createPrng(7, 'data', column))),
      floats(createPrng(8, 'data', 0)),
    ];
    // Independent uniforms: r ≈ N(0, 1/n), so |r| < 5/√n ≈ 0.035 fails with probability < 1e-6 per pair.
    const bound = 5 / Math.sqrt(n);
    for (let i = 0; i < samples.length; i++) {
      for (let j = i + 1; j < samples.length; j++) {
        expect(Math.abs(correlation(samples[i]!, samples[j]!))).toBeLessThan(bound);
        // One stream against the next draws of another (a shifted copy would show here).
        expect(Math.abs(correlation(samples[i]!.slice(1), samples[j]!.slice(0, -1)))).toBeLessThan(bound);
      }
    }
    // The test can fail: a stream against a shifted copy of itself plus noise is correlated.
    const copy = samples[0]!.map((u, i) => 0.5 * u + 0.5 * samples[1]![i]!);
    expect(Math.abs(correlation(samples[0]!, copy))).toBeGreaterThan(bound);
  });

  it('continues exactly from a saved state, through JSON', () => {
    const rng = createPrng(7, 'dropout', 2);
    draw(rng, 100);
    const saved = rng.getState();
    const restored = JSON.parse(JSON.stringify(saved)) as number[];
    expect(restored).toEqual(saved);
    const expected = Array.from({ length: 10 }, () => rng.nextFloat());
    const other = createPrng(999, 'init');
    other.setState(restored);
    expect(Array.from({ length: 10 }, () => other.nextFloat())).toEqual(expected);
    expect(other.getState()).toEqual(rng.getState());
  });

  it('gives uniform floats in [0, 1) (mean, variance and bucket counts)', () => {
    const rng = createPrng(1, 0);
    const n = 100_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
      buckets[Math.floor(u * 10)]!++;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    // Each bucket holds 10,000 ± 5σ (σ ≈ 95).
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(475);
  });

  it('refuses bad seeds, streams, sub-streams and states', () => {
    expect(() => createPrng(Number.NaN, 'init')).toThrow(/createPrng: seed must be a safe integer, got NaN/);
    expect(() => createPrng(1.5, 'init')).toThrow(/got 1.5/);
    expect(() => createPrng(1, 'weights' as 'init')).toThrow(
      /createPrng: unknown stream "weights"; use one of init, dropout, data, profileSampler, variableTruncation/,
    );
    expect(() => createPrng(1, -1)).toThrow(
      /stream must be a name in RNG_STREAMS or an integer in \[0, 2\^32\), got -1/,
    );
    expect(() => createPrng(1, 'data', -2)).toThrow(/substream must be a non-negative safe integer.*got -2/);
    const rng = createPrng(0, 'init');
    expect(() => rng.setState([1, 2, 3])).toThrow(
      /setState: state must be 4 integers in \[0, 2\^32\).*got \[1,2,3\]/,
    );
    expect(() => rng.setState([1, 2, 3, -1])).toThrow(/got \[1,2,3,-1\]/);
    expect(() => rng.setState([1, 2, 3, 2 ** 32])).toThrow(/got \[1,2,3,4294967296\]/);
    expect(() => validatePrngState({ a: 1 }, 'readCheckpoint')).toThrow(
      /^readCheckpoint: state must be 4 integers/,
    );
    expect(validatePrngState([0, 1, 2, 2 ** 32 - 1], 'x')).toEqual([0, 1, 2, 2 ** 32 - 1]);
  });
});
