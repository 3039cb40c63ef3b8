/**
 * What went wrong with a download:
 * - `network`: the server could not be reached (offline, DNS, refused connection);
 * - `http`: the server answered with an error status (404, 500, …);
 * - `timeout`: no bytes arrived for `timeoutMs`;
 * - `truncated`: the connection closed before the announced length arrived;
 * - `checksum`: the bytes arrived but their sha256 is not the pinned one;
 * - `archive`: the zip could not be read or lacks an expected file.
 */
export type DownloadErrorKind = 'network' | 'http' | 'timeout' | 'truncated' | 'checksum' | 'archive';

/** A failed download. Nothing from it is left in the cache folder. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  readonly kind: DownloadErrorKind;
  /** The address that was fetched. */
  readonly url: string;
  /** The file the download was for (e.g. `ptb.train.txt`). */
  readonly file: string;

  constructor(
    message: string,
    details: { kind: DownloadErrorKind; url: string; file: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.url = details.url;
    this.file = details.file;
  }
}

/** The advice appended to errors a user can only fix by fetching the data some other way. */
export const OFFLINE_HINT =
  'If this machine cannot download it, fetch the files elsewhere and point at the folder that holds ' +
  'them: pass --data-dir <dir> to the CLI, or set TBPTT_DATA_DIR, or give the dataDir option';
