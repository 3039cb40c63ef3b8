import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../test/helpers/files';
import { loadTextFolder } from './text-folder';
import { EOS } from './tokenize';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(dir);
});

async function writeSplits(folder: string, names: Record<string, string | Uint8Array>): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const [name, content] of Object.entries(names)) await writeFile(join(folder, name), content);
}

describe('loadTextFolder', () => {
  it('reads train.txt / valid.txt / test.txt at word level', async () => {
    await writeSplits(dir, { 'train.txt': ' a b \n b c \n', 'valid.txt': ' c a \n', 'test.txt': ' a \n' });
    const corpus = await loadTextFolder(dir);
    expect(corpus.vocab.tokens).toEqual(['a', 'b', EOS, 'c']);
    expect(Array.from(corpus.train)).toEqual([0, 1, 2, 1, 3, 2]);
    expect(Array.from(corpus.valid)).toEqual([3, 0, 2]);
    expect(Array.from(corpus.test)).toEqual([0, 2]);
    expect(corpus.files?.train).toBe(join(dir, 'train.txt'));
  });

  it("accepts WikiText's and PTB's own file names", async () => {
    await writeSplits(dir, { 'wiki.train.tokens': 'x\n', 'wiki.valid.tokens': 'y\n', 'ptb.test.txt': 'z\n' });
    const corpus = await loadTextFolder(dir);
    expect(corpus.vocab.tokens).toEqual(['x', EOS, 'y', 'z']);
    expect(corpus.files?.test).toBe(join(dir, 'ptb.test.txt'));
  });

  it('reads characters at char level', async () => {
    await writeSplits(dir, { 'train.txt': 'ab\n', 'valid.txt': 'ba', 'test.txt': 'é' });
    const corpus = await loadTextFolder(dir, { level: 'char' });
    expect(corpus.vocab.tokens).toEqual(['a', 'b', '\n', 'é']);
    expect(Array.from(corpus.test)).toEqual([3]);
  });

  it('names the missing split file', async () => {
    await writeSplits(dir, { 'train.txt': 'a\n', 'test.txt': 'a\n' });
    await expect(loadTextFolder(dir)).rejects.toThrow(
      `loadTextFolder: the folder "${dir}" has no valid split: expected one of valid.txt, wiki.valid.tokens, ptb.valid.txt`,
    );
  });

  it('names a binary file', async () => {
    await writeSplits(dir, {
      'train.txt': 'a\n',
      'valid.txt': new Uint8Array([0x50, 0x4b, 0x03, 0x00]),
      'test.txt': 'a',
    });
    await expect(loadTextFolder(dir)).rejects.toThrow(`"${join(dir, 'valid.txt')}" looks like a binary file`);
  });

  it('names a file that is not UTF-8', async () => {
    await writeSplits(dir, {
      'train.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      'valid.txt': 'a',
      'test.txt': 'a',
    });
    await expect(loadTextFolder(dir)).rejects.toThrow(`"${join(dir, 'train.txt')}" is not valid UTF-8 text`);
  });

  it('names an empty split', async () => {
    await writeSplits(dir, { 'train.txt': 'a\n', 'valid.txt': 'a\n', 'test.txt': '' });
    await expect(loadTextFolder(dir)).rejects.toThrow(
      `loadTextFolder: the test split "${join(dir, 'test.txt')}" is empty (no tokens)`,
    );
  });

  it('names a folder that does not exist or is not a folder', async () => {
    const missing = join(dir, 'nope');
    await expect(loadTextFolder(missing)).rejects.toThrow(
      `loadTextFolder: cannot read the folder "${missing}": no such file or directory`,
    );
    await writeFile(join(dir, 'file'), 'x');
    await expect(loadTextFolder(join(dir, 'file'))).rejects.toThrow(/cannot read the folder ".*file": /);
  });

  it('names an unreadable split file', async () => {
    await writeSplits(dir, { 'valid.txt': 'a', 'test.txt': 'a' });
    await mkdir(join(dir, 'train.txt')); // a directory where the file should be
    await expect(loadTextFolder(dir)).rejects.toThrow(
      `loadTextFolder: cannot read "${join(dir, 'train.txt')}": it is a directory, expected a file`,
    );
  });

  it.skipIf(process.getuid?.() === 0)('names a folder without read permission', async () => {
    const locked = join(dir, 'locked');
    await writeSplits(locked, { 'train.txt': 'a', 'valid.txt': 'a', 'test.txt': 'a' });
    await chmod(locked, 0o000);
    try {
      await expect(loadTextFolder(locked)).rejects.toThrow(
        /cannot read the folder ".*locked": permission denied/,
      );
    } finally {
      await chmod(locked, 0o755);
    }
  });

  it('rejects an unknown level', async () => {
    await expect(loadTextFolder(dir, { level: 'bytes' as 'word' })).rejects.toThrow(
      /loadTextFolder: level must be 'word' or 'char', got "bytes"/,
    );
  });
});
