import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { transform } from 'esbuild';
import { describe, expect, inject, it } from 'vitest';
import { root } from '../lib/consumer.mjs';
import { readmeBlocks } from '../lib/readme-blocks.mjs';
import { node } from '../lib/run';

const consumer = inject('consumer');
/** The shared data folder (ptb/, wikitext-2/): $TBPTT_SHARED_DATASETS, else ../shared/datasets beside the repo. */
const datasets = process.env.TBPTT_SHARED_DATASETS ?? path.resolve(root, '../shared/datasets');
const blocks = readmeBlocks(root);

describe('README code blocks', () => {
  it('there are blocks, and every block that does not run says why', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const b of blocks.filter((b) => b.noRun !== undefined)) expect(b.noRun.length).toBeGreaterThan(10);
  });

  it('the shared datasets are there (the blocks that load corpora read them, offline)', () => {
    expect(existsSync(path.join(datasets, 'ptb', 'train.txt'))).toBe(true);
  });

  it.each(blocks.filter((b) => b.noRun === undefined).map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s runs against the packed packages',
    async (_name, block) => {
      // Each block in its own folder of the consumer project (installed from the tarballs), as a user pastes it.
      const dir = path.join(consumer, 'readme', `${block.file.replace(/[/.]/g, '-')}-${block.line}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const { code } = await transform(block.source, {
        loader: block.lang.startsWith('t') ? 'ts' : 'js',
        format: 'esm',
      });
      writeFileSync(path.join(dir, 'block.mjs'), code);
      const out = node(dir, ['block.mjs'], {
        TBPTT_DATA_DIR: datasets,
        TBPTT_CACHE_DIR: path.join(dir, 'cache'),
      });
      expect(existsSync(path.join(dir, 'cache'))).toBe(false); // nothing was downloaded
      console.log(`${block.file}:${block.line}\n${out}`);
    },
  );
});
