import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_REFERENCE_SHA256, loadCopyReference, SYNTHETIC_VOCAB_SIZE } from '../src/index';
import { makeTempDir, removeTempDir, sharedDatasetsDir } from './helpers/files';

const root = join(sharedDatasetsDir(), 'copy-reference');
const available = (['fixed', 'variable'] as const).every((variant) =>
  Object.keys(COPY_REFERENCE_SHA256[variant]).every((name) => existsSync(join(root, variant, name))),
);
if (!available) {
  console.warn(
    `[datasets] skipping the paper's copy-data tests: no copy-reference/{fixed,variable}/*.txt under "${sharedDatasetsDir()}" ` +
      '(set TBPTT_SHARED_DATASETS to the folder holding copy-reference/)',
  );
}

/** An independent reading of one file: split lines and fields by hand, as numbers. */
function naiveRows(path: string): number[][] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split(' ').map(Number));
}

describe.skipIf(!available)("the paper's copy data from ../shared/datasets", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    await removeTempDir(tmp);
  });

  it.each(['fixed', 'variable'] as const)(
    '%s: train [4000, 64], valid / test [1000, 64], ids 0..5, equal to a naive reading of the text',
    async (variant) => {
      // The folder holding copy-reference/ works, as does copy-reference/ itself.
      const data = await loadCopyReference({ dataDir: sharedDatasetsDir(), variant });
      const again = await loadCopyReference({ dataDir: root, variant });
      expect(again.train.targets).toEqual(data.train.targets);
      for (const [split, steps] of [
        ['train', 4000],
        ['valid', 1000],
        ['test', 1000],
      ] as const) {
        const stream = data[split];
        expect([stream.steps, stream.batch, stream.vocabSize]).toEqual([steps, 64, SYNTHETIC_VOCAB_SIZE]);
        for (const part of ['inputs', 'targets'] as const) {
          const rows = naiveRows(join(root, variant, `${split}-${part}.txt`));
          expect(rows.length).toBe(steps);
          const flat = rows.flat();
          expect(flat.length).toBe(steps * 64);
          expect(Array.from(stream[part])).toEqual(flat);
          expect(flat.reduce((a, b) => Math.max(a, b), 0)).toBe(5);
          expect(flat.reduce((a, b) => Math.min(a, b), 9)).toBe(0);
        }
      }
    },
    // the naive reading of 2 × 6,000 lines of text takes seconds on a machine busy with other jobs
    60_000,
  );

  it('fixed spans of 10: every non-blank target is the input 10 steps earlier, and spans open with the marker 1', async () => {
    // The copy rule, checked independently of the generator: the target at t replays the input at t − m. The
    // splices of the authors' generator blank some replays, but never change a replayed symbol.
    const data = await loadCopyReference({ dataDir: sharedDatasetsDir(), variant: 'fixed' });
    const { inputs, targets, steps, batch } = data.train;
    let shown = 0;
    let matched = 0;
    for (let t = 10; t < steps; t++) {
      for (let b = 0; b < batch; b++) {
        const y = targets[t * batch + b]!;
        if (y === 0) continue;
        shown++;
        if (inputs[(t - 10) * batch + b] === y) matched++;
      }
    }
    expect(shown).toBeGreaterThan(0.3 * steps * batch);
    expect(matched).toBe(shown);
    // Spans open with the marker: the first non-blank input of column 0 after a blank run is 1 most of the time.
    let opens = 0;
    let markers = 0;
    for (let t = 1; t < steps; t++) {
      if (inputs[(t - 1) * batch] === 0 && inputs[t * batch] !== 0) {
        opens++;
        if (inputs[t * batch] === 1) markers++;
      }
    }
    expect(markers / opens).toBeGreaterThan(0.9);
  });

  it('refuses a modified copy, naming the file and both hashes, and a missing file', async () => {
    const dir = join(tmp, 'copy-reference', 'variable');
    await mkdir(dir, { recursive: true });
    for (const name of Object.keys(COPY_REFERENCE_SHA256.variable)) {
      await copyFile(join(root, 'variable', name), join(dir, name));
    }
    const text = readFileSync(join(dir, 'valid-targets.txt'), 'utf8');
    await writeFile(join(dir, 'valid-targets.txt'), text.replace(/^0/, '1'));
    await expect(loadCopyReference({ dataDir: tmp, variant: 'variable' })).rejects.toThrow(
      new RegExp(
        `valid-targets\\.txt" has sha256 [0-9a-f]{64}, expected ${COPY_REFERENCE_SHA256.variable['valid-targets.txt']}`,
      ),
    );
    await expect(loadCopyReference({ dataDir: tmp, variant: 'fixed' })).rejects.toThrow(/train-inputs\.txt/);
  });
});

describe('loadCopyReference without data', () => {
  it('names the missing folder and the variants', async () => {
    const saved = process.env.TBPTT_DATA_DIR;
    delete process.env.TBPTT_DATA_DIR;
    try {
      await expect(loadCopyReference({ variant: 'fixed' })).rejects.toThrow(/no data folder; pass dataDir/);
      await expect(
        loadCopyReference({ dataDir: '.', variant: 'long' as unknown as 'fixed' }),
      ).rejects.toThrow(/variant must be 'fixed' or 'variable', got long/);
    } finally {
      if (saved !== undefined) process.env.TBPTT_DATA_DIR = saved;
    }
  });
});
