import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EOS, TokenTable, tokenize } from './tokenize';

// The information separators U+001C..U+001F are whitespace to Python (built from a string: the
// linter refuses control characters in regex literals).
const PY_SPACE = new RegExp(
  `[\\t\\n\\v\\f\\r${String.fromCharCode(0x1c, 0x1d, 0x1e, 0x1f)} \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+`,
);

/**
 * Independent reference: Python's `for line in open(f): line.split() + ['<eos>']` with
 * universal newlines, written with string splits and regular expressions.
 */
function referenceWords(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (/[\r\n]$/.test(text)) lines.pop(); // a final line break does not start another line
  return lines.flatMap((line) => [...line.split(PY_SPACE).filter((w) => w !== ''), EOS]);
}

const PIECES = [
  'a',
  'b',
  'cat',
  '<unk>',
  'é',
  '日本',
  '😀',
  'N',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\x0b',
  '\x1c',
  '\u0085',
  '\u00a0',
  '\u2003',
  '\u2028',
  '\u3000',
  '\ufeff',
  '\u200b',
];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join(''));

describe('tokenize (word level)', () => {
  it('splits like Python line.split() + <eos> per line', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(tokenize(t, 'word')).toEqual(referenceWords(t));
      }),
      { numRuns: 500 },
    );
  });

  it('handles the corpus line format', () => {
    expect(tokenize(' the cat \n sat\n', 'word')).toEqual(['the', 'cat', EOS, 'sat', EOS]);
    expect(tokenize(' \n \n', 'word')).toEqual([EOS, EOS]);
    expect(tokenize('no newline', 'word')).toEqual(['no', 'newline', EOS]);
    expect(tokenize('a\r\nb\rc', 'word')).toEqual(['a', EOS, 'b', EOS, 'c', EOS]);
    expect(tokenize('', 'word')).toEqual([]);
  });
});

describe('tokenize (character level)', () => {
  it('gives one token per code point, newlines included', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(tokenize(t, 'char')).toEqual(Array.from(t));
      }),
      { numRuns: 300 },
    );
    expect(tokenize('a😀\n', 'char')).toEqual(['a', '😀', '\n']);
  });
});

describe('TokenTable', () => {
  it('assigns ids in order of first appearance, across calls', () => {
    const table = new TokenTable();
    expect(Array.from(table.encode('b a b\n', 'word'))).toEqual([0, 1, 0, 2]);
    expect(Array.from(table.encode('c a\n', 'word'))).toEqual([3, 1, 2]);
    expect(table.tokens).toEqual(['b', 'a', EOS, 'c']);
  });

  it('keeps ids consistent through many tokens and hash-table growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 3000 }),
        (numbers) => {
          const table = new TokenTable();
          const ids = table.encode(numbers.map((n) => `w${n}`).join(' '), 'word');
          const first = new Map<string, number>();
          const expected = numbers.map((n) => {
            const word = `w${n}`;
            if (!first.has(word)) first.set(word, first.size);
            return first.get(word)!;
          });
          expected.push(first.size); // the final <eos>
          expect(Array.from(ids)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('character ids carry over between splits', () => {
    const table = new TokenTable();
    table.encode('ab', 'char');
    expect(Array.from(table.encode('ba€', 'char'))).toEqual([1, 0, 2]);
  });
});
