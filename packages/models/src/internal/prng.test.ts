import { describe, expect, it } from 'vitest';
import { createPrng, fillNormal, seedState, standardNormal, uniformInt } from './prng';

describe('createPrng', () => {
  it('is reproducible from the seed and differs across seeds and streams', () => {
    const draw = (seed: number, stream = 0) => {
      const rng = createPrng(seed, stream);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42, 1)).not.toEqual(draw(42, 2));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('continues exactly from a saved state', () => {
    const rng = createPrng(7);
    for (let i = 0; i < 100; i++) rng.nextUint32();
    const saved = rng.getState();
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    const expected = Array.from({ length: 10 }, () => rng.nextFloat());
    const other = createPrng(999);
    other.setState(saved);
    expect(Array.from({ length: 10 }, () => other.nextFloat())).toEqual(expected);
  });

  it('gives uniform floats in [0, 1) (mean, variance and bucket counts)', () => {
    const rng = createPrng(1);
    const n = 100_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextFloat();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sumSq += u * u;
      buckets[Math.floor(u * 10)]!++;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    // Each bucket holds 10,000 ± 5σ (σ ≈ 95).
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(475);
  });

  it('gives standard normals with fillNormal', () => {
    const values = fillNormal(createPrng(3), new Float32Array(50_001));
    const mean = values.reduce((s, x) => s + x, 0) / values.length;
    const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('refuses bad seeds and states', () => {
    expect(() => seedState(Number.NaN)).toThrow(/seed must be a finite number, got NaN/);
    const rng = createPrng(0);
    expect(() => rng.setState([1, 2, 3])).toThrow(/must be 4 integers in \[0, 2\^32\).*got \[1,2,3\]/);
    expect(() => rng.setState([1, 2, 3, -1])).toThrow(/got \[1,2,3,-1\]/);
  });

  it('uniformInt covers [0, n) evenly; standardNormal has mean 0 and variance 1', () => {
    const rng = createPrng(1);
    const n = 20000;
    const counts = new Array(7).fill(0);
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const k = uniformInt(rng, 7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
      counts[k]++;
      const z = standardNormal(rng);
      sum += z;
      sumSquares += z * z;
    }
    for (const count of counts) expect(Math.abs(count - n / 7)).toBeLessThan(0.05 * (n / 7));
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSquares / n).toBeCloseTo(1, 1);
  });
});
