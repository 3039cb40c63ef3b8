import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const consumer = inject('consumer');

function npx(args: string[]): string {
  try {
    return execFileSync('npx', ['--offline', '--no-install', ...args], {
      cwd: consumer,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`npx ${args.join(' ')} failed:\n${e.stderr ?? ''}\n${e.stdout ?? ''}`);
  }
}

describe('the packed CLI', () => {
  it('npx tbptt --help lists the commands', () => {
    const help = npx(['tbptt', '--help']);
    for (const command of ['train', 'estimate', 'sweep', 'report']) expect(help).toContain(command);
  });

  it('a tiny tbptt train writes its run folder', () => {
    const out = path.join(consumer, 'cli-run');
    npx([
      'tbptt',
      'train',
      '--task',
      'copy',
      '--length',
      '5',
      '--train-steps',
      '2000',
      '--valid-steps',
      '200',
      '--test-steps',
      '200',
      '--hidden',
      '16',
      '--updates',
      '40',
      '--truncation',
      'fixed:5',
      '--backend',
      'wasm',
      '--quiet',
      '--out',
      out,
    ]);
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(out).length).toBeGreaterThan(0);
  });
});
