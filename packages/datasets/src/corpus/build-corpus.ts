import { isSplitWhitespace, utf8SpaceLength } from '../internal/whitespace';
import { type TokenLevel, TokenTable } from './tokenize';
import { Vocabulary } from './vocabulary';

/** The three splits of a corpus, in the order the vocabulary is built. */
export const SPLITS = ['train', 'valid', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/**
 * A tokenised corpus: token ids of each split (4 bytes per token) and the shared vocabulary.
 */
export interface Corpus {
  readonly level: TokenLevel;
  readonly vocab: Vocabulary;
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
  /** The files the splits were read from, when they came from disk. */
  readonly files?: Readonly<Record<Split, string>>;
}

/**
 * Tokenises three texts already in memory into a {@link Corpus}. The vocabulary is built in
 * order of first appearance over train, then valid, then test (so valid/test words missing
 * from train still get ids, after every train token). See `TokenTable.encodeBytes` for the
 * exact tokenisation. Texts are handled as UTF-8, so a lone surrogate in a string becomes U+FFFD.
 */
export function buildCorpus(texts: Readonly<Record<Split, string>>, level: TokenLevel = 'word'): Corpus {
  const encoder = new TextEncoder();
  const bytes = {} as Record<Split, Uint8Array>;
  for (const split of SPLITS) {
    if (typeof texts[split] !== 'string') {
      throw new Error(`buildCorpus: texts.${split} must be a string, got ${typeof texts[split]}`);
    }
    bytes[split] = encoder.encode(texts[split]);
  }
  return corpusFromBytes(bytes, level, 'buildCorpus', (split) => `the ${split} split`);
}

/**
 * Tokenises three splits given as UTF-8 bytes (checked by the caller). `describe(split)`
 * names a split in errors, e.g. its file.
 */
export function corpusFromBytes(
  bytes: Readonly<Record<Split, Uint8Array>>,
  level: TokenLevel,
  caller: string,
  describe: (split: Split) => string,
): Corpus {
  if (level !== 'word' && level !== 'char') {
    throw new Error(`${caller}: level must be 'word' or 'char', got ${JSON.stringify(level)}`);
  }
  for (const split of SPLITS) {
    if (!hasContent(bytes[split], level)) {
      throw new Error(`${caller}: ${describe(split)} is empty (no tokens); every split needs some text`);
    }
  }
  const table = new TokenTable();
  const train = table.encodeBytes(bytes.train, level);
  const valid = table.encodeBytes(bytes.valid, level);
  const test = table.encodeBytes(bytes.test, level);
  return { level, vocab: new Vocabulary(table.tokens, level), train, valid, test };
}

/**
 * Whether UTF-8 `bytes` yield at least one real token: a non-whitespace character for word
 * level (a file of blank lines would only give `<eos>`), any character for character level.
 */
export function hasContent(bytes: Uint8Array, level: TokenLevel): boolean {
  if (level === 'char') return bytes.length > 0;
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    if (c < 0x80) {
      if (!isSplitWhitespace(c)) return true;
      i++;
    } else {
      const space = utf8SpaceLength(bytes, i);
      if (space === 0) return true;
      i += space;
    }
  }
  return false;
}
