import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors';
import { isResumable, parsePartialOptions, resolveTrainOptions, TRAIN_DEFAULTS } from './train-options';

describe('resolveTrainOptions: --eval-every and --eval-every-tokens', () => {
  const both = /--eval-every \(30 updates\) and --eval-every-tokens \(1000 tokens\) exclude each other/;

  it('a layer that sets one replaces the other from the layers below (preset < config < flags, config.json < resume flags)', () => {
    const preset = { evalEvery: 250 };
    const flags = { evalEveryTokens: 100_000 };
    const o = resolveTrainOptions([preset, flags]);
    expect(o.evalEveryTokens).toBe(100_000);
    expect('evalEvery' in o).toBe(false);
    // And back: a run saved with a token cadence, resumed with an update cadence.
    const back = resolveTrainOptions([o, { evalEvery: 40 }]);
    expect(back.evalEvery).toBe(40);
    expect('evalEveryTokens' in back).toBe(false);
    // A layer that sets neither keeps what is below.
    expect(resolveTrainOptions([flags, { hidden: 8 }]).evalEveryTokens).toBe(100_000);
    // Everything else merges as before.
    expect(resolveTrainOptions([preset, { hidden: 8 }])).toEqual({
      ...TRAIN_DEFAULTS,
      evalEvery: 250,
      hidden: 8,
    });
  });

  it('one layer setting both is a usage error naming both flags', () => {
    for (const layers of [
      [{ evalEvery: 30, evalEveryTokens: 1000 }],
      [{ evalEvery: 250 }, { evalEvery: 30, evalEveryTokens: 1000 }],
      [{ evalEvery: 30, evalEveryTokens: 1000 }, { hidden: 8 }],
    ]) {
      expect(() => resolveTrainOptions(layers)).toThrow(UsageError);
      expect(() => resolveTrainOptions(layers)).toThrow(both);
    }
  });

  it('config files take tokens and evalEveryTokens as positive integers; both may change on resume', () => {
    expect(parsePartialOptions({ tokens: 2_000_000, evalEveryTokens: '50000' }, 'c.json')).toEqual({
      tokens: 2_000_000,
      evalEveryTokens: 50_000,
    });
    expect(() => parsePartialOptions({ tokens: 0 }, 'c.json')).toThrow(
      /c.json: tokens must be an integer ≥ 1, got 0/,
    );
    expect(() => parsePartialOptions({ evalEveryTokens: 1.5 }, 'c.json')).toThrow(
      /c.json: evalEveryTokens must be an integer ≥ 1, got 1.5/,
    );
    expect(isResumable('tokens')).toBe(true);
    expect(isResumable('evalEveryTokens')).toBe(true);
  });
});

describe('--threads', () => {
  it('is auto by default, and takes auto or an integer from 1 to 8 (flags and config files)', () => {
    expect(TRAIN_DEFAULTS.threads).toBe('auto');
    expect(parsePartialOptions({ threads: 'auto' }, 'c.json')).toEqual({ threads: 'auto' });
    expect(parsePartialOptions({ threads: 1 }, 'c.json')).toEqual({ threads: 1 });
    expect(parsePartialOptions({ threads: '8' }, 'c.json')).toEqual({ threads: 8 });
    for (const bad of [0, 9, 1.5, 'two', '', -1]) {
      expect(() => parsePartialOptions({ threads: bad }, 'c.json')).toThrow(UsageError);
      expect(() => parsePartialOptions({ threads: bad }, 'c.json')).toThrow(
        /c\.json: threads must be auto or an integer from 1 to 8, got /,
      );
    }
  });
});
