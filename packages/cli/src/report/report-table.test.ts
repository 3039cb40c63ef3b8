import { describe, expect, it } from 'vitest';
import type { RunRecord } from './collect-runs';
import { methodSeconds, reportRows } from './report-table';

const run = (seed: number, summary: Partial<RunRecord['summary']>, biasSeconds: number[]): RunRecord =>
  ({
    dir: `run-${seed}`,
    method: 'fixed:10',
    seed,
    summary: {
      bestValidPerplexity: 1.5,
      testPerplexityAtBestValid: 1.6,
      wallSeconds: 100,
      tokensPerSecond: 0,
      kMean: 10,
      kMin: 10,
      kMax: 10,
      tokens: 19_000,
      updates: 50,
      truncationHistory: [{ update: 0, K: 10 }],
      finalTruncation: 10,
      ...summary,
    },
    metrics: biasSeconds.map((seconds, i) => ({
      type: 'bias',
      update: 10 * (i + 1),
      truncation: 10,
      beta: 0.9,
      deltaAtK: 0.2,
      kappa: [],
      seconds,
      wallTime: '',
    })),
  }) as unknown as RunRecord;

describe('methodSeconds and the wall-time columns', () => {
  it('leave out the bias monitoring: the summary’s monitorSeconds, else the bias events’ seconds', () => {
    expect(methodSeconds(run(1, {}, [2, 3]))).toBe(95);
    expect(methodSeconds(run(1, { monitorSeconds: 7 } as never, [2, 3]))).toBe(93);
    const rows = reportRows([run(1, {}, [2, 3]), run(2, { wallSeconds: 80 }, [])]);
    expect(rows[0]!.wallSeconds).toBeCloseTo((95 + 80) / 2, 12);
    expect(rows[0]!.tokensPerSecond).toBeCloseTo((19_000 / 95 + 19_000 / 80) / 2, 9);
    expect(rows[0]!.finalK).toEqual([10, 10]);
    expect(rows[0]!.cpuSeconds).toBeNull(); // older runs: no CPU time
    const timed = reportRows([
      run(1, { cpuSeconds: 30 } as never, []),
      run(2, { cpuSeconds: 50 } as never, []),
    ]);
    expect(timed[0]!.cpuSeconds).toBe(40);
  });
});
