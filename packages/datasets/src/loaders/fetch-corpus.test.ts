import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listFiles, makeTempDir, removeTempDir } from '../../test/helpers/files';
import { type FixtureServer, startFixtureServer } from '../../test/helpers/fixture-server';
import { DownloadError } from '../download/download-error';
import type { CorpusSource } from './corpus-sources';
import { fetchCorpus } from './fetch-corpus';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const texts = {
  train: strToU8(' = Title = \n \n the cat sat on the mat \n'),
  valid: strToU8(' the dog sat \n'),
  test: strToU8(' a cat \n'),
};
const members = (['train', 'valid', 'test'] as const).map((split) => ({
  split,
  member: `wiki.${split}.tokens`,
  sha256: sha256(texts[split]),
}));

// A small wikitext-2-v1.zip look-alike, built here with fflate.
const goodZip = zipSync({
  'wikitext-2/': {},
  'wikitext-2/wiki.train.tokens': texts.train,
  'wikitext-2/wiki.valid.tokens': texts.valid,
  'wikitext-2/wiki.test.tokens': texts.test,
});
const badMemberZip = zipSync({
  'wikitext-2/wiki.train.tokens': texts.train,
  'wikitext-2/wiki.valid.tokens': strToU8(' the dog sat down \n'),
  'wikitext-2/wiki.test.tokens': texts.test,
});
const missingMemberZip = zipSync({ 'wikitext-2/wiki.train.tokens': texts.train });

let server: FixtureServer;
let cache: string;
beforeAll(async () => {
  server = await startFixtureServer({
    '/good.zip': { kind: 'ok', body: goodZip },
    '/bad-member.zip': { kind: 'ok', body: badMemberZip },
    '/missing-member.zip': { kind: 'ok', body: missingMemberZip },
    '/not-a.zip': { kind: 'ok', body: texts.train },
    '/truncated.zip': { kind: 'truncate', body: goodZip, sendBytes: 40 },
    '/data/ptb.train.txt': { kind: 'ok', body: texts.train },
    '/data/ptb.valid.txt': { kind: 'ok', body: texts.valid },
    '/data/ptb.test.txt': { kind: 'status', status: 404 },
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  cache = await makeTempDir();
});
afterEach(async () => {
  await removeTempDir(cache);
});

const zipSource = (path: string, zipSha256?: string): CorpusSource => ({
  kind: 'zip',
  name: 'wikitext-2',
  url: `${server.origin}${path}`,
  fileName: 'wikitext-2-v1.zip',
  members,
  ...(zipSha256 === undefined ? {} : { zipSha256 }),
});

const SPLIT_FILES = ['wikitext-2/test.txt', 'wikitext-2/train.txt', 'wikitext-2/valid.txt'];

describe('fetchCorpus (zip)', () => {
  it('extracts the verified members into the cache and drops the archive', async () => {
    const folder = await fetchCorpus(zipSource('/good.zip', sha256(goodZip)), {
      cacheDir: cache,
      timeoutMs: 2000,
    });
    expect(folder).toBe(join(cache, 'wikitext-2'));
    expect(await listFiles(cache)).toEqual(SPLIT_FILES);
    expect(new Uint8Array(await readFile(join(folder, 'valid.txt')))).toEqual(texts.valid);
  });

  it('uses the cache without downloading again', async () => {
    await fetchCorpus(zipSource('/good.zip'), { cacheDir: cache });
    const before = server.requests.length;
    await fetchCorpus(zipSource('/good.zip'), { cacheDir: cache });
    expect(server.requests.length).toBe(before);
  });

  it('refuses a member with the wrong checksum and writes nothing', async () => {
    const error = await fetchCorpus(zipSource('/bad-member.zip'), { cacheDir: cache }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).kind).toBe('checksum');
    expect((error as Error).message).toContain(
      'checksum mismatch for wiki.valid.tokens (in wikitext-2-v1.zip)',
    );
    expect((error as Error).message).toContain(`expected sha256 ${members[1]!.sha256}`);
    expect(await listFiles(cache)).toEqual([]);
  });

  it('refuses an archive whose own pinned checksum differs', async () => {
    await expect(fetchCorpus(zipSource('/good.zip', '0'.repeat(64)), { cacheDir: cache })).rejects.toThrow(
      /checksum mismatch for wikitext-2-v1.zip .* expected sha256 0{64}, got [0-9a-f]{64}/,
    );
    expect(await listFiles(cache)).toEqual([]);
  });

  it('names what is wrong with a bad archive', async () => {
    await expect(fetchCorpus(zipSource('/missing-member.zip'), { cacheDir: cache })).rejects.toThrow(
      /has no wiki.valid.tokens; expected an archive holding wiki.train.tokens, wiki.valid.tokens, wiki.test.tokens/,
    );
    await expect(fetchCorpus(zipSource('/not-a.zip'), { cacheDir: cache })).rejects.toThrow(
      /wikitext-2-v1.zip from .* is not a readable zip archive/,
    );
    await expect(fetchCorpus(zipSource('/truncated.zip'), { cacheDir: cache })).rejects.toThrow(/cut short/);
    await expect(fetchCorpus(zipSource('/nowhere.zip'), { cacheDir: cache })).rejects.toThrow(/HTTP 404/);
    expect(await listFiles(cache)).toEqual([]);
  });
});

describe('fetchCorpus (files)', () => {
  it('keeps the verified files and names the one that failed', async () => {
    const source: CorpusSource = {
      kind: 'files',
      name: 'ptb',
      files: (['train', 'valid', 'test'] as const).map((split) => ({
        split,
        fileName: `ptb.${split}.txt`,
        url: `${server.origin}/data/ptb.${split}.txt`,
        sha256: sha256(texts[split]),
      })),
    };
    const progress: string[] = [];
    await expect(
      fetchCorpus(source, { cacheDir: cache, onProgress: (p) => progress.push(p.file) }),
    ).rejects.toThrow(/downloading ptb.test.txt from .*\/data\/ptb.test.txt failed: HTTP 404/);
    // train and valid were verified and stay; nothing half-written.
    expect(await listFiles(cache)).toEqual(['ptb/train.txt', 'ptb/valid.txt']);
    expect(new Set(progress)).toEqual(new Set(['ptb.train.txt', 'ptb.valid.txt']));
  });
});
