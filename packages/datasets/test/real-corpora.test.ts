import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  batchify,
  CORPUS_SHA256,
  type CorpusName,
  EOS,
  loadCorpus,
  loadTextFolder,
  SPLITS,
  streamColumn,
  UNK,
} from '../src/index';
import { listFiles, makeTempDir, removeTempDir, sharedDatasetsDir } from './helpers/files';
import { type FixtureServer, type Route, startFixtureServer } from './helpers/fixture-server';

const shared = sharedDatasetsDir();
const available =
  existsSync(join(shared, 'ptb', 'train.txt')) && existsSync(join(shared, 'wikitext-2', 'train.txt'));
if (!available) {
  console.warn(
    `[datasets] skipping the real-corpus tests: no PTB/WikiText-2 files under "${shared}" ` +
      '(set TBPTT_SHARED_DATASETS to the folder holding ptb/ and wikitext-2/)',
  );
}

/** The published statistics (see ../shared/datasets/README.md). */
const EXPECTED: Record<CorpusName, { tokens: [number, number, number]; vocab: number }> = {
  ptb: { tokens: [929_589, 73_760, 82_430], vocab: 10_000 },
  'wikitext-2': { tokens: [2_088_628, 217_646, 245_569], vocab: 33_278 },
};

describe.skipIf(!available)('real corpora in ../shared/datasets', () => {
  for (const name of ['ptb', 'wikitext-2'] as const) {
    it(`${name}: every file has its pinned sha256`, async () => {
      for (const split of SPLITS) {
        const bytes = await readFile(join(shared, name, `${split}.txt`));
        expect(createHash('sha256').update(bytes).digest('hex'), `${name}/${split}.txt`).toBe(
          CORPUS_SHA256[name][split],
        );
      }
    });

    it(`${name}: the standard token counts and vocabulary size`, async () => {
      const corpus = await loadTextFolder(join(shared, name));
      const { tokens, vocab } = EXPECTED[name];
      expect([corpus.train.length, corpus.valid.length, corpus.test.length]).toEqual(tokens);
      expect(corpus.vocab.size).toBe(vocab);
      expect(corpus.vocab.has(UNK)).toBe(true);
      // Every line ends in <eos>, and the line counts of the README follow.
      const eos = corpus.vocab.eosId!;
      const lines = corpus.train.reduce((n, id) => n + (id === eos ? 1 : 0), 0);
      expect(lines).toBe(name === 'ptb' ? 42_068 : 36_718);
      // batchify keeps all but the remainder, column after column.
      const stream = batchify(corpus.train, 20);
      expect(stream.steps).toBe(Math.floor(tokens[0] / 20));
      expect(streamColumn(stream, 7)).toEqual(corpus.train.subarray(7 * stream.steps, 8 * stream.steps));
    });
  }

  it('loadCorpus refuses a data folder that holds the other corpus (issue 9 item 7)', async () => {
    // TBPTT_DATA_DIR pointing straight at the PTB folder: asking for WikiText-2 must not return PTB.
    await expect(loadCorpus('wikitext-2', { dataDir: join(shared, 'ptb') })).rejects.toThrow(
      /loadCorpus: data folder ".*ptb": train.txt is ptb's file, not wikitext-2's/,
    );
    await expect(loadCorpus('ptb', { dataDir: join(shared, 'wikitext-2') })).rejects.toThrow(
      /is wikitext-2's file, not ptb's/,
    );
    const dir = await makeTempDir();
    try {
      for (const split of SPLITS) await writeFile(join(dir, `ptb.${split}.txt`), 'a b\n');
      await expect(loadCorpus('wikitext-2', { dataDir: dir })).rejects.toThrow(
        /holds ptb, not wikitext-2 \(ptb.train.txt\)/,
      );
    } finally {
      await removeTempDir(dir);
    }
  });

  it('loadCorpus reads both corpora from a data folder holding ptb/ and wikitext-2/', async () => {
    const ptb = await loadCorpus('ptb', { dataDir: shared });
    expect(ptb.vocab.size).toBe(10_000);
    expect(ptb.vocab.decode(ptb.train.subarray(0, 3))).toEqual(['aer', 'banknote', 'berlitz']);
    const wiki = await loadCorpus('wikitext-2', { dataDir: shared });
    expect(wiki.vocab.tokens.slice(0, 3)).toEqual([EOS, '=', 'Valkyria']);
  });
});

describe.skipIf(!available)('downloads of the real corpora from a local mirror', () => {
  let server: FixtureServer;
  let cache: string;
  beforeAll(async () => {
    const routes: Record<string, Route> = {};
    const members: Record<string, Uint8Array> = {};
    for (const split of SPLITS) {
      routes[`/ptb/ptb.${split}.txt`] = {
        kind: 'ok',
        body: await readFile(join(shared, 'ptb', `${split}.txt`)),
      };
      members[`wikitext-2/wiki.${split}.tokens`] = await readFile(join(shared, 'wikitext-2', `${split}.txt`));
    }
    routes['/wikitext-2-v1.zip'] = { kind: 'ok', body: zipSync(members, { level: 1 }) };
    const tampered = members['wikitext-2/wiki.test.tokens']!.slice();
    tampered[10] = tampered[10]! ^ 1;
    routes['/tampered.zip'] = {
      kind: 'ok',
      body: zipSync({ ...members, 'wikitext-2/wiki.test.tokens': tampered }, { level: 0 }),
    };
    server = await startFixtureServer(routes);
    cache = await makeTempDir();
    // A data folder in the environment would bypass the download under test.
    vi.stubEnv('TBPTT_DATA_DIR', '');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.close();
    await removeTempDir(cache);
  });

  it('refuses a WikiText-2 zip with an altered file and caches nothing', async () => {
    const cacheDir = join(cache, 'tampered');
    await expect(
      loadCorpus('wikitext-2', { cacheDir, url: `${server.origin}/tampered.zip` }),
    ).rejects.toThrow(
      `checksum mismatch for wiki.test.tokens (in wikitext-2-v1.zip) from ${server.origin}/tampered.zip: ` +
        `expected sha256 ${CORPUS_SHA256['wikitext-2'].test}`,
    );
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('downloads, verifies and loads PTB and WikiText-2 into the cache', async () => {
    const cacheDir = join(cache, 'good');
    const ptb = await loadCorpus('ptb', { cacheDir, url: `${server.origin}/ptb/` });
    expect([ptb.train.length, ptb.valid.length, ptb.test.length]).toEqual(EXPECTED.ptb.tokens);
    const wiki = await loadCorpus('wikitext-2', { cacheDir, url: `${server.origin}/wikitext-2-v1.zip` });
    expect([wiki.train.length, wiki.valid.length, wiki.test.length]).toEqual(EXPECTED['wikitext-2'].tokens);
    expect(wiki.vocab.size).toBe(33_278);
    expect(await listFiles(cacheDir)).toEqual([
      'ptb/test.txt',
      'ptb/train.txt',
      'ptb/valid.txt',
      'wikitext-2/test.txt',
      'wikitext-2/train.txt',
      'wikitext-2/valid.txt',
    ]);
  });
});
