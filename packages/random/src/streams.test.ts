import { describe, expect, it } from 'vitest';
import { RNG_STREAMS, resolveStream } from './streams.js';

describe('RNG_STREAMS', () => {
  it('keeps the stream numbers every seeded result depends on', () => {
    expect(RNG_STREAMS).toEqual({ init: 1, dropout: 2, data: 3, profileSampler: 11, variableTruncation: 12 });
    expect(new Set(Object.values(RNG_STREAMS)).size).toBe(Object.keys(RNG_STREAMS).length);
  });

  it('resolveStream maps names to numbers and checks numbers', () => {
    expect(resolveStream('profileSampler')).toBe(11);
    expect(resolveStream(0)).toBe(0);
    expect(resolveStream(2 ** 32 - 1)).toBe(2 ** 32 - 1);
    expect(() => resolveStream(2 ** 32)).toThrow(/resolveStream: stream must be .* got 4294967296/);
    expect(() => resolveStream('toString' as 'init')).toThrow(/unknown stream "toString"/);
  });
});
