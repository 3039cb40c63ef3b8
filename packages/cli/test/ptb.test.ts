import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tbptt, tempDir } from './helpers';

/** The shared benchmark data: $TBPTT_TEST_DATA, or shared/datasets beside the repository (as CI lays it out). */
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const candidates = [
  process.env.TBPTT_TEST_DATA,
  join(repo, '..', 'shared', 'datasets'),
  '/work/shared/datasets',
].filter((d): d is string => typeof d === 'string' && d !== '');
const DATA = candidates.find((d) => existsSync(join(d, 'ptb', 'train.txt')));
if (!DATA)
  console.log(
    `skipping the PTB CLI test: no ptb/train.txt in ${candidates.join(' or ')} (set TBPTT_TEST_DATA)`,
  );

describe.skipIf(DATA === undefined)('tbptt on PTB (word level, --data-dir)', () => {
  it('trains a few updates of a tiny word model, then evaluates and generates', () => {
    const run = join(tempDir('ptb'), 'run');
    const r = tbptt([
      'train',
      '--preset',
      'ptb-small',
      '--data-dir',
      DATA!,
      '--layers',
      '1',
      '--hidden',
      '16',
      '--embedding',
      '16',
      '--batch',
      '64',
      '--eval-batch',
      '200',
      '--truncation',
      'fixed:10',
      '--updates',
      '5',
      '--backend',
      'wasm',
      '--out',
      run,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ptb \(word level, 929589 training tokens, vocabulary 10000\)/);
    expect(r.stdout).toMatch(/chance perplexity 10000\.00/);
    const g = tbptt(['generate', run, '--words', '10', '--seed', '1', '--backend', 'wasm', '--json']);
    expect(g.code, g.stderr).toBe(0);
    expect(JSON.parse(g.stdout).tokens).toHaveLength(10);
  });
});
