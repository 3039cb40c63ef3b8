import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors';
import { type MetricsLine, RUN_FILES, readMetrics } from '../io/run-files';

/** One finished run as `report` sees it: its summary, config, metrics and final profile. */
export interface RunRecord {
  dir: string;
  method: string;
  seed: number;
  summary: Record<string, unknown> & {
    /** 'point-process' for event tasks (absent in runs written before it: perplexity). */
    metrics?: 'perplexity' | 'point-process';
    bestValidPerplexity: number | null;
    testPerplexityAtBestValid: number | null;
    bestValidNll?: number | null;
    bestValidRmse?: number | null;
    bestValidErrorRate?: number | null;
    testNllAtBestValid?: number | null;
    testRmseAtBestValid?: number | null;
    testErrorRateAtBestValid?: number | null;
    wallSeconds: number;
    tokensPerSecond: number;
    kMean: number | null;
    kMin: number | null;
    kMax: number | null;
  };
  metrics: MetricsLine[];
  profile?: { total: { phi: number[]; samples: number; averaging: 'norm' | 'log' } };
}

/**
 * Finds every finished run (a folder with summary.json) in the given run or sweep directories, searching a few
 * levels down; directories gathered from several machines merge (a run found twice is counted once).
 */
export function collectRuns(dirs: readonly string[], depth = 4): RunRecord[] {
  const found = new Map<string, RunRecord>();
  const visit = (dir: string, level: number) => {
    if (existsSync(join(dir, RUN_FILES.summary))) {
      const record = readRun(dir);
      const key = `${record.method}|${record.seed}|${String(record.summary.task)}`;
      if (!found.has(key)) found.set(key, record);
      return;
    }
    if (level >= depth) return;
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (!entry.startsWith('.') && statSync(path).isDirectory()) visit(path, level + 1);
    }
  };
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(`report: ${dir} is not a directory`);
    visit(dir, 0);
  }
  if (found.size === 0) {
    throw new UsageError(
      `report: no finished run (summary.json) under ${dirs.join(', ')}; run tbptt train or tbptt sweep first`,
    );
  }
  return [...found.values()];
}

function readRun(dir: string): RunRecord {
  const read = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      throw new UsageError(
        `report: ${join(dir, file)} is not valid JSON (${(error as Error).message.split('\n')[0]})`,
      );
    }
  };
  const summary = read(RUN_FILES.summary) as RunRecord['summary'];
  const profilePath = join(dir, RUN_FILES.profile);
  return {
    dir,
    method: String(summary.method),
    seed: Number(summary.seed),
    summary,
    metrics: readMetrics(dir),
    ...(existsSync(profilePath)
      ? { profile: read(RUN_FILES.profile) as NonNullable<RunRecord['profile']> }
      : {}),
  };
}

/** Whether a report is of point-process runs only (scored by NLL, RMSE(Δt) and 0-1 loss, not perplexity). */
export function isPointProcessReport(runs: readonly RunRecord[]): boolean {
  return runs.length > 0 && runs.every((r) => r.summary.metrics === 'point-process');
}

/** Methods in the paper's order: fixed by K, then variable, then adaptive by decreasing δ. */
export function methodOrder(a: string, b: string): number {
  const rank = (m: string): [number, number] => {
    const [kind, arg] = m.split(':');
    const value = Number.parseFloat(arg ?? '0');
    return kind === 'fixed' ? [0, value] : kind === 'variable' ? [1, value] : [2, -value];
  };
  const [ka, va] = rank(a);
  const [kb, vb] = rank(b);
  return ka - kb || va - vb;
}
