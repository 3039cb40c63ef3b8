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
 * Appends every event to `metrics.jsonl` and the steps to `metrics.csv` (buffered, flushed at least once a
 * second and at the end). With `stepEvery` n > 1 only every n-th update's step is kept, plus the step just
 * before any other event (an evaluation, an estimate, a change of K) and the last one, so every event still
 * has its step. On resume the lines after the checkpoint's update are dropped first (they would be
 * replayed), by rewriting both files atomically.
 */
export class MetricsWriter {
  private jsonl: string[] = [];
  private csv: string[] = [];
  private lastFlush = Date.now();
  /** The latest step not written yet (stepEvery > 1). */
  private pending: (StepRecord & { wallTime: string }) | undefined;

  constructor(
    private readonly dir: string,
    resumeAt?: number,
    private readonly stepEvery = 1,
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
    if (event.type === 'step') {
      const step = line as StepRecord & { wallTime: string };
      if (event.update % this.stepEvery === 0) {
        this.pending = undefined;
        this.append(step);
      } else {
        this.pending = step;
      }
    } else {
      this.writePending();
      this.append(line);
    }
    if (Date.now() - this.lastFlush > 1000) this.flushBuffered();
  }

  /** Writes everything buffered, the last step included (at the end of a run or on interrupt). */
  flush(): void {
    this.writePending();
    this.flushBuffered();
  }

  private append(line: MetricsLine): void {
    this.jsonl.push(`${JSON.stringify(line)}\n`);
    if (line.type === 'step') this.csv.push(csvRow(line as StepRecord & { wallTime: string }));
  }

  private writePending(): void {
    if (this.pending === undefined) return;
    this.append(this.pending);
    this.pending = undefined;
  }

  private flushBuffered(): void {
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
