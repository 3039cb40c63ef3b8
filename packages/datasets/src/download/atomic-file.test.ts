import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFiles, makeTempDir, removeTempDir } from '../../test/helpers/files';
import { partialPath, writeFileAtomic } from './atomic-file';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(dir);
});

describe('writeFileAtomic', () => {
  it('replaces the destination and leaves no temporary file', async () => {
    const dest = join(dir, 'train.txt');
    await writeFile(dest, 'old');
    await writeFileAtomic(dest, new TextEncoder().encode('new'));
    expect(await readFile(dest, 'utf8')).toBe('new');
    expect(await listFiles(dir)).toEqual(['train.txt']);
  });

  it('leaves the destination untouched and removes its temporary file on failure', async () => {
    const dest = join(dir, 'valid.txt');
    await mkdir(dest); // renaming a file onto a directory fails
    await expect(writeFileAtomic(dest, new Uint8Array([1]))).rejects.toThrow();
    expect(await listFiles(dir)).toEqual([]);
  });
});

describe('partialPath', () => {
  it('is a hidden sibling of the destination, unique per call', () => {
    const a = partialPath(join(dir, 'x.zip'));
    expect(a.startsWith(join(dir, '.x.zip.'))).toBe(true);
    expect(a.endsWith('.partial')).toBe(true);
    expect(partialPath(join(dir, 'x.zip'))).not.toBe(a);
  });
});
