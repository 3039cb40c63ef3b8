import { describe, expect, it } from 'vitest';
import { EstimatorInputError } from './errors.js';
import { profileFromJson, profileToJson, validateProfile } from './profile.js';

describe('validateProfile', () => {
  it('returns the profile as a Float64Array', () => {
    const phi = validateProfile({ phi: [1, 0.5, 0.25], samples: 4, averaging: 'norm' });
    expect(phi).toBeInstanceOf(Float64Array);
    expect(Array.from(phi)).toEqual([1, 0.5, 0.25]);
  });

  it.each([
    [Number.NaN, 'NaN'],
    [-0.5, '-0.5'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('names the index and value of a bad entry (%s)', (bad, shown) => {
    const phi = [1, 0.9, bad, 0.7];
    expect(() => validateProfile({ phi, samples: 1, averaging: 'norm' })).toThrow(
      new RegExp(`phi\\[2\\] must be a finite number ≥ 0, got ${shown}`),
    );
  });

  it('refuses W = 1 and W = 0', () => {
    expect(() => validateProfile({ phi: [1], samples: 1, averaging: 'norm' })).toThrow(/W ≥ 2.*got W = 1/);
    expect(() => validateProfile({ phi: [], samples: 1, averaging: 'log' })).toThrow(EstimatorInputError);
  });

  it('refuses bad samples, averaging and a window that disagrees with phi', () => {
    expect(() => validateProfile({ phi: [1, 1], samples: 0, averaging: 'norm' })).toThrow(/samples.*got 0/);
    expect(() => validateProfile({ phi: [1, 1], samples: 1, averaging: 'mean' as 'norm' })).toThrow(
      /averaging must be 'norm' or 'log', got "mean"/,
    );
    expect(() => validateProfile({ phi: [1, 1], samples: 1, averaging: 'norm', window: 3 })).toThrow(
      /window \(3\) must equal phi.length \(2\)/,
    );
  });
});

describe('profile JSON', () => {
  it('round-trips through text with a version field', () => {
    const profile = { phi: Float64Array.from([3, 2.5, 1e-30, 0]), samples: 16, averaging: 'log' as const };
    const text = JSON.stringify(profileToJson(profile));
    expect(JSON.parse(text).version).toBe(1);
    const back = profileFromJson(text);
    expect(Array.from(back.phi)).toEqual([3, 2.5, 1e-30, 0]);
    expect(back).toMatchObject({ samples: 16, averaging: 'log', window: 4 });
  });

  it('refuses an unknown version, bad JSON and bad values', () => {
    const good = profileToJson({ phi: [1, 0.5], samples: 1, averaging: 'norm' });
    expect(() => profileFromJson({ ...good, version: 2 })).toThrow(/unsupported profile version 2/);
    expect(() => profileFromJson('{"phi": [1,')).toThrow(/not valid JSON/);
    expect(() => profileFromJson({ ...good, phi: [1, 'x'] })).toThrow(/phi\[1\].*got x/);
  });
});
