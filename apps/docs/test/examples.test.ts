/**
 * The guides' code: every file in apps/docs/examples/ is shown on a guide page (VitePress `<<<` includes), so
 * it is run here as a user would run it (`npx tsx examples/<name>.ts`) and its output checked against what the
 * page says it prints — closed forms for the estimators, exact tokenisation for the datasets.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = join(app, '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');

function run(name: string): string {
  return execFileSync(process.execPath, [tsx, join(app, 'examples', `${name}.ts`)], {
    cwd: app,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('guide examples', () => {
  it('estimators: a geometric profile gives β̂ = β and κ̂(δ) = ⌈ln δ / ln β⌉', () => {
    const out = run('estimators');
    expect(out).toContain('β̂ = 0.9000');
    expect(out).toContain(`κ̂(0.5) = ${Math.ceil(Math.log(0.5) / Math.log(0.9))}`);
    expect(out).toContain(`κ̂(0.1) = ${Math.ceil(Math.log(0.1) / Math.log(0.9))}`);
    expect(out).toContain('from JSON: κ̂(0.1) = 22');
  });

  it('datasets: tokenises, batchifies column by column, generates the copy task', () => {
    const out = run('datasets');
    expect(out).toContain('vocabulary: 8 words; train 14 tokens');
    expect(out).toContain('batchify(train, 2): 7 steps × 2 columns');
    expect(out).toContain('column 1: the dog sat on the log <eos>');
    const inputs = /copy task inputs : (\d+)/.exec(out)![1]!;
    const targets = /copy task targets: (\d+)/.exec(out)![1]!;
    // The recall half repeats the span: target at step L + i is the input at step i.
    const span = inputs.indexOf('0');
    expect(targets.slice(span, 2 * span)).toBe(inputs.slice(0, span));
  });

  it('models: an untrained model scores about ln V, and its weights round-trip', () => {
    const out = run('models');
    expect(out).toContain('backend wasm');
    const loss = Number(/loss of an untrained model: ([\d.]+)/.exec(out)![1]);
    expect(Math.abs(loss - Math.log(50))).toBeLessThan(0.05);
    expect(out).toContain('identical');
  });

  it('core: adaptive training re-estimates K and reports it', () => {
    const out = run('core');
    expect(out).toMatch(/update 20: β̂ [\d.]+, δ̂\(15\) [\d.]+ → K \d+/);
    expect(out).toMatch(/60 updates, K now \d+, \d+ tokens\/s/);
  });

  it('random: restoring the state replays the stream', () => {
    expect(run('random')).toContain('(same)');
  });
});
