import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EOS, UNK } from './tokenize';
import { Vocabulary } from './vocabulary';

describe('Vocabulary', () => {
  const vocab = new Vocabulary(['the', 'cat', EOS, UNK]);

  it('maps tokens to ids and back', () => {
    expect(vocab.size).toBe(4);
    expect(vocab.idOf('cat')).toBe(1);
    expect(vocab.idOf('dog')).toBeUndefined();
    expect(vocab.tokenOf(2)).toBe(EOS);
    expect(vocab.eosId).toBe(2);
    expect(vocab.unkId).toBe(3);
    expect(Array.from(vocab.encode(['cat', 'the']))).toEqual([1, 0]);
    expect(vocab.decode([0, 1, 2])).toEqual(['the', 'cat', EOS]);
  });

  it('decode(encode(tokens)) is the identity on known tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocab.tokens)), (tokens) => {
        expect(vocab.decode(vocab.encode(tokens))).toEqual(tokens);
      }),
      { numRuns: 200 },
    );
  });

  it('maps unknown tokens to <unk>, or throws when there is none', () => {
    expect(Array.from(vocab.encode(['dog']))).toEqual([3]);
    expect(() => new Vocabulary(['a']).encode(['a', 'zebra'])).toThrow(
      /Vocabulary.encode: token "zebra" \(position 1\) is not in the vocabulary of 1 tokens/,
    );
  });

  it('encodes and decodes text at its level', () => {
    expect(Array.from(vocab.encodeText(' the cat\nthe dog\n'))).toEqual([0, 1, 2, 0, 3, 2]);
    expect(vocab.decodeText([0, 1, 2, 0, 2])).toBe('the cat\nthe\n');
    const chars = new Vocabulary(['h', 'i', '\n'], 'char');
    expect(Array.from(chars.encodeText('hi\n'))).toEqual([0, 1, 2]);
    expect(chars.decodeText([1, 0, 2])).toBe('ih\n');
  });

  it('rejects duplicates, bad ids and bad levels', () => {
    expect(() => new Vocabulary(['a', 'b', 'a'])).toThrow(/token "a" appears twice \(ids 0 and 2\)/);
    expect(() => vocab.tokenOf(4)).toThrow(/tokenOf: id must be an integer in \[0, 4\), got 4/);
    expect(() => vocab.tokenOf(-1)).toThrow(/got -1/);
    expect(() => vocab.decode([0.5])).toThrow(/got 0.5/);
    expect(() => new Vocabulary(['a'], 'byte' as 'word')).toThrow(
      /level must be 'word' or 'char', got "byte"/,
    );
  });

  it('round-trips through JSON', () => {
    const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab)));
    expect(back.tokens).toEqual(vocab.tokens);
    expect(back.level).toBe('word');
    expect(() => Vocabulary.fromJSON({} as never)).toThrow(/fromJSON: expected/);
  });
});
