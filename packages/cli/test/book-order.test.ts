import { existsSync, readFileSync } from 'node:fs';
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
const DATA = candidates.find((d) => existsSync(join(d, 'book-order', 'event-1-train.txt')));
if (!DATA)
  console.log(
    `skipping the Book Order CLI test: no book-order/event-1-train.txt in ${candidates.join(' or ')} (set TBPTT_TEST_DATA)`,
  );

describe('tbptt train --task book-order: bad input', () => {
  it('a missing --data-dir folder: exit 2, one line naming the flag, no run directory', () => {
    const root = tempDir('bo-bad');
    const out = join(root, 'never');
    const r = tbptt(['train', '--preset', 'book-order', '--data-dir', join(root, 'no-data'), '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/--data-dir .*no-data: no such folder/);
    expect(existsSync(out)).toBe(false);
  });

  it('a folder without the Book Order files: exit 2, naming --data-dir and the missing file', () => {
    const root = tempDir('bo-empty');
    const out = join(root, 'never');
    const r = tbptt(['train', '--task', 'book-order', '--data-dir', root, '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/--data-dir .*event-1-t(rain|est)\.txt/);
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(DATA === undefined)('tbptt on Book Order (--data-dir)', () => {
  it('trains a tiny RMTPP model; summary, metrics and report give NLL, RMSE(Δt) and 0-1 loss', () => {
    const root = tempDir('bo');
    const run = join(root, 'run');
    const r = tbptt([
      'train',
      '--preset',
      'book-order',
      '--data-dir',
      DATA!,
      '--layers',
      '1',
      '--hidden',
      '8',
      '--embedding',
      '8',
      '--batch',
      '8',
      '--eval-batch',
      '64',
      '--updates',
      '5',
      '--eval-every',
      '5',
      // The preset's 300 s budget would stop the run after its first (slow, warm-up) update at batch 8.
      '--max-time',
      '100000',
      '--backend',
      'wasm',
      '--out',
      run,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/book-order \(split 1, 331900 training events, 2 marks; train \[41475, 8\]/);
    expect(r.stdout).toMatch(/best valid NLL/);
    expect(r.stdout).not.toMatch(/perplexity/);

    const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const valid = metrics.filter((m) => m.type === 'evaluate' && m.split === 'valid' && m.best);
    const test = metrics.filter((m) => m.type === 'evaluate' && m.split === 'test');
    expect(valid.length).toBeGreaterThan(0);
    expect(test).toHaveLength(1);
    const best = valid[valid.length - 1];
    expect(summary).toMatchObject({
      task: 'book-order',
      metrics: 'point-process',
      stoppedBy: 'updates',
      updates: 5,
      bestValidPerplexity: null,
      testPerplexityAtBestValid: null,
      bestValidUpdate: best.update,
      bestValidNll: best.loss,
      bestValidRmse: best.rmse,
      bestValidErrorRate: best.errorRate,
      testNllAtBestValid: test[0].loss,
      testRmseAtBestValid: test[0].rmse,
      testErrorRateAtBestValid: test[0].errorRate,
    });
    for (const m of [best, test[0]]) {
      expect(Number.isFinite(m.loss)).toBe(true);
      expect(m.rmse).toBeGreaterThan(0);
      expect(m.errorRate).toBeGreaterThanOrEqual(0);
      expect(m.errorRate).toBeLessThanOrEqual(1);
    }

    const report = tbptt(['report', run, '--out', join(root, 'report')]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/test NLL at best valid \| test RMSE\(Δt\) \| test 0-1 loss/);
    const row = report.stdout.split('\n').find((line) => line.startsWith('| fixed:6 |'));
    expect(row, report.stdout).toContain(`${test[0].loss.toFixed(3)} (0.000)`);
    expect(row).toContain(`${test[0].rmse.toPrecision(4)} (0.0)`);
    expect(row).toContain(`${test[0].errorRate.toFixed(3)} (0.000)`);
    expect(existsSync(join(root, 'report', 'valid-nll-epoch.svg'))).toBe(true);
  });
});
