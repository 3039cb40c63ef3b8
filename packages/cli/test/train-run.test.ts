import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors } from '@tbptt/models';
import { describe, expect, it } from 'vitest';
import { TINY_COPY, tbptt, tbpttStreaming, tempDir } from './helpers';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('tbptt train (built binary)', () => {
  it('runs a tiny copy task end to end: valid files, summary consistent with the metrics', () => {
    const out = join(tempDir('train'), 'run');
    const r = tbptt(['train', ...TINY_COPY, '--truncation', 'adaptive:0.1', '--updates', '70', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The first lines say what is trained and what chance level is; the last ones are the summary.
    expect(r.stdout).toMatch(/tbptt train: copy task \(span 10\)/);
    expect(r.stdout).toMatch(/chance perplexity 6\.00/);
    // --threads auto (the default): 2 × LSTM(16) at batch 32 is ≈ 0.7 MFLOP of products per time step, below
    // the 5 MFLOP from which threads pay, so one thread.
    expect(r.stdout).toMatch(/backend wasm, 1 thread\n/);
    expect(r.stdout).toMatch(/best valid perplexity\s+\d/);
    expect(r.stdout).toMatch(/K history\s+15 \(update 0\)/);
    for (const f of [
      'config.json',
      'metrics.jsonl',
      'metrics.csv',
      'summary.json',
      'weights.safetensors',
      'best.safetensors',
      'profile.json',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(existsSync(join(out, 'checkpoint', 'latest'))).toBe(true);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      task: 'copy',
      hidden: 16,
      truncation: 'adaptive:0.1',
      updates: 70,
      optimizer: 'adam',
    });

    const events = lines(join(out, 'metrics.jsonl')).map((l) => JSON.parse(l));
    for (const e of events) expect(typeof e.wallTime).toBe('string');
    const steps = events.filter((e) => e.type === 'step');
    expect(steps.map((s) => s.update)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
    const csv = lines(join(out, 'metrics.csv'));
    expect(csv[0]).toBe(
      'update,epoch,position,steps,truncation,loss,gradNorm,learningRate,tokens,elapsedSeconds,wallTime',
    );
    expect(csv.length).toBe(71);
    const csvK = csv.slice(1).map((row) => Number(row.split(',')[4]));
    expect(csvK).toEqual(steps.map((s) => s.truncation));

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const valid = events.filter((e) => e.type === 'evaluate' && e.split === 'valid');
    const best = Math.min(...valid.map((e) => e.perplexity));
    expect(summary.bestValidPerplexity).toBe(best);
    expect(summary.bestValidUpdate).toBe(valid.find((e) => e.perplexity === best).update);
    const test = events.filter((e) => e.type === 'evaluate' && e.split === 'test');
    expect(test).toHaveLength(1);
    expect(summary.testPerplexityAtBestValid).toBe(test[0].perplexity);
    expect(summary.updates).toBe(70);
    expect(summary.stoppedBy).toBe('updates');
    expect(summary.tokens).toBe(steps.at(-1).tokens);
    expect(summary.finalTruncation).toBe(steps.at(-1).truncation);
    // K history: the initial K, then one entry per truncation event.
    const changes = events.filter((e) => e.type === 'truncation');
    expect(summary.truncationHistory).toEqual([
      { update: 0, K: 15 },
      ...changes.map((e) => ({ update: e.update, K: e.to })),
    ]);
    expect(summary.kMean).toBeCloseTo(steps.reduce((a, s) => a + s.truncation, 0) / steps.length, 12);
    expect(summary.kMin).toBe(Math.min(...steps.map((s) => s.truncation)));
    const estimates = events.filter((e) => e.type === 'estimate');
    expect(estimates.length).toBe(2); // updates 30 and 60
    expect(summary.estimateSeconds).toBeGreaterThan(0);
    expect(summary.wallSeconds).toBeGreaterThan(summary.estimateSeconds);
  });

  it('SIGINT mid-run checkpoints and exits 130; --resume ends with weights bit-identical to an uninterrupted run', async () => {
    const root = tempDir('resume');
    const args = ['train', ...TINY_COPY, '--truncation', 'adaptive:0.1', '--updates', '80'];
    const straight = tbptt([...args, '--quiet', '--out', join(root, 'straight')]);
    expect(straight.code).toBe(0);

    let sent = false;
    const interrupted = await tbpttStreaming(
      [...args, '--json', '--out', join(root, 'cut')],
      (line, child) => {
        const event = JSON.parse(line);
        if (!sent && event.type === 'step' && event.update >= 25) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/resume with: tbptt train --resume /);
    expect(existsSync(join(root, 'cut', 'summary.json'))).toBe(false);
    const stoppedAt = Number(/interrupted at update (\d+)/.exec(interrupted.stderr)![1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(25);
    expect(stoppedAt).toBeLessThan(80);

    const resumed = tbptt(['train', '--resume', join(root, 'cut'), '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const a = readFileSync(join(root, 'straight', 'weights.safetensors'));
    const b = readFileSync(join(root, 'cut', 'weights.safetensors'));
    expect(Buffer.compare(a, b)).toBe(0);
    // …and value by value (a clearer failure than a byte diff).
    const ta = decodeSafetensors(a).tensors;
    const tb = decodeSafetensors(b).tensors;
    for (const [name, t] of ta) expect(Array.from(tb.get(name)!.data), name).toEqual(Array.from(t.data));
    const sa = JSON.parse(readFileSync(join(root, 'straight', 'summary.json'), 'utf8'));
    const sb = JSON.parse(readFileSync(join(root, 'cut', 'summary.json'), 'utf8'));
    expect(sb.updates).toBe(80);
    expect(sb.truncationHistory).toEqual(sa.truncationHistory);
    expect(sb.initialWeightsSha256).toBe(sa.initialWeightsSha256);
    // metrics.jsonl holds each update once, across the interruption.
    const steps = lines(join(root, 'cut', 'metrics.jsonl'))
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'step')
      .map((e) => e.update);
    expect(steps).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
  });

  it('--threads auto (the default) runs the copy preset on 2 threads where there are 2 cores, with the weights of 1 thread bit for bit', () => {
    // 2 × LSTM(64) on one-hot 6, batch 32: products per time step 3 · 2 · 32 · ((6 + 64) + (64 + 64)) · 256
    // + 3 · 2 · 32 · 64 · 6 ≈ 9.8 MFLOP, above the 5 MFLOP threshold and below the 100 MFLOP per extra pair.
    const expected = availableParallelism() >= 2 ? 2 : 1;
    const run = (threads: string[]) => {
      const out = join(tempDir('threads'), 'run');
      // TINY_COPY with the preset's own hidden size back (a later flag overrides an earlier one).
      const r = tbptt(['train', ...TINY_COPY, '--hidden', '64', '--updates', '30', ...threads, '--out', out]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return { stdout: r.stdout, weights: readFileSync(join(out, 'weights.safetensors')) };
    };
    const auto = run([]);
    expect(auto.stdout).toMatch(
      new RegExp(`backend wasm, ${expected} thread${expected === 1 ? '' : 's'}\\n`),
    );
    const one = run(['--threads', '1']);
    expect(one.stdout).toMatch(/backend wasm, 1 thread\n/);
    expect(Buffer.compare(auto.weights, one.weights)).toBe(0);
  });
});
