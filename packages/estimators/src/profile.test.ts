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
  it('round-trips through text as version 2, with and without cumulative', () => {
    const profile = { phi: Float64Array.from([3, 2.5, 1e-30, 0]), samples: 16, averaging: 'log' as const };
    const text = JSON.stringify(profileToJson(profile));
    expect(JSON.parse(text).version).toBe(2);
    expect(JSON.parse(text)).not.toHaveProperty('cumulative');
    const back = profileFromJson(text);
    expect(Array.from(back.phi)).toEqual([3, 2.5, 1e-30, 0]);
    expect(back).toMatchObject({ samples: 16, averaging: 'log', window: 4 });
    expect(back.cumulative).toBeUndefined();

    const withC = { ...profile, cumulative: [2, 3.5, 3.5, 0.25] };
    const again = profileFromJson(JSON.stringify(profileToJson(withC)));
    expect(again.cumulative).toBeInstanceOf(Float64Array);
    expect(Array.from(again.cumulative!)).toEqual([2, 3.5, 3.5, 0.25]);
  });

  it('still reads version 1 (written before cumulative existed)', () => {
    const v1 = { version: 1, phi: [1, 0.5, 0.25], samples: 8, averaging: 'norm', window: 3 };
    const back = profileFromJson(JSON.stringify(v1));
    expect(Array.from(back.phi)).toEqual([1, 0.5, 0.25]);
    expect(back).toMatchObject({ samples: 8, averaging: 'norm', window: 3 });
    expect(back.cumulative).toBeUndefined();
  });

  it('refuses an unknown version, bad JSON and bad values', () => {
    const good = profileToJson({ phi: [1, 0.5], samples: 1, averaging: 'norm' });
    expect(() => profileFromJson({ ...good, version: 3 })).toThrow(
      /unsupported profile version 3, this reader knows versions 1 and 2/,
    );
    expect(() => profileFromJson('{"phi": [1,')).toThrow(/not valid JSON/);
    expect(() => profileFromJson({ ...good, phi: [1, 'x'] })).toThrow(/phi\[1\].*got x/);
    expect(() => profileFromJson({ ...good, cumulative: [1, 'y'] })).toThrow(/cumulative\[1\].*got y/);
    expect(() => profileFromJson({ ...good, cumulative: 5 })).toThrow(/field cumulative must be an array/);
  });
});

describe('validateProfile cumulative', () => {
  it('checks its length and values', () => {
    const base = { phi: [1, 0.5, 0.25], samples: 2, averaging: 'norm' as const };
    expect(() => validateProfile({ ...base, cumulative: [1, 1] })).toThrow(
      /profile.cumulative must have one entry per lag \(W = 3\), got 2/,
    );
    expect(() => validateProfile({ ...base, cumulative: [1, -1, 1] })).toThrow(
      /profile.cumulative\[1\] must be a finite number ≥ 0, got -1/,
    );
    expect(() => validateProfile({ ...base, cumulative: [1, 1, Number.NaN] })).toThrow(
      /cumulative\[2\].*NaN/,
    );
    expect(Array.from(validateProfile({ ...base, cumulative: [1, 1.2, 1.3] }))).toEqual([1, 0.5, 0.25]);
  });
});
