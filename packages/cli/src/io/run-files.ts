import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent, StepRecord } from '../run-events';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write';

/** The files of a run directory. */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  csv: 'metrics.csv',
  summary: 'summary.json',
  weights: 'weights.safetensors',
  best: 'best.safetensors',
  vocab: 'vocab.json',
  profile: 'profile.json',
  checkpoint: 'checkpoint',
} as const;

/** metrics.csv's columns: one row per step event. */
export const CSV_COLUMNS = [
  'update',
  'epoch',
  'position',
  'steps',
  'truncation',
  'loss',
  'gradNorm',
  'learningRate',
  'tokens',
  'elapsedSeconds',
  'wallTime',
] as const;

/** A metrics line: an engine event with the wall time it was seen. */
export type MetricsLine = RunEvent & { wallTime: string };

/**
 * Appends every event to `metrics.jsonl` and every step to `metrics.csv` (buffered, flushed at least once a
 * second and at the end). On resume the lines after the checkpoint's update are dropped first (they would be
 * replayed), by rewriting both files atomically.
 */
export class MetricsWriter {
  private jsonl: string[] = [];
  private csv: string[] = [];
  private lastFlush = Date.now();

  constructor(
    private readonly dir: string,
    resumeAt?: number,
  ) {
    const jsonlPath = join(dir, RUN_FILES.metrics);
    const csvPath = join(dir, RUN_FILES.csv);
    if (resumeAt === undefined || !existsSync(jsonlPath)) {
      writeFileAtomic(jsonlPath, '');
      writeFileAtomic(csvPath, `${CSV_COLUMNS.join(',')}\n`);
      return;
    }
    const kept = readMetrics(dir).filter(
      (line) => line.update <= resumeAt && !(line.type === 'evaluate' && line.split === 'test'),
    );
    writeFileAtomic(jsonlPath, kept.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const rows = kept
      .filter((line): line is StepRecord & { wallTime: string } => line.type === 'step')
      .map(csvRow);
    writeFileAtomic(csvPath, `${CSV_COLUMNS.join(',')}\n${rows.join('')}`);
  }

  write(event: RunEvent): void {
    const line = { ...event, wallTime: new Date().toISOString() };
    this.jsonl.push(`${JSON.stringify(line)}\n`);
    if (event.type === 'step') this.csv.push(csvRow(line as StepRecord & { wallTime: string }));
    if (Date.now() - this.lastFlush > 1000) this.flush();
  }

  flush(): void {
    if (this.jsonl.length > 0) appendFileSync(join(this.dir, RUN_FILES.metrics), this.jsonl.join(''));
    if (this.csv.length > 0) appendFileSync(join(this.dir, RUN_FILES.csv), this.csv.join(''));
    this.jsonl = [];
    this.csv = [];
    this.lastFlush = Date.now();
  }
}

function csvRow(step: StepRecord & { wallTime: string }): string {
  return `${CSV_COLUMNS.map((column) => String(step[column])).join(',')}\n`;
}

/** Reads metrics.jsonl (a torn last line, from a crash mid-append, is ignored). */
export function readMetrics(dir: string): MetricsLine[] {
  const path = join(dir, RUN_FILES.metrics);
  if (!existsSync(path)) return [];
  const out: MetricsLine[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as MetricsLine);
    } catch {
      // a torn line
    }
  }
  return out;
}

export function writeRunJson(dir: string, file: string, value: unknown): void {
  writeJsonAtomic(join(dir, file), value);
}

export function writeRunBytes(dir: string, file: string, bytes: Uint8Array): void {
  writeFileAtomic(join(dir, file), bytes);
}
