import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listFiles, makeTempDir, removeTempDir } from '../../test/helpers/files';
import { closedPort } from '../../test/helpers/fixture-server';
import { EOS } from '../corpus/tokenize';
import { corpusSource, PTB_BASE_URL, WIKITEXT2_URL, WIKITEXT2_ZIP_SHA256 } from './corpus-sources';
import { loadCorpus } from './load-corpus';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await removeTempDir(dir);
});

async function writeFolder(folder: string, files: Record<string, string>): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(folder, name), text);
}

const noFetch = (() => {
  throw new Error('must not download');
}) as unknown as typeof fetch;

describe('loadCorpus from a data folder', () => {
  it('reads <dataDir>/ptb with ptb.*.txt names, without downloading', async () => {
    await writeFolder(join(dir, 'ptb'), {
      'ptb.train.txt': ' a b \n',
      'ptb.valid.txt': ' b \n',
      'ptb.test.txt': ' a \n',
    });
    const corpus = await loadCorpus('ptb', { dataDir: dir, fetch: noFetch });
    expect(corpus.vocab.tokens).toEqual(['a', 'b', EOS]);
    expect(corpus.files?.train).toBe(join(dir, 'ptb', 'ptb.train.txt'));
  });

  it('reads the data folder itself, and TBPTT_DATA_DIR when no option is given', async () => {
    await writeFolder(dir, {
      'wiki.train.tokens': ' x \n',
      'wiki.valid.tokens': ' y \n',
      'wiki.test.tokens': ' x \n',
    });
    vi.stubEnv('TBPTT_DATA_DIR', dir);
    const corpus = await loadCorpus('wikitext-2', { fetch: noFetch });
    expect(Array.from(corpus.valid)).toEqual([2, 1]);
  });

  it('names the folder and the missing split', async () => {
    await writeFolder(dir, { 'train.txt': 'a' });
    vi.stubEnv('TBPTT_DATA_DIR', dir);
    await expect(loadCorpus('ptb', { fetch: noFetch })).rejects.toThrow(
      `loadCorpus: the folder "${dir}" has no valid split: expected one of valid.txt, wiki.valid.tokens, ptb.valid.txt ` +
        `in it (no "ptb" sub-folder there either); data folder (from TBPTT_DATA_DIR): "${dir}"`,
    );
  });

  it('rejects an unknown corpus name', async () => {
    await expect(loadCorpus('ptb-char' as 'ptb')).rejects.toThrow(
      /loadCorpus: unknown corpus "ptb-char"; expected one of ptb, wikitext-2/,
    );
  });
});

describe('loadCorpus download', () => {
  it('fails offline with advice to pass --data-dir and leaves the cache empty', async () => {
    vi.stubEnv('TBPTT_DATA_DIR', '');
    const port = await closedPort();
    const cacheDir = join(dir, 'cache');
    await expect(
      loadCorpus('wikitext-2', { cacheDir, url: `http://127.0.0.1:${port}/w.zip` }),
    ).rejects.toThrow(/cannot reach http:\/\/127.0.0.1:\d+\/w.zip .*--data-dir <dir>.*TBPTT_DATA_DIR/);
    await expect(loadCorpus('ptb', { cacheDir, url: `http://127.0.0.1:${port}/d` })).rejects.toThrow(
      /cannot reach http:\/\/127.0.0.1:\d+\/d\/ptb.train.txt/,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });
});

describe('corpusSource', () => {
  it('points at the pinned mirrors, overridable by url', () => {
    const ptb = corpusSource('ptb');
    expect(ptb.kind === 'files' && ptb.files.map((f) => f.url)).toEqual([
      `${PTB_BASE_URL}ptb.train.txt`,
      `${PTB_BASE_URL}ptb.valid.txt`,
      `${PTB_BASE_URL}ptb.test.txt`,
    ]);
    const mirrored = corpusSource('ptb', 'https://example.org/data');
    expect(mirrored.kind === 'files' && mirrored.files[0]!.url).toBe(
      'https://example.org/data/ptb.train.txt',
    );
    expect(corpusSource('wikitext-2')).toMatchObject({
      kind: 'zip',
      url: WIKITEXT2_URL,
      zipSha256: WIKITEXT2_ZIP_SHA256,
    });
    expect(WIKITEXT2_ZIP_SHA256).toMatch(/^[0-9a-f]{64}$/);
    // A user's mirror may re-pack the archive: only its extracted files are verified.
    const custom = corpusSource('wikitext-2', 'https://m/w.zip');
    expect(custom).toMatchObject({ url: 'https://m/w.zip' });
    expect(custom).not.toHaveProperty('zipSha256');
  });
});
