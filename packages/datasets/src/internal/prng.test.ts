import { describe, expect, it } from 'vitest';
import { createPrng, xoshiro128ss } from './prng';

/** xoshiro128** written independently with BigInt, straight from the reference C code. */
function referenceXoshiro(seed: [number, number, number, number], count: number): number[] {
  const M = 0xffffffffn;
  const s = seed.map((x) => BigInt(x >>> 0));
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const result = (rotl((s[1]! * 5n) & M, 7n) * 9n) & M;
    const t = (s[1]! << 9n) & M;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11n);
    out.push(Number(result));
  }
  return out;
}

describe('xoshiro128ss', () => {
  it('matches a BigInt transcription of the reference algorithm', () => {
    for (const seed of [
      [1, 2, 3, 4],
      [0xdeadbeef, 0x12345678, 0xffffffff, 7],
    ] as [number, number, number, number][]) {
      const rng = xoshiro128ss(...seed);
      const ours = Array.from({ length: 100 }, () => rng.nextUint32());
      expect(ours).toEqual(referenceXoshiro(seed, 100));
    }
  });

  it('gives 11520 first from the state (1, 2, 3, 4): rotl(2·5, 7)·9', () => {
    expect(xoshiro128ss(1, 2, 3, 4).nextUint32()).toBe(11520);
  });

  it('refuses the all-zero state', () => {
    expect(() => xoshiro128ss(0, 0, 0, 0)).toThrow(/all zero/);
  });
});

describe('createPrng', () => {
  it('is deterministic in (seed, stream) and differs across seeds and streams', () => {
    const draw = (seed: number, stream: number) => {
      const rng = createPrng(seed, stream);
      return Array.from({ length: 20 }, () => rng.nextUint32());
    };
    expect(draw(42, 0)).toEqual(draw(42, 0));
    expect(draw(42, 0)).not.toEqual(draw(43, 0));
    expect(draw(42, 0)).not.toEqual(draw(42, 1));
    expect(draw(2 ** 40, 0)).not.toEqual(draw(0, 0));
  });

  it('nextInt is in range and roughly uniform (chi-square, 5 bins)', () => {
    const rng = createPrng(7);
    const counts = [0, 0, 0, 0, 0];
    const n = 50_000;
    for (let i = 0; i < n; i++) counts[rng.nextInt(5)]!++;
    const expected = n / 5;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 4 degrees of freedom: P(chi2 > 18.5) < 0.001.
    expect(chi2).toBeLessThan(18.5);
  });

  it('nextFloat is in [0, 1) with mean near 1/2', () => {
    const rng = createPrng(3);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = rng.nextFloat();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it('rejects bad seeds, streams and ranges', () => {
    expect(() => createPrng(1.5)).toThrow(/seed must be a safe integer, got 1.5/);
    expect(() => createPrng(1, -1)).toThrow(/stream/);
    expect(() => createPrng(1).nextInt(0)).toThrow(/nextInt: n must be an integer/);
  });
});
