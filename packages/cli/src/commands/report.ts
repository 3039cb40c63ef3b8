import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write';
import { collectRuns, isPointProcessReport } from '../report/collect-runs';
import { reportPlots } from '../report/plots';
import { markdownTable, reportRows } from '../report/report-table';
import { renderSvg } from '../report/vega-svg';

/** `tbptt report`: report.md (the table and the plots) and the SVGs. */
export async function reportCommand(dirs: string[], opts: Record<string, unknown>): Promise<number> {
  const runs = collectRuns(dirs);
  const rows = reportRows(runs);
  const pointProcess = isPointProcessReport(runs);
  const table = markdownTable(rows, pointProcess);
  const out = typeof opts.out === 'string' ? opts.out : dirs[0]!;
  mkdirSync(out, { recursive: true });
  const plots = reportPlots(runs);
  for (const [file, spec] of Object.entries(plots)) writeFileAtomic(join(out, file), await renderSvg(spec));
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const markdown = [
    '# tbptt report',
    '',
    `${runs.length} runs, ${rows.length} methods, ${seeds} seed${seeds === 1 ? '' : 's'}; ` +
      (pointProcess
        ? 'NLL per event, RMSE of the predicted gap and 0-1 loss of the predicted mark at the best validation NLL'
        : 'perplexities at the best validation perplexity') +
      ', mean (sd) over seeds.',
    '',
    table,
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
