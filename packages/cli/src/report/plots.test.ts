import { describe, expect, it } from 'vitest';
import type { RunRecord } from './collect-runs';
import { reportPlots } from './plots';

const run = (method: string, deltas: (number | null)[]): RunRecord =>
  ({
    dir: `/runs/${method}`,
    method,
    seed: 1,
    summary: { bestValidPerplexity: 2, testPerplexityAtBestValid: 2, wallSeconds: 1, tokensPerSecond: 1 },
    // As read from metrics.jsonl: JSON has no Infinity, so an unbounded δ̂ is null.
    metrics: deltas.map((d, i) => ({ type: 'bias', update: 100 * (i + 1), truncation: 5, deltaAtK: d })),
  }) as unknown as RunRecord;

type Layer = { data: { values: Record<string, unknown>[] }; mark: { type: string; shape?: string } };

describe('reportPlots: the bias plot', () => {
  it('draws δ̂ = ∞ at the top edge (the decade above the largest finite δ̂) as triangles, not dropped', () => {
    const spec = reportPlots([run('fixed:5', [0.3, null, 2.5, null]), run('adaptive:0.1', [0.05, 0.08])])[
      'bias-updates.svg'
    ] as unknown as { title: string; layer: Layer[] };
    const [line, markers] = spec.layer;
    expect(line!.data.values.map((v) => v.delta)).toEqual([0.3, 2.5, 0.05, 0.08]);
    expect(markers!.mark.shape).toBe('triangle-up');
    expect(markers!.data.values.map((v) => [v.method, v.update, v.delta])).toEqual([
      ['fixed:5', 200, 10],
      ['fixed:5', 400, 10],
    ]);
    expect(spec.title).toContain('△ at 10: δ̂ = ∞');
  });

  it('has no marker layer when every δ̂ is finite', () => {
    const spec = reportPlots([run('fixed:10', [0.2, 0.04])])['bias-updates.svg'] as unknown as {
      title: string;
      layer: Layer[];
    };
    expect(spec.layer).toHaveLength(1);
    expect(spec.title).not.toContain('∞');
  });
});
