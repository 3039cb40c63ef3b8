import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tbptt, tempDir } from './helpers';

describe('tbptt generate (a tiny character-level text folder)', () => {
  const root = tempDir('generate');
  const text = join(root, 'text');
  const run = join(root, 'run');
  beforeAll(() => {
    mkdirSync(text);
    const line = 'the quick brown fox jumps over the lazy dog\n';
    writeFileSync(join(text, 'train.txt'), line.repeat(40));
    writeFileSync(join(text, 'valid.txt'), line.repeat(4));
    writeFileSync(join(text, 'test.txt'), line.repeat(4));
    const r = tbptt([
      'train',
      '--task',
      `text:${text}`,
      '--level',
      'char',
      '--layers',
      '1',
      '--hidden',
      '24',
      '--batch',
      '4',
      '--eval-batch',
      '2',
      '--truncation',
      'fixed:10',
      '--optimizer',
      'adam',
      '--lr',
      '0.01',
      '--updates',
      '30',
      '--backend',
      'wasm',
      '--quiet',
      '--out',
      run,
    ]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('gives the same text for the same seed and other text for another seed', () => {
    const gen = (seed: string) =>
      tbptt([
        'generate',
        run,
        '--words',
        '60',
        '--temperature',
        '0.8',
        '--seed',
        seed,
        '--backend',
        'wasm',
        '--json',
      ]);
    const a = gen('1');
    const b = gen('1');
    const c = gen('2');
    expect(a.code, a.stderr).toBe(0);
    const ja = JSON.parse(a.stdout);
    expect(ja.tokens).toHaveLength(60);
    expect(JSON.parse(b.stdout).text).toBe(ja.text);
    expect(JSON.parse(c.stdout).text).not.toBe(ja.text);
    // Only characters of the corpus.
    expect(ja.text).toMatch(/^[a-z \n]*$/);
  });

  it('reads a prompt first', () => {
    const r = tbptt([
      'generate',
      run,
      '--words',
      '20',
      '--prompt',
      'the quick',
      '--seed',
      '3',
      '--backend',
      'wasm',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('the quick')).toBe(true);
  });

  it('evaluate scores the run (perplexity below chance)', () => {
    const r = tbptt(['evaluate', run, '--json', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.valid.perplexity).toBeGreaterThan(1);
    expect(out.valid.perplexity).toBeLessThan(28); // 27 symbols + <eos>: chance is 28 at most
  });

  it('refuses a synthetic run with exit 2', () => {
    const copy = join(root, 'copy');
    expect(
      tbptt([
        'train',
        '--preset',
        'copy',
        '--hidden',
        '8',
        '--train-steps',
        '600',
        '--updates',
        '3',
        '--quiet',
        '--out',
        copy,
      ]).code,
    ).toBe(0);
    const r = tbptt(['generate', copy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/generate needs a language model/);
  });
});
