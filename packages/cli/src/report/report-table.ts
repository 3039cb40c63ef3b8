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
  /** The K each seed ended with, in seed order. */
  finalK: number[];
  wallSeconds: number;
  /** CPU seconds per run (mean over seeds); null for runs written before CPU time was counted. */
  cpuSeconds: number | null;
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

/**
 * A run's wall time without its bias monitoring (`--monitor-bias` only measures δ̂ at the K in use; it is not
 * part of any method): the summary's monitorSeconds, or the seconds of its `bias` events in older runs.
 * Training, the adaptive method's own estimates and the evaluations stay in.
 */
export function methodSeconds(run: RunRecord): number {
  const monitored =
    typeof run.summary.monitorSeconds === 'number'
      ? run.summary.monitorSeconds
      : run.metrics.reduce((sum, m) => sum + (m.type === 'bias' ? m.seconds : 0), 0);
  return run.summary.wallSeconds - monitored;
}

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
      finalK: [...group]
        .sort((a, b) => a.seed - b.seed)
        .map((r) => Number(r.summary.finalTruncation))
        .filter(Number.isFinite),
      wallSeconds: meanSd(finite(group.map(methodSeconds)))?.mean ?? 0,
      cpuSeconds: group.every((r) => typeof r.summary.cpuSeconds === 'number' && r.summary.cpuSeconds > 0)
        ? (meanSd(group.map((r) => Number(r.summary.cpuSeconds)))?.mean ?? null)
        : null,
      tokensPerSecond:
        meanSd(finite(group.map((r) => Number(r.summary.tokens) / methodSeconds(r))))?.mean ?? 0,
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

/** Published figures to set beside the report's (`tbptt report --compare <file>`), by method. */
export interface Comparison {
  /** Where the figures come from, e.g. "Aicher, Foti & Fox (2019), Table C.1". */
  source: string;
  /**
   * method → the published valid / test score (perplexity, or NLL per event for point processes); a string
   * ("1.040") is printed as written, keeping the paper's digits.
   */
  rows: Record<string, { valid?: number | string; test?: number | string }>;
}

function compared(comparison: Comparison | undefined, method: string): string {
  const row = comparison?.rows[method];
  if (!row) return '–';
  const f = (x: number | string | undefined) => (x === undefined ? '–' : String(x));
  return `${f(row.valid)} / ${f(row.test)}`;
}

function cpuCell(r: ReportRow): string {
  return r.cpuSeconds === null ? '–' : r.cpuSeconds.toFixed(0);
}

/** K mean [min, max] over the seeds, and the K each seed ended with. */
function kCells(r: ReportRow): string {
  const k = r.kMean === null ? '–' : `${r.kMean.toFixed(1)} [${r.kMin}, ${r.kMax}]`;
  return `${k} | ${r.finalK.length ? r.finalK.join(', ') : '–'}`;
}

/**
 * The Markdown table: perplexities, or — `pointProcess` — the NLL per event, RMSE(Δt) and 0-1 loss (the
 * paper's Table C.3); with `comparison`, a column of the published valid / test figures.
 */
export function markdownTable(
  rows: readonly ReportRow[],
  pointProcess = false,
  comparison?: Comparison,
): string {
  const paperHead = comparison ? ' paper valid / test |' : '';
  const paperRule = comparison ? ' ---: |' : '';
  const paper = (r: ReportRow) => (comparison ? ` ${compared(comparison, r.method)} |` : '');
  if (pointProcess) {
    const head = `| method | runs | valid NLL at best valid | test NLL at best valid |${paperHead} test RMSE(Δt) | test 0-1 loss | K mean [min, max] | final K per seed | wall time (s) | CPU time (s) | events/s |`;
    const rule = `| --- | ---: | ---: | ---: |${paperRule} ---: | ---: | ---: | ---: | ---: | ---: | ---: |`;
    const lines = rows.map(
      (r) =>
        `| ${r.method} | ${r.runs} | ${cell(r.validNll)} | ${cell(r.testNll)} |${paper(r)} ${precise(r.testRmse)} | ${cell(r.testErrorRate)} | ${kCells(r)} | ${r.wallSeconds.toFixed(0)} | ${cpuCell(r)} | ${Math.round(r.tokensPerSecond)} |`,
    );
    return [head, rule, ...lines].join('\n');
  }
  const head = `| method | runs | valid ppl at best valid | test ppl at best valid |${paperHead} K mean [min, max] | final K per seed | wall time (s) | CPU time (s) | tokens/s |`;
  const rule = `| --- | ---: | ---: | ---: |${paperRule} ---: | ---: | ---: | ---: | ---: |`;
  const lines = rows.map(
    (r) =>
      `| ${r.method} | ${r.runs} | ${cell(r.validPerplexity)} | ${cell(r.testPerplexity)} |${paper(r)} ${kCells(r)} | ${r.wallSeconds.toFixed(0)} | ${cpuCell(r)} | ${Math.round(r.tokensPerSecond)} |`,
  );
  return [head, rule, ...lines].join('\n');
}

/**
 * The paper's question, per adaptive method: does it come within one standard deviation of the best fixed K
 * (the fixed K with the lowest mean validation score), and at what wall time? Scores are perplexities, or
 * NLL per event for point processes; lower is better for both.
 */
export function bestFixedComparison(rows: readonly ReportRow[], pointProcess = false): string[] {
  const valid = (r: ReportRow) => (pointProcess ? r.validNll : r.validPerplexity);
  const test = (r: ReportRow) => (pointProcess ? r.testNll : r.testPerplexity);
  const fixed = rows.filter((r) => r.method.startsWith('fixed:') && valid(r) !== null);
  if (fixed.length === 0) return [];
  const best = fixed.reduce((a, b) => (valid(b)!.mean < valid(a)!.mean ? b : a));
  const bv = valid(best)!;
  const bt = test(best);
  const f = (x: number) => x.toFixed(bv.mean < 10 && bv.mean > -10 ? 3 : 2);
  const lines = [
    `Best fixed K by mean validation score: **${best.method}** — valid ${f(bv.mean)} (${f(bv.sd)})` +
      (bt ? `, test ${f(bt.mean)} (${f(bt.sd)})` : '') +
      `, ${best.wallSeconds.toFixed(0)} s per run.`,
    '',
  ];
  for (const r of rows.filter((row) => row.method.startsWith('adaptive:') && valid(row) !== null)) {
    const v = valid(r)!;
    const t = test(r);
    const within = v.mean <= bv.mean + bv.sd;
    const verdict =
      v.mean <= bv.mean
        ? `better than ${best.method}`
        : within
          ? `within one sd of ${best.method}`
          : `not within one sd of ${best.method} (${f(v.mean - bv.mean)} worse, sd ${f(bv.sd)})`;
    const cpuRatio =
      r.cpuSeconds !== null && best.cpuSeconds !== null && best.cpuSeconds > 0
        ? ` (CPU time ${(r.cpuSeconds / best.cpuSeconds).toFixed(2)}×)`
        : '';
    const wall = best.wallSeconds > 0 ? `${(r.wallSeconds / best.wallSeconds).toFixed(2)}×${cpuRatio}` : '–';
    lines.push(
      `- **${r.method}**: valid ${f(v.mean)} (${f(v.sd)})${t ? `, test ${f(t.mean)} (${f(t.sd)})` : ''} — ${verdict}; ` +
        `wall time ${wall} ${best.method}'s; K settled at ${r.finalK.join(', ') || '–'} (mean K over training ${r.kMean === null ? '–' : r.kMean.toFixed(1)}).`,
    );
  }
  return lines;
}
