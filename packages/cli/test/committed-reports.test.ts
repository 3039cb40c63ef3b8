import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tbptt, tempDir } from './helpers';

/**
 * The reproduction reports under apps/docs/docs/results/ are generated: `tbptt report` on the committed run data
 * (results/<experiment>/) must give back every committed file, byte for byte.
 */
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const registry = JSON.parse(readFileSync(join(repo, 'experiments', 'reports.json'), 'utf8')) as {
  reports: { results: string; compare: string; title: string; out: string }[];
};
const committed = registry.reports.filter(
  (r) => existsSync(join(repo, r.results, 'provenance.json')) && existsSync(join(repo, r.out, 'report.md')),
);
if (committed.length === 0) console.log('skipping the committed-report test: no report is committed yet');

describe.skipIf(committed.length === 0)('committed reproduction reports', () => {
  it.each(committed.map((r) => [r.out, r] as const))('%s regenerates byte for byte', (_, report) => {
    const out = tempDir('regenerate');
    const r = tbptt(
      ['report', report.results, '--compare', report.compare, '--title', report.title, '--out', out],
      { cwd: repo },
    );
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(join(repo, report.out)).filter((f) => f.endsWith('.md') || f.endsWith('.svg'));
    const made = readdirSync(out).sort();
    // Every generated file is committed (a hand-written page may sit beside them).
    expect(files.filter((f) => made.includes(f)).sort()).toEqual(made);
    for (const file of made) {
      const a = readFileSync(join(repo, report.out, file));
      const b = readFileSync(join(out, file));
      expect(b.equals(a), `${report.out}/${file} differs from what tbptt report makes now`).toBe(true);
    }
  });
});
