import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors';
import { writeFileAtomic } from '../io/atomic-write';
import { seconds } from '../progress/format';
import { collectRuns, isPointProcessReport } from '../report/collect-runs';
import { reportPlots } from '../report/plots';
import { bestFixedComparison, type Comparison, markdownTable, reportRows } from '../report/report-table';
import { renderSvg } from '../report/vega-svg';

/** Reads and checks a `--compare` file: `{ "source": "…", "rows": { "<method>": { "valid": n, "test": n } } }`. */
function readComparison(file: string): Comparison {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--compare ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const shape =
    'expected {"source": "…", "rows": {"fixed:10": {"valid": 1.035, "test": 1.036}, …}} (valid and test optional)';
  const d = data as Partial<Comparison> | null;
  if (!d || typeof d !== 'object' || typeof d.source !== 'string' || !d.rows || typeof d.rows !== 'object')
    throw new UsageError(`--compare ${file}: ${shape}`);
  for (const [method, row] of Object.entries(d.rows)) {
    for (const key of Object.keys(row ?? {})) {
      const value = (row as Record<string, unknown>)[key];
      const numeric =
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value));
      if ((key !== 'valid' && key !== 'test') || !numeric)
        throw new UsageError(
          `--compare ${file}: rows["${method}"].${key} is not a valid or test figure (a number, or a string such as "1.040" to keep its digits); ${shape}`,
        );
    }
  }
  return d as Comparison;
}

/** The sweep's provenance.json (written by scripts/run-experiments.mjs), when the first directory has one. */
function provenanceLine(dir: string): string | undefined {
  const file = join(dir, 'provenance.json');
  if (!existsSync(file)) return undefined;
  const p = JSON.parse(readFileSync(file, 'utf8')) as {
    commit?: string;
    started?: string;
    finished?: string;
    wallSeconds?: number;
    machine?: { cpus?: number; cpu?: string; node?: string };
  };
  const machine = p.machine
    ? `${p.machine.cpus} × ${p.machine.cpu}, Node ${p.machine.node}`
    : 'unknown machine';
  const span =
    p.finished && p.wallSeconds !== undefined
      ? `from ${p.started} to ${p.finished} (${seconds(p.wallSeconds)} of wall time for the whole sweep)`
      : `started ${p.started}, not finished: the table holds the runs finished so far`;
  return `Runs made with the code at commit \`${p.commit?.slice(0, 12)}\` on ${machine}, ${span}.`;
}

/** `tbptt report`: report.md (the table and the plots) and the SVGs. */
export async function reportCommand(dirs: string[], opts: Record<string, unknown>): Promise<number> {
  const comparison = typeof opts.compare === 'string' ? readComparison(opts.compare) : undefined;
  const runs = collectRuns(dirs);
  const rows = reportRows(runs);
  const pointProcess = isPointProcessReport(runs);
  const table = markdownTable(rows, pointProcess, comparison);
  const out = typeof opts.out === 'string' ? opts.out : dirs[0]!;
  mkdirSync(out, { recursive: true });
  const plots = reportPlots(runs);
  for (const [file, spec] of Object.entries(plots)) writeFileAtomic(join(out, file), await renderSvg(spec));
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const provenance = provenanceLine(dirs[0]!);
  const command = [
    'tbptt report',
    ...dirs,
    ...(typeof opts.compare === 'string' ? ['--compare', opts.compare] : []),
    ...(typeof opts.title === 'string' ? ['--title', `'${opts.title.replace(/'/g, `'\\''`)}'`] : []),
  ].join(' ');
  const title = typeof opts.title === 'string' ? opts.title : 'tbptt report';
  const markdown = [
    `# ${title}`,
    '',
    `${runs.length} runs, ${rows.length} methods, ${seeds} seed${seeds === 1 ? '' : 's'}; ` +
      (pointProcess
        ? 'NLL per event, RMSE of the predicted gap and 0-1 loss of the predicted mark at the best validation NLL'
        : 'perplexities at the best validation perplexity') +
      ', mean (sd) over seeds.' +
      (comparison ? ` Paper: ${comparison.source}.` : ''),
    ...(provenance ? ['', provenance] : []),
    '',
    table,
    '',
    ...bestFixedComparison(rows, pointProcess),
    '',
    'Wall time: seconds per run (mean over seeds) of training, the adaptive estimates and the evaluations, ' +
      'without the bias monitoring that only measures δ̂ at the K in use; tokens/s divides the training tokens by it. ' +
      'CPU time: user + system seconds of the training process, everything included, which other processes sharing ' +
      'the CPU do not inflate (– for runs written before it was recorded).',
    '',
    `Regenerate: \`${command} --out <this folder>\``,
    '',
    ...Object.keys(plots).map((file) => `![${file}](${file})`),
    '',
  ].join('\n');
  writeFileAtomic(join(out, 'report.md'), markdown);
  if (opts.json) process.stdout.write(`${JSON.stringify({ rows, plots: Object.keys(plots), out })}\n`);
  else
    process.stdout.write(
      `${table}\n\nwrote ${join(out, 'report.md')} and ${Object.keys(plots).length} plots\n`,
    );
  return 0;
}
