import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { SPLITS, type Split } from '../corpus/build-corpus';
import { removeQuietly, writeFileAtomic } from '../download/atomic-file';
import { defaultCacheDir } from '../download/cache-dir';
import { DownloadError } from '../download/download-error';
import {
  checkSha256,
  type DownloadOptions,
  downloadToTemp,
  downloadVerified,
} from '../download/download-file';
import type { CorpusSource } from './corpus-sources';

export interface FetchCorpusOptions extends DownloadOptions {
  /** Cache folder (default: `defaultCacheDir()`, i.e. `$TBPTT_CACHE_DIR` or the user cache folder). */
  cacheDir?: string;
}

/** The cached file of a split: `<cacheDir>/<name>/<split>.txt`. */
export function cachedSplitPath(cacheDir: string, name: string, split: Split): string {
  return join(cacheDir, name, `${split}.txt`);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Makes sure the three splits of `source` are in the cache, downloading what is missing, and
 * returns the corpus folder `<cacheDir>/<name>` (holding `train.txt`, `valid.txt`, `test.txt`).
 *
 * Every file is verified before it lands: downloads stream into a temporary file in the
 * cache, are checked against the pinned sha256, then renamed into place. A failed, stalled,
 * truncated or corrupt download throws a {@link DownloadError} and leaves nothing behind, so
 * the cache only ever holds verified files. Files already cached are trusted.
 */
export async function fetchCorpus(source: CorpusSource, options: FetchCorpusOptions = {}): Promise<string> {
  const caller = 'fetchCorpus';
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const folder = join(cacheDir, source.name);
  const missing: Split[] = [];
  for (const split of SPLITS) {
    if (!(await isFile(cachedSplitPath(cacheDir, source.name, split)))) missing.push(split);
  }
  if (missing.length === 0) return folder;
  const download = { ...options, caller };

  if (source.kind === 'files') {
    for (const split of missing) {
      const file = source.files.find((f) => f.split === split);
      if (file === undefined) throw new Error(`${caller}: source "${source.name}" lists no ${split} file`);
      await downloadVerified(
        file.url,
        cachedSplitPath(cacheDir, source.name, split),
        file.sha256,
        file.fileName,
        download,
      );
    }
    return folder;
  }

  const zip = await downloadToTemp(source.url, folder, source.fileName, download);
  try {
    if (source.zipSha256 !== undefined) {
      checkSha256(zip.sha256, source.zipSha256, source.fileName, source.url, caller);
    }
    const members = extractMembers(await readFile(zip.path), source, caller);
    // Verify every member before writing any, so a bad archive leaves the cache untouched.
    for (const member of source.members) {
      const bytes = members.get(member.member)!;
      const actual = createHash('sha256').update(bytes).digest('hex');
      checkSha256(actual, member.sha256, `${member.member} (in ${source.fileName})`, source.url, caller);
    }
    for (const member of source.members) {
      if (missing.includes(member.split)) {
        await writeFileAtomic(
          cachedSplitPath(cacheDir, source.name, member.split),
          members.get(member.member)!,
        );
      }
    }
  } finally {
    await removeQuietly(zip.path);
  }
  return folder;
}

/** The wanted members of a zip, by base name; throws an `archive` error if one is missing. */
function extractMembers(
  archive: Uint8Array,
  source: Extract<CorpusSource, { kind: 'zip' }>,
  caller: string,
): Map<string, Uint8Array> {
  const wanted = new Set(source.members.map((m) => m.member));
  const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(archive, { filter: (entry) => wanted.has(baseName(entry.name)) });
  } catch (error) {
    throw new DownloadError(
      `${caller}: ${source.fileName} from ${source.url} is not a readable zip archive ` +
        `(${error instanceof Error ? error.message : String(error)}); check the url`,
      { kind: 'archive', url: source.url, file: source.fileName, cause: error },
    );
  }
  const found = new Map<string, Uint8Array>();
  for (const [path, bytes] of Object.entries(files)) found.set(baseName(path), bytes);
  for (const member of wanted) {
    if (!found.has(member)) {
      throw new DownloadError(
        `${caller}: ${source.fileName} from ${source.url} has no ${member}; expected an archive holding ` +
          `${[...wanted].join(', ')} (the wikitext-2-v1.zip layout); check the url`,
        { kind: 'archive', url: source.url, file: source.fileName },
      );
    }
  }
  return found;
}
