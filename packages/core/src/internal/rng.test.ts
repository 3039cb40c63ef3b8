import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng', () => {
  it('resumes the exact sequence from a saved state', () => {
    const a = new Rng(42);
    for (let i = 0; i < 10; i++) a.uniform();
    const saved = a.getState();
    const expected = Array.from({ length: 20 }, () => a.nextUint32());
    const b = new Rng(7);
    b.setState(saved);
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(expected);
  });

  it('draws uniform and normal values with the right first two moments', () => {
    const rng = new Rng(1);
    const n = 20000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      su += rng.uniform();
      const z = rng.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 1);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });

  it('different seeds give different streams; bad states are refused', () => {
    expect(new Rng(1).nextUint32()).not.toBe(new Rng(2).nextUint32());
    expect(() => new Rng().setState([1, 2, 3])).toThrow(/four unsigned 32-bit integers/);
  });
});
