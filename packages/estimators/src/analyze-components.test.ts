import { describe, expect, it } from 'vitest';
import { analyzeComponents } from './analyze-components.js';
import { analyzeProfile } from './analyze-profile.js';
import { ZeroProfileError } from './errors.js';

const profileOf = (phi: number[]) => ({ phi, samples: 4, averaging: 'log' as const });
const geometric = (beta: number, window: number) => Array.from({ length: window }, (_, k) => beta ** k);

describe('analyzeComponents', () => {
  it('analyses the total and each component with the same options', () => {
    const h0 = geometric(0.5, 60);
    const c0 = geometric(0.95, 60);
    const total = h0.map((v, k) => Math.hypot(v, c0[k] as number));
    const result = analyzeComponents({
      total: profileOf(total),
      components: { 'l0.h': profileOf(h0), 'l0.c': profileOf(c0) },
    });
    expect(Object.keys(result.components)).toEqual(['l0.h', 'l0.c']);
    expect(result.components['l0.h']?.beta).toBeCloseTo(0.5, 9);
    expect(result.components['l0.c']?.beta).toBeCloseTo(0.95, 9);
    // The total is the same analysis as analyzeProfile on the total profile.
    expect(Array.from(result.total.relativeBias)).toEqual(
      Array.from(analyzeProfile(profileOf(total)).relativeBias),
    );
    // The slow cell state needs the longer truncation.
    expect(result.components['l0.c']!.truncationFor(0.1)).toBeGreaterThan(
      result.components['l0.h']!.truncationFor(0.1),
    );
  });

  it('marks an all-zero component as null but refuses an all-zero total', () => {
    const result = analyzeComponents({
      total: profileOf(geometric(0.8, 20)),
      components: { 'l1.c': profileOf(new Array(20).fill(0)) },
    });
    expect(result.components['l1.c']).toBeNull();
    expect(() => analyzeComponents({ total: profileOf(new Array(20).fill(0)), components: {} })).toThrow(
      ZeroProfileError,
    );
  });
});
