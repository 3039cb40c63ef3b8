import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TINY_COPY, tbptt, tempDir } from './helpers';

/** The shared benchmark data: $TBPTT_TEST_DATA, or shared/datasets beside the repository (as CI lays it out). */
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const candidates = [
  process.env.TBPTT_TEST_DATA,
  join(repo, '..', 'shared', 'datasets'),
  '/work/shared/datasets',
].filter((d): d is string => typeof d === 'string' && d !== '');
const DATA = candidates.find((d) => existsSync(join(d, 'copy-reference', 'fixed', 'train-inputs.txt')));
if (!DATA)
  console.log(
    `skipping the paper's copy-data CLI test: no copy-reference/fixed/train-inputs.txt in ${candidates.join(' or ')} (set TBPTT_TEST_DATA)`,
  );

const jsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

describe('tbptt train --metrics-every', () => {
  it('keeps every n-th step, the step before every other event and the last; the same numbers as a full log', () => {
    const root = tempDir('metrics-every');
    const args = ['train', ...TINY_COPY, '--truncation', 'adaptive:0.1', '--updates', '70', '--quiet'];
    const full = tbptt([...args, '--out', join(root, 'full')]);
    const thin = tbptt([...args, '--metrics-every', '7', '--out', join(root, 'thin')]);
    expect(full.code, full.stderr).toBe(0);
    expect(thin.code, thin.stderr).toBe(0);
    const all = jsonLines(join(root, 'full', 'metrics.jsonl'));
    const kept = jsonLines(join(root, 'thin', 'metrics.jsonl'));
    // The rule, applied to the full log: a step survives when its update is a multiple of 7, when the next
    // line is not a step, or when it is the last step.
    const expected = all.filter((line, i) => {
      if (line.type !== 'step') return true;
      const next = all[i + 1];
      return line.update % 7 === 0 || next === undefined || next.type !== 'step';
    });
    const strip = (lines: Record<string, unknown>[]) =>
      lines.map(({ wallTime, elapsedSeconds, seconds, path, ...rest }) => rest);
    expect(strip(kept)).toEqual(strip(expected));
    expect(kept.filter((l) => l.type === 'step').length).toBeLessThan(
      all.filter((l) => l.type === 'step').length / 3,
    );
    const csvRows =
      readFileSync(join(root, 'thin', 'metrics.csv'), 'utf8')
        .trim()
        .split('\n').length - 1;
    expect(csvRows).toBe(kept.filter((l) => l.type === 'step').length);
    // The summary's K statistics do not depend on what was logged.
    const summary = (dir: string) => JSON.parse(readFileSync(join(root, dir, 'summary.json'), 'utf8'));
    for (const key of ['kMean', 'kMin', 'kMax', 'bestValidPerplexity', 'tokens'])
      expect(summary('thin')[key], key).toBe(summary('full')[key]);
  });
});

describe.skipIf(!DATA)("tbptt train --task copy-reference (the paper's copy data)", () => {
  it('trains on the [4000, 64] data at batch 64 and describes it', () => {
    const out = join(tempDir('copy-ref'), 'run');
    const r = tbptt([
      'train',
      '--preset',
      'copy-variable-reference',
      '--data-dir',
      DATA!,
      '--hidden',
      '8',
      '--truncation',
      'fixed:10',
      '--updates',
      '12',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /copy-variable-reference: the paper's variable copy data \(spans 5\.\.10\), 4000 steps × 64 columns/,
    );
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ task: 'copy-variable-reference', batch: 64, evalBatch: 64 });
  });

  it('a batch other than the data’s 64 columns, or no data folder: exit 2 with the fix', () => {
    const root = tempDir('copy-ref-bad');
    const batch = tbptt([
      'train',
      '--preset',
      'copy-reference',
      '--data-dir',
      DATA!,
      '--batch',
      '32',
      '--out',
      join(root, 'a'),
    ]);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(
      /--batch 32: the paper's copy data holds 64 independent columns per split, which are the batch; pass --batch 64/,
    );
    const none = tbptt(['train', '--preset', 'copy-reference', '--out', join(root, 'b')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /--task copy-reference: no data folder; pass --data-dir <folder holding copy-reference\/fixed\//,
    );
    const empty = tbptt([
      'train',
      '--preset',
      'copy-reference',
      '--data-dir',
      root,
      '--out',
      join(root, 'c'),
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--data-dir .*train-inputs\.txt/);
    for (const dir of ['a', 'b', 'c']) expect(existsSync(join(root, dir))).toBe(false);
  });
});
