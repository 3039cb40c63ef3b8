import { methodOrder, type RunRecord } from './collect-runs';
import { truncationStats } from './truncation-stats';

/** One row of the report: a method's statistics over its seeds. */
export interface ReportRow {
  method: string;
  runs: number;
  validPerplexity: { mean: number; sd: number } | null;
  testPerplexity: { mean: number; sd: number } | null;
  /** Point-process runs (null otherwise): NLL per event, RMSE(Δt) and 0-1 loss at the best valid NLL. */
  validNll: { mean: number; sd: number } | null;
  testNll: { mean: number; sd: number } | null;
  testRmse: { mean: number; sd: number } | null;
  testErrorRate: { mean: number; sd: number } | null;
  kMean: number | null;
  kMin: number | null;
  kMax: number | null;
  wallSeconds: number;
  tokensPerSecond: number;
}

/** Mean and sample standard deviation (n − 1; 0 for one value). */
export function meanSd(values: readonly number[]): { mean: number; sd: number } | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, sd: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

const finite = (xs: (number | null | undefined)[]): number[] =>
  xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

/** Groups runs by method (the paper's table: perplexity at the best valid, mean (sd) over seeds). */
export function reportRows(runs: readonly RunRecord[]): ReportRow[] {
  const methods = [...new Set(runs.map((r) => r.method))].sort(methodOrder);
  return methods.map((method) => {
    const group = runs.filter((r) => r.method === method);
    // Exact K statistics from each run's K history (older summaries averaged their logged steps).
    const stats = group.map((r) => {
      const history = r.summary.truncationHistory as { update: number; K: number }[] | undefined;
      const updates = Number(r.summary.updates);
      return history && Number.isFinite(updates)
        ? truncationStats(history, updates)
        : { kMean: r.summary.kMean, kMin: r.summary.kMin, kMax: r.summary.kMax };
    });
    const kMeans = finite(stats.map((k) => k?.kMean));
    const kMins = finite(stats.map((k) => k?.kMin));
    const kMaxs = finite(stats.map((k) => k?.kMax));
    return {
      method,
      runs: group.length,
      validPerplexity: meanSd(finite(group.map((r) => r.summary.bestValidPerplexity))),
      testPerplexity: meanSd(finite(group.map((r) => r.summary.testPerplexityAtBestValid))),
      validNll: meanSd(finite(group.map((r) => r.summary.bestValidNll))),
      testNll: meanSd(finite(group.map((r) => r.summary.testNllAtBestValid))),
      testRmse: meanSd(finite(group.map((r) => r.summary.testRmseAtBestValid))),
      testErrorRate: meanSd(finite(group.map((r) => r.summary.testErrorRateAtBestValid))),
      kMean: kMeans.length ? kMeans.reduce((a, b) => a + b, 0) / kMeans.length : null,
      kMin: kMins.length ? Math.min(...kMins) : null,
      kMax: kMaxs.length ? Math.max(...kMaxs) : null,
      wallSeconds: meanSd(finite(group.map((r) => r.summary.wallSeconds)))?.mean ?? 0,
      tokensPerSecond: meanSd(finite(group.map((r) => r.summary.tokensPerSecond)))?.mean ?? 0,
    };
  });
}

function cell(stat: { mean: number; sd: number } | null): string {
  if (!stat) return '–';
  const digits = stat.mean < 10 ? 3 : 2;
  return `${stat.mean.toFixed(digits)} (${stat.sd.toFixed(digits)})`;
}

/** mean (sd) at 4 significant digits (RMSE of gaps, whose scale is the data's time unit). */
function precise(stat: { mean: number; sd: number } | null): string {
  if (!stat) return '–';
  return `${stat.mean.toPrecision(4)} (${stat.sd.toPrecision(2)})`;
}

/**
 * The Markdown table: perplexities, or — `pointProcess` — the NLL per event, RMSE(Δt) and 0-1 loss (the
 * paper's Table C.3).
 */
export function markdownTable(rows: readonly ReportRow[], pointProcess = false): string {
  if (pointProcess) {
    const head =
      '| method | runs | valid NLL at best valid | test NLL at best valid | test RMSE(Δt) | test 0-1 loss | K mean [min, max] | wall time (s) | events/s |';
    const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
    const lines = rows.map((r) => {
      const k = r.kMean === null ? '–' : `${r.kMean.toFixed(1)} [${r.kMin}, ${r.kMax}]`;
      return `| ${r.method} | ${r.runs} | ${cell(r.validNll)} | ${cell(r.testNll)} | ${precise(r.testRmse)} | ${cell(r.testErrorRate)} | ${k} | ${r.wallSeconds.toFixed(0)} | ${Math.round(r.tokensPerSecond)} |`;
    });
    return [head, rule, ...lines].join('\n');
  }
  const head =
    '| method | runs | valid ppl at best valid | test ppl at best valid | K mean [min, max] | wall time (s) | tokens/s |';
  const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: |';
  const lines = rows.map((r) => {
    const k = r.kMean === null ? '–' : `${r.kMean.toFixed(1)} [${r.kMin}, ${r.kMax}]`;
    return `| ${r.method} | ${r.runs} | ${cell(r.validPerplexity)} | ${cell(r.testPerplexity)} | ${k} | ${r.wallSeconds.toFixed(0)} | ${Math.round(r.tokensPerSecond)} |`;
  });
  return [head, rule, ...lines].join('\n');
}
