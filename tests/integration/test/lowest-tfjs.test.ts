import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { node } from '../lib/run';

/** The lowest tfjs the peer ranges of @tbptt/models claim (^4.10.0). */
const LOWEST = '4.10.0';
const online = process.env.TBPTT_INTEGRATION_ONLINE === '1';
const work = inject('work');

describe.skipIf(!online)(`a project pinned to @tensorflow/tfjs@${LOWEST} (needs the npm registry)`, () => {
  it('installs the tarballs without ERESOLVE and trains beside the user’s tfjs', () => {
    const dir = path.join(work, 'lowest-tfjs');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tarballs = JSON.parse(readFileSync(path.join(work, 'tarballs.json'), 'utf8')) as {
      name: string;
      file: string;
    }[];
    const dependencies: Record<string, string> = { '@tensorflow/tfjs': LOWEST };
    for (const t of tarballs.filter((t) => t.name !== '@tbptt/cli')) dependencies[t.name] = `file:${t.file}`;
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'lowest-tfjs', version: '1.0.0', private: true, type: 'module', dependencies }),
    );
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    copyFileSync(
      path.join(import.meta.dirname, '../fixtures/lowest-tfjs.mjs'),
      path.join(dir, 'lowest-tfjs.mjs'),
    );
    const facts = JSON.parse(node(dir, ['lowest-tfjs.mjs']).trim().split('\n').at(-1)!);
    expect(facts.before).toBe(LOWEST);
    expect(facts.updates).toBe(80);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(facts.last)).toBeLessThan(0.5 * mean(facts.first));
    expect(facts.userSum).toBe(6); // the user's own tfjs still computes
  });
});
