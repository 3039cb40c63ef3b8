#!/usr/bin/env node
// Regenerates every committed report listed in experiments/reports.json from the committed run data
// (results/<experiment>/), with the built CLI: `npm run reports` (after `npm run build`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'tbptt.js');
const { reports } = JSON.parse(readFileSync(join(ROOT, 'experiments', 'reports.json'), 'utf8'));
/** Whether a finished run (a folder with summary.json) lies under `dir`. */
function hasFinishedRun(dir) {
  if (existsSync(join(dir, 'summary.json'))) return true;
  return readdirSync(dir, { withFileTypes: true }).some(
    (e) => e.isDirectory() && hasFinishedRun(join(dir, e.name)),
  );
}

let made = 0;
for (const r of reports) {
  if (!existsSync(join(ROOT, r.results, 'provenance.json'))) {
    process.stdout.write(`skip ${r.results}: not run yet\n`);
    continue;
  }
  if (!hasFinishedRun(join(ROOT, r.results))) {
    process.stdout.write(`skip ${r.results}: no run finished yet\n`);
    continue;
  }
  const args = ['report', r.results, '--compare', r.compare, '--title', r.title, '--out', r.out];
  process.stdout.write(`tbptt ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  made++;
}
process.stdout.write(`${made} reports regenerated\n`);
