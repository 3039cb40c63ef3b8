import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listFiles, makeTempDir, removeTempDir } from '../../test/helpers/files';
import { closedPort, type FixtureServer, startFixtureServer } from '../../test/helpers/fixture-server';
import { DownloadError } from './download-error';
import { type DownloadProgress, downloadVerified } from './download-file';

const good = new TextEncoder().encode(' the quick brown fox \n jumps over \n'.repeat(2000));
const goodSha = createHash('sha256').update(good).digest('hex');
const corrupt = good.slice();
corrupt[100] = 0x21;
const corruptSha = createHash('sha256').update(corrupt).digest('hex');

let server: FixtureServer;
let cache: string;

beforeAll(async () => {
  server = await startFixtureServer({
    '/good.txt': { kind: 'ok', body: good },
    '/chunked.txt': { kind: 'ok', body: good, chunked: true },
    '/corrupt.txt': { kind: 'ok', body: corrupt },
    '/truncated.txt': { kind: 'truncate', body: good, sendBytes: 1000 },
    '/gone.txt': { kind: 'status', status: 404 },
    '/error.txt': { kind: 'status', status: 500 },
    '/stall.txt': { kind: 'stall', body: good, sendBytes: 500 },
    '/hang.txt': { kind: 'hang' },
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

const options = { caller: 'test', timeoutMs: 2000 };

/** Runs a download that must fail and returns its DownloadError. */
async function failure(path: string, timeoutMs = 2000): Promise<DownloadError> {
  const error = await downloadVerified(
    `${server.origin}${path}`,
    join(cache, 'out.txt'),
    goodSha,
    'out.txt',
    {
      ...options,
      timeoutMs,
    },
  ).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DownloadError);
  return error as DownloadError;
}

describe('downloadVerified', () => {
  it('saves a verified file and reports progress up to its full length', async () => {
    const progress: DownloadProgress[] = [];
    const dest = join(cache, 'good.txt');
    await downloadVerified(`${server.origin}/good.txt`, dest, goodSha, 'good.txt', {
      ...options,
      onProgress: (p) => progress.push(p),
    });
    expect(new Uint8Array(await readFile(dest))).toEqual(good);
    expect(await listFiles(cache)).toEqual(['good.txt']);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({
      file: 'good.txt',
      receivedBytes: good.length,
      totalBytes: good.length,
    });
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.receivedBytes).toBeGreaterThan(progress[i - 1]!.receivedBytes);
    }
  });

  it('accepts a response without Content-Length', async () => {
    const progress: DownloadProgress[] = [];
    const dest = join(cache, 'sub', 'chunked.txt');
    await downloadVerified(`${server.origin}/chunked.txt`, dest, goodSha, 'chunked.txt', {
      ...options,
      onProgress: (p) => progress.push(p),
    });
    expect(new Uint8Array(await readFile(dest))).toEqual(good);
    expect(progress.at(-1)?.totalBytes).toBeUndefined();
  });

  it('deletes a file whose checksum does not match, naming the file and both hashes', async () => {
    const error = await failure('/corrupt.txt');
    expect(error.kind).toBe('checksum');
    expect(error.message).toContain('checksum mismatch for out.txt');
    expect(error.message).toContain(`expected sha256 ${goodSha}`);
    expect(error.message).toContain(`got ${corruptSha}`);
    expect(await listFiles(cache)).toEqual([]);
  });

  it('leaves nothing when the connection closes early', async () => {
    const error = await failure('/truncated.txt');
    expect(error.kind).toBe('truncated');
    expect(error.message).toMatch(new RegExp(`cut short after \\d+ bytes of ${good.length}`));
    expect(await listFiles(cache)).toEqual([]);
  });

  it('reports HTTP errors with the status', async () => {
    const notFound = await failure('/gone.txt');
    expect(notFound.kind).toBe('http');
    expect(notFound.message).toContain('HTTP 404 Not Found');
    expect(notFound.message).toContain(`${server.origin}/gone.txt`);
    const serverError = await failure('/error.txt');
    expect(serverError.message).toContain('HTTP 500');
    expect(await listFiles(cache)).toEqual([]);
  });

  it('gives up on a stalled body after timeoutMs and leaves nothing', async () => {
    const error = await failure('/stall.txt', 300);
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('stalled: no data for 300 ms after 500 bytes');
    expect(await listFiles(cache)).toEqual([]);
  });

  it('gives up on a server that never answers', async () => {
    const error = await failure('/hang.txt', 300);
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('no response from');
    expect(await listFiles(cache)).toEqual([]);
  });

  it('tells the user to pass --data-dir when the server is unreachable', async () => {
    const port = await closedPort();
    const error = await downloadVerified(
      `http://127.0.0.1:${port}/x.txt`,
      join(cache, 'x.txt'),
      goodSha,
      'x.txt',
      options,
    ).then(
      () => undefined,
      (e: unknown) => e as DownloadError,
    );
    if (error === undefined) throw new Error('expected the download to fail');
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.kind).toBe('network');
    expect(error.message).toContain('cannot reach');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('--data-dir');
    expect(error.message).toContain('TBPTT_DATA_DIR');
    expect(await listFiles(cache)).toEqual([]);
  });

  it('rejects a bad timeout', async () => {
    await expect(
      downloadVerified(`${server.origin}/good.txt`, join(cache, 'g'), goodSha, 'g', {
        caller: 'test',
        timeoutMs: 0,
      }),
    ).rejects.toThrow(/test: timeoutMs must be a positive number of milliseconds, got 0/);
  });
});
