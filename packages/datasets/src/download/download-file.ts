import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { partialPath, removeQuietly } from './atomic-file';
import { DownloadError, OFFLINE_HINT } from './download-error';

/** Progress of one file's download, reported after every chunk. */
export interface DownloadProgress {
  /** The file being downloaded, e.g. `ptb.train.txt`. */
  file: string;
  receivedBytes: number;
  /** From Content-Length; undefined when the server does not say. */
  totalBytes: number | undefined;
}

export interface DownloadOptions {
  /** The fetch to use (default: the global `fetch`). */
  fetch?: typeof globalThis.fetch;
  /** Longest wait, in ms, for the response or for the next chunk of the body. Default 30 000. */
  timeoutMs?: number;
  /** Called after every chunk (for a progress bar). */
  onProgress?: (progress: DownloadProgress) => void;
}

/** Default stall timeout: long enough for a slow link, short enough that a dead server is noticed. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** A finished download in a temporary file that the caller must rename or remove. */
export interface TempDownload {
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * Streams `url` into a temporary file in `folder` while hashing it with sha256, and returns
 * the temporary path. Throws a {@link DownloadError} (and removes the temporary file) for an
 * unreachable server, an HTTP error status, a stall longer than `timeoutMs`, or a body shorter
 * than its Content-Length.
 */
export async function downloadToTemp(
  url: string,
  folder: string,
  file: string,
  options: DownloadOptions & { caller: string },
): Promise<TempDownload> {
  const { caller, onProgress } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new Error(`${caller}: timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  if (typeof fetchImpl !== 'function') {
    throw new Error(`${caller}: no fetch available; use Node 20 or later, or pass the fetch option`);
  }
  await mkdir(folder, { recursive: true });
  const temp = partialPath(`${folder}/${file}`);
  const controller = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, timeoutMs);
  };
  const fail = (kind: DownloadError['kind'], message: string, cause?: unknown): DownloadError =>
    new DownloadError(`${caller}: ${message}`, { kind, url, file, cause });

  let handle: FileHandle | undefined;
  let received = 0;
  let total: number | undefined;
  try {
    arm();
    let response: Response;
    try {
      response = await fetchImpl(url, {
        signal: controller.signal,
        // Ask for the bytes as stored, so Content-Length counts what we receive.
        headers: { 'accept-encoding': 'identity' },
        redirect: 'follow',
      });
    } catch (error) {
      if (stalled)
        throw fail('timeout', `no response from ${url} for ${file} within ${timeoutMs} ms. ${OFFLINE_HINT}`);
      throw fail(
        'network',
        `cannot reach ${url} to download ${file} (${describeCause(error)}). ${OFFLINE_HINT}`,
        error,
      );
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw fail(
        'http',
        `downloading ${file} from ${url} failed: HTTP ${response.status} ${response.statusText}`.trimEnd() +
          '. Check the url, or fetch the file yourself and pass --data-dir / TBPTT_DATA_DIR',
      );
    }
    const encoding = response.headers.get('content-encoding');
    const length = response.headers.get('content-length');
    if (length !== null && (encoding === null || encoding === 'identity')) {
      const parsed = Number(length);
      if (Number.isSafeInteger(parsed) && parsed >= 0) total = parsed;
    }
    if (response.body === null) throw fail('truncated', `the response for ${file} from ${url} has no body`);

    handle = await open(temp, 'wx');
    const hash = createHash('sha256');
    const reader = response.body.getReader();
    for (;;) {
      arm();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (stalled) {
          throw fail(
            'timeout',
            `the download of ${file} from ${url} stalled: no data for ${timeoutMs} ms after ${received} bytes` +
              `${total === undefined ? '' : ` of ${total}`}. Try again, or pass --data-dir / TBPTT_DATA_DIR`,
          );
        }
        throw fail(
          'truncated',
          `the download of ${file} from ${url} was cut short after ${received} bytes` +
            `${total === undefined ? '' : ` of ${total}`} (${describeCause(error)}); nothing was saved, try again`,
          error,
        );
      }
      if (chunk.done) break;
      const bytes = chunk.value;
      hash.update(bytes);
      await handle.write(bytes);
      received += bytes.length;
      onProgress?.({ file, receivedBytes: received, totalBytes: total });
    }
    clearTimeout(timer);
    if (total !== undefined && received !== total) {
      throw fail(
        'truncated',
        `the download of ${file} from ${url} ended after ${received} bytes but the server announced ${total}; ` +
          'nothing was saved, try again',
      );
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    return { path: temp, sha256: hash.digest('hex'), bytes: received };
  } catch (error) {
    clearTimeout(timer);
    controller.abort();
    await handle?.close().catch(() => undefined);
    await removeQuietly(temp);
    throw error;
  }
}

/**
 * Downloads `url` to `dest` only if its sha256 is `sha256`: streamed into a temporary file
 * next to `dest`, hashed on the way, and renamed onto `dest` once verified, so `dest` either
 * does not exist or holds exactly the pinned bytes. On a mismatch the temporary file is
 * removed and the error names the file, the expected and the actual hash.
 */
export async function downloadVerified(
  url: string,
  dest: string,
  sha256: string,
  file: string,
  options: DownloadOptions & { caller: string },
): Promise<void> {
  const download = await downloadToTemp(url, dirname(dest), file, options);
  try {
    checkSha256(download.sha256, sha256, file, url, options.caller);
    await rename(download.path, dest);
  } catch (error) {
    await removeQuietly(download.path);
    throw error;
  }
}

/** Throws a checksum {@link DownloadError} naming the file and both hashes when they differ. */
export function checkSha256(
  actual: string,
  expected: string,
  file: string,
  url: string,
  caller: string,
): void {
  if (actual.toLowerCase() !== expected.toLowerCase()) {
    throw new DownloadError(
      `${caller}: checksum mismatch for ${file} from ${url}: expected sha256 ${expected.toLowerCase()}, ` +
        `got ${actual}. The file was deleted; the mirror may be corrupt or changed. Fetch the file from ` +
        'another source and pass --data-dir / TBPTT_DATA_DIR',
      { kind: 'checksum', url, file },
    );
  }
}

/** The innermost cause of a fetch failure, e.g. `ECONNREFUSED 127.0.0.1:9` or `other side closed`. */
function describeCause(error: unknown): string {
  let current: unknown = error;
  let text = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) {
    current = current.cause;
    if (current instanceof Error) {
      const code = (current as NodeJS.ErrnoException).code;
      text = code && !current.message.includes(code) ? `${code}: ${current.message}` : current.message;
    }
  }
  return text;
}
