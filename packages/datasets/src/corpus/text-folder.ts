import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Corpus, corpusFromBytes, SPLITS, type Split } from './build-corpus';
import { describeFsError, readTextFile } from './read-text-file';
import type { TokenLevel } from './tokenize';

export interface TextFolderOptions {
  /** `'word'` (default): words + `<eos>` per line; `'char'`: one token per character. */
  level?: TokenLevel;
}

/**
 * File names accepted for each split, first match wins: the plain `train.txt` layout (as in
 * PyTorch's word_language_model), WikiText's own `wiki.train.tokens`, and Mikolov's PTB
 * `ptb.train.txt`.
 */
export function splitFileNames(split: Split): readonly string[] {
  return [`${split}.txt`, `wiki.${split}.tokens`, `ptb.${split}.txt`];
}

/** Finds the file of every split in `dir`, or throws naming the folder and the missing split. */
export async function findSplitFiles(dir: string, caller: string): Promise<Record<Split, string>> {
  let names: Set<string>;
  try {
    names = new Set(await readdir(dir));
  } catch (error) {
    throw new Error(`${caller}: cannot read the folder "${dir}": ${describeFsError(error)}`, {
      cause: error,
    });
  }
  const found = {} as Record<Split, string>;
  for (const split of SPLITS) {
    const name = splitFileNames(split).find((candidate) => names.has(candidate));
    if (name === undefined) {
      throw new Error(
        `${caller}: the folder "${dir}" has no ${split} split: expected one of ` +
          `${splitFileNames(split).join(', ')} in it`,
      );
    }
    found[split] = join(dir, name);
  }
  return found;
}

/**
 * Loads a folder of three UTF-8 text files (train, valid, test; see {@link splitFileNames}
 * for the accepted names) into a {@link Corpus}.
 *
 * Word level is the standard language-modelling tokenisation: each line is split on
 * whitespace and gets one `<eos>`; `<unk>` is an ordinary token. The vocabulary is built in
 * order of first appearance over train, valid, test. Each file is scanned once and the ids go
 * straight into an `Int32Array`.
 *
 * Throws, naming the file, for a missing split, an unreadable folder or file, a binary file
 * (NUL bytes), invalid UTF-8, or an empty split.
 */
export async function loadTextFolder(dir: string, options: TextFolderOptions = {}): Promise<Corpus> {
  const caller = 'loadTextFolder';
  const level = options.level ?? 'word';
  if (level !== 'word' && level !== 'char') {
    throw new Error(`${caller}: level must be 'word' or 'char', got ${JSON.stringify(level)}`);
  }
  return readSplitFiles(await findSplitFiles(dir, caller), level, caller);
}

/** Reads, checks and tokenises the three split files (errors start with `caller` and name the file). */
export async function readSplitFiles(
  files: Readonly<Record<Split, string>>,
  level: TokenLevel,
  caller: string,
): Promise<Corpus> {
  const bytes = {} as Record<Split, Uint8Array>;
  for (const split of SPLITS) bytes[split] = await readTextFile(files[split], caller);
  const corpus = corpusFromBytes(bytes, level, caller, (split) => `the ${split} split "${files[split]}"`);
  return { ...corpus, files };
}
