import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextFile } from '../corpus/read-text-file';
import { inOrder } from '../internal/in-order';
import type { PairedTokenStream } from '../streams/paired-token-stream';
import { SYNTHETIC_VOCAB_SIZE } from './alphabet';
import { type IdMatrix, parseIdMatrix } from './id-matrix';

/** The two copy tasks of the paper's data: spans of exactly 10, or of 5 to 10. */
export type CopyReferenceVariant = 'fixed' | 'variable';

/**
 * sha256 of the text form of the paper's copy data (aicherc/adaptive_tbptt, commit 1bab866,
 * `data/copy_{fixed,variable}/copy_10_6.p.gz`, each one-hot input row replaced by its index).
 */
export const COPY_REFERENCE_SHA256: Readonly<Record<CopyReferenceVariant, Readonly<Record<string, string>>>> =
  Object.freeze({
    fixed: Object.freeze({
      'train-inputs.txt': '78a6ba8137f4346880d272b1aebc5f214c6bd4b0201a89df0a752b4a54682160',
      'train-targets.txt': 'e38da21af94931c6a1ccb255615b790b8292f50c3c99fdb64b65dc4b2f890ef2',
      'valid-inputs.txt': '031ad1e1650819f7b63e0135e51cf164696d9c19e3de701fbcf20746519a6318',
      'valid-targets.txt': '4df94419c20ecf8182dbfd4a8bbe3ead239d13e24e4c4f6d239788428f7c978e',
      'test-inputs.txt': '2b0fbd7ff02706b47253038d012a3d4fc7fe793a3f406364529aba526b0119f8',
      'test-targets.txt': 'a94cfc7495d44d6840a0559b37654b129547e29c9cdcbb2fdfc1cce0b2458a60',
    }),
    variable: Object.freeze({
      'train-inputs.txt': '2136e26fa6985c11f05b675814133e997fd96c44393d7355d225239effcadfbb',
      'train-targets.txt': 'b7cd18f8f930e14dff7f55bebcccebd641c1a6ff9dce1f56e32402b7f2d20293',
      'valid-inputs.txt': '4641abe299c0a7ba2e9ca39b12785b252cc9a7430045cd7e32acff487683bb18',
      'valid-targets.txt': '05a2f9d9c4826de7e982161146a26cd0bdd9575cc1c647b7b7124a3d0868b99c',
      'test-inputs.txt': '07d974ae67dc1e6665f22eb273b5ef674774ab813e93171e0ec100773fcfe2a7',
      'test-targets.txt': 'd901c9929d4d62188bce92fff1cf56950f81e6af7a0d90096c08b137ad09a61c',
    }),
  });

export interface CopyReferenceOptions {
  /**
   * A folder holding `copy-reference/<variant>/`, `<variant>/`, or the six files themselves
   * (`{train,valid,test}-{inputs,targets}.txt`); default `$TBPTT_DATA_DIR`. Nothing is downloaded.
   */
  dataDir?: string;
  /** `fixed` (spans of 10, Table C.1's left column) or `variable` (spans of 5 to 10). */
  variant: CopyReferenceVariant;
}

/** The three splits of the paper's copy data, each a `[T, 64]` paired stream over the 6 synthetic ids. */
export interface CopyReference {
  readonly train: PairedTokenStream;
  readonly valid: PairedTokenStream;
  readonly test: PairedTokenStream;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Loads the paper's own copy-task data (Aicher, Foti & Fox 2019, the data behind supplement Table C.1): train
 * `[4000, 64]`, valid and test `[1000, 64]`, inputs and targets in the ids of the synthetic tasks (0 blank,
 * 1 start marker, 2–5 symbols). Every file must match its pinned sha256 ({@link COPY_REFERENCE_SHA256}): a
 * modified copy is refused with both hashes (read it with {@link parseIdMatrix} instead).
 *
 * Unlike {@link copyTask}'s clean episodes, the authors' generator splices episodes (it shifts each column
 * once, cumulatively), so some targets cannot be predicted from the inputs: perplexities stay well above 1.
 */
export async function loadCopyReference(options: CopyReferenceOptions): Promise<CopyReference> {
  const fn = 'loadCopyReference';
  const { variant } = options;
  if (variant !== 'fixed' && variant !== 'variable') {
    throw new Error(`${fn}: variant must be 'fixed' or 'variable', got ${String(variant)}`);
  }
  const envDir = process.env.TBPTT_DATA_DIR;
  const dataDir = options.dataDir ?? (envDir ? envDir : undefined);
  if (dataDir === undefined) {
    throw new Error(
      `${fn}: no data folder; pass dataDir (or set TBPTT_DATA_DIR) to a folder holding copy-reference/${variant}/ ` +
        '(train-inputs.txt, train-targets.txt, valid-…, test-…)',
    );
  }
  let dir = dataDir;
  for (const candidate of [join(dataDir, 'copy-reference', variant), join(dataDir, variant)]) {
    if (await isDirectory(candidate)) {
      dir = candidate;
      break;
    }
  }
  const read = async (name: string): Promise<IdMatrix> => {
    const path = join(dir, name);
    const bytes = await readTextFile(path, fn);
    const expected = COPY_REFERENCE_SHA256[variant][name]!;
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== expected) {
      throw new Error(
        `${fn}: "${path}" has sha256 ${actual}, expected ${expected} (the paper's ${variant} copy data); ` +
          'restore the original file, or read a modified copy with parseIdMatrix',
      );
    }
    return parseIdMatrix(new TextDecoder().decode(bytes), { source: path, limit: SYNTHETIC_VOCAB_SIZE });
  };
  const split = async (name: 'train' | 'valid' | 'test'): Promise<PairedTokenStream> => {
    const [inputs, targets] = await inOrder([read(`${name}-inputs.txt`), read(`${name}-targets.txt`)]);
    if (inputs.steps !== targets.steps || inputs.batch !== targets.batch) {
      throw new Error(
        `${fn}: ${name} inputs are [${inputs.steps}, ${inputs.batch}] but targets [${targets.steps}, ${targets.batch}]`,
      );
    }
    return {
      inputs: inputs.ids,
      targets: targets.ids,
      steps: inputs.steps,
      batch: inputs.batch,
      vocabSize: SYNTHETIC_VOCAB_SIZE,
    };
  };
  const [train, valid, test] = await inOrder([split('train'), split('valid'), split('test')]);
  return { train, valid, test };
}
