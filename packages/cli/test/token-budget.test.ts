import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_COPY, tbptt, tempDir } from './helpers';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

interface Step {
  type: 'step';
  update: number;
  position: number;
  steps: number;
  truncation: number;
  tokens: number;
}

/** TINY_COPY without its --eval-every (the token cadence replaces it). */
const TINY_COPY_NO_EVAL = TINY_COPY.filter(
  (arg, i) => arg !== '--eval-every' && TINY_COPY[i - 1] !== '--eval-every',
);
/** The copy preset's batch (columns). */
const batch = 32;

/**
 * Each step's tokens from the positions alone: an update's loss positions are the stream positions it moved
 * over (from 0 after the end of the stream), times the columns. Checks the engine's count independently.
 */
function expectTokensFromPositions(steps: readonly Step[]): void {
  let position = 0;
  let tokens = 0;
  for (const s of steps) {
    expect(s.position - position, `update ${s.update}`).toBe(Math.min(s.truncation, s.steps - position));
    tokens += (s.position - position) * batch;
    expect(s.tokens, `update ${s.update}`).toBe(tokens);
    position = s.position === s.steps ? 0 : s.position;
  }
}

describe('tbptt train, budgets in training tokens (built binary)', () => {
  it('--tokens stops at the first update whose token count reaches the budget (stoppedBy tokens)', () => {
    const out = join(tempDir('tokens'), 'run');
    const budget = 3000; // 160 tokens an update at K 5: reached at update 19 (3040), not exactly
    const r = tbptt([
      'train',
      ...TINY_COPY,
      '--truncation',
      'fixed:5',
      '--tokens',
      String(budget),
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = lines(join(out, 'metrics.jsonl')).map((l) => JSON.parse(l));
    const steps = events.filter((e): e is Step => e.type === 'step');
    expectTokensFromPositions(steps);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.stoppedBy).toBe('tokens');
    expect(summary.updates).toBe(steps.length);
    expect(summary.tokens).toBe(steps.at(-1)!.tokens);
    expect(summary.tokens).toBeGreaterThanOrEqual(budget);
    expect(steps.at(-2)!.tokens).toBeLessThan(budget);
    expect(summary.updates).toBe(Math.ceil(budget / (5 * batch)));
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).tokens).toBe(budget);
    expect(r.stdout).toMatch(
      new RegExp(
        `stopped by tokens after ${summary.updates} updates, ${summary.tokens.toLocaleString('en-US')} tokens,`,
      ),
    );
  });

  it('--eval-every-tokens validates where the token count crosses a multiple (variable K), replacing the preset’s --eval-every', () => {
    const out = join(tempDir('eval-tokens'), 'run');
    const every = 1000;
    const r = tbptt([
      'train',
      ...TINY_COPY_NO_EVAL,
      '--truncation',
      'variable:6,3',
      '--updates',
      '40',
      '--eval-every-tokens',
      String(every),
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.evalEveryTokens).toBe(every);
    expect(config.evalEvery).toBeUndefined(); // the copy preset's 250 gave way to the flag
    const events = lines(join(out, 'metrics.jsonl')).map((l) => JSON.parse(l));
    const steps = events.filter((e): e is Step => e.type === 'step');
    expect(steps).toHaveLength(40);
    expectTokensFromPositions(steps);
    expect(new Set(steps.map((s) => s.truncation)).size).toBeGreaterThan(1);
    // Brute force: for each multiple m of `every`, the first update whose count reaches m; then the final one.
    const expected = new Set<number>();
    for (let m = every; m <= steps.at(-1)!.tokens; m += every)
      expected.add(steps.find((s) => s.tokens >= m)!.update);
    expected.add(40);
    const valid = events.filter((e) => e.type === 'evaluate' && e.split === 'valid');
    expect(valid.map((e) => e.update)).toEqual([...expected].sort((a, b) => a - b));
    expect(valid.length).toBeGreaterThanOrEqual(5);
    for (const e of valid) expect(Number.isFinite(e.loss) && e.perplexity >= 1).toBe(true);
  });

  it('--eval-every with --eval-every-tokens: exit 2, one line naming both flags, no run directory', () => {
    const out = join(tempDir('eval-both'), 'never');
    const r = tbptt(['train', ...TINY_COPY, '--eval-every-tokens', '1000', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    const stderr = r.stderr.trim().split('\n');
    expect(stderr, r.stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(
      /--eval-every \(30 updates\) and --eval-every-tokens \(1000 tokens\) exclude each other; give one of them/,
    );
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('--tokens takes a positive integer: 0, 2500.5 or a word is exit 2 naming the flag', () => {
    for (const value of ['0', '2500.5', 'lots']) {
      const r = tbptt(['train', '--tokens', value, '--out', join(tempDir('tokens-bad'), 'never')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toMatch(new RegExp(`^.*--tokens must be an integer ≥ 1, got ${value}$`));
    }
  });
});
