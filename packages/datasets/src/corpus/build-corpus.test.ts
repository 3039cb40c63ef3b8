import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCorpus, hasContent } from './build-corpus';
import { EOS, tokenize } from './tokenize';

describe('buildCorpus', () => {
  it('builds the vocabulary in order of first appearance over train, valid, test', () => {
    const corpus = buildCorpus({ train: ' b a \n a c \n', valid: ' d b \n', test: ' e \n' });
    expect(corpus.vocab.tokens).toEqual(['b', 'a', EOS, 'c', 'd', 'e']);
    expect(Array.from(corpus.train)).toEqual([0, 1, 2, 1, 3, 2]);
    expect(Array.from(corpus.valid)).toEqual([4, 0, 2]);
    expect(Array.from(corpus.test)).toEqual([5, 2]);
  });

  it('decodes back to the tokens of each split', () => {
    const line = fc.array(fc.constantFrom('a', 'b', 'c', 'dé', '<unk>'), { minLength: 1, maxLength: 6 });
    const split = fc
      .array(line, { minLength: 1, maxLength: 5 })
      .map((lines) => lines.map((l) => ` ${l.join(' ')} \n`).join(''));
    fc.assert(
      fc.property(split, split, split, (train, valid, test) => {
        const corpus = buildCorpus({ train, valid, test });
        expect(corpus.vocab.decode(corpus.train)).toEqual(tokenize(train));
        expect(corpus.vocab.decode(corpus.valid)).toEqual(tokenize(valid));
        expect(corpus.vocab.decode(corpus.test)).toEqual(tokenize(test));
      }),
      { numRuns: 200 },
    );
  });

  it('character level', () => {
    const corpus = buildCorpus({ train: 'ab\n', valid: 'b', test: 'c' }, 'char');
    expect(corpus.vocab.tokens).toEqual(['a', 'b', '\n', 'c']);
    expect(corpus.vocab.level).toBe('char');
  });

  it('refuses an empty split, naming it', () => {
    expect(() => buildCorpus({ train: 'a\n', valid: ' \n\n', test: 'b' })).toThrow(
      /buildCorpus: the valid split is empty \(no tokens\)/,
    );
    expect(() => buildCorpus({ train: 'a', valid: 'b', test: '' }, 'char')).toThrow(
      /the test split is empty/,
    );
  });
});

describe('hasContent', () => {
  it('is false for whitespace-only text at word level', () => {
    const encode = (s: string) => new TextEncoder().encode(s);
    expect(hasContent(encode(' \n\t\u3000\u00a0'), 'word')).toBe(false);
    expect(hasContent(encode(' \n x'), 'word')).toBe(true);
    expect(hasContent(encode('\n'), 'char')).toBe(true);
    expect(hasContent(encode(''), 'char')).toBe(false);
  });
});
