#!/usr/bin/env node
// Runs the committed sweep definitions (experiments/<name>.json) one after another, in the background, from a
// pinned snapshot of the code, and commits each finished run's small files to results/<name>/ as it finishes.
//
//   node scripts/run-experiments.mjs copy-reference copy-variable-reference   # start, or resume
//   node scripts/run-experiments.mjs --sync copy-reference                      # only copy + commit finished runs
//
// Why a snapshot: a sweep takes hours, and the code in this working tree changes meanwhile; every run of a
// sweep must use the same build. The snapshot is a git worktree at .experiments/<commit> (the commit named in
// results/<name>/provenance.json), built once. Interrupted sweeps resume: started again, `tbptt sweep` skips
// finished runs and resumes interrupted ones from their checkpoints (under sweeps/<name>/, not committed).
// What is committed per run: config.json, summary.json, metrics.jsonl and profile.json (no weights or
// checkpoints), with `git commit -- results/<name>`, which commits only that folder.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SNAPSHOTS = join(ROOT, '.experiments');
const KEPT = ['config.json', 'summary.json', 'metrics.jsonl', 'profile.json'];

const git = (args, cwd = ROOT) => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
};
const log = (message) => process.stdout.write(`[${new Date().toISOString()}] ${message}\n`);

function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** The snapshot worktree of `commit` (default: HEAD), built once and reused by every sweep pinned to it. */
function snapshot(commit) {
  const target = commit ?? git(['rev-parse', 'HEAD']);
  const dir = join(SNAPSHOTS, target.slice(0, 12));
  if (existsSync(join(dir, '.built'))) return { commit: target, dir };
  if (!existsSync(dir)) git(['worktree', 'add', '--detach', dir, target]);
  for (const [command, commandArgs] of [
    ['npm', ['ci', '--no-audit', '--no-fund']],
    ['npx', ['turbo', 'run', 'build', '--filter=@tbptt/cli...', '--output-logs=errors-only']],
  ]) {
    log(`snapshot ${target.slice(0, 12)}: ${command} ${commandArgs.join(' ')}`);
    const r = spawnSync(command, commandArgs, { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`snapshot: ${command} ${commandArgs.join(' ')} failed in ${dir}`);
  }
  writeFileSync(join(dir, '.built'), `${new Date().toISOString()}\n`);
  return { commit: target, dir };
}

/** Copies every finished run of sweep `name` that is not in results/ yet, then commits results/<name>. */
function sync(name) {
  const sweepDir = join(ROOT, 'sweeps', name);
  const resultDir = join(ROOT, 'results', name);
  if (!existsSync(sweepDir)) return 0;
  const added = [];
  const visit = (dir) => {
    if (existsSync(join(dir, 'summary.json'))) {
      const rel = relative(sweepDir, dir);
      const target = join(resultDir, rel);
      const summary = readFileSync(join(dir, 'summary.json'), 'utf8');
      if (
        existsSync(join(target, 'summary.json')) &&
        readFileSync(join(target, 'summary.json'), 'utf8') === summary
      )
        return;
      mkdirSync(target, { recursive: true });
      for (const file of KEPT) if (existsSync(join(dir, file))) cpSync(join(dir, file), join(target, file));
      added.push(rel);
      return;
    }
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory() && entry.name !== 'checkpoint' && entry.name !== 'logs')
        visit(join(dir, entry.name));
  };
  visit(sweepDir);
  // Runs copied by an earlier sync whose commit failed (say, a merge was in progress) are committed now.
  const pending = git(['status', '--porcelain', '--', `results/${name}`]);
  if (added.length === 0 && pending === '') return 0;
  const message =
    added.length > 0
      ? `results/${name}: ${added.length} finished run${added.length === 1 ? '' : 's'} (${added.join(', ')})`
      : `results/${name}: finished runs left uncommitted by an earlier sync`;
  const paths = [`results/${name}`, ...regenerateReport(name)];
  // Retry when the index is locked by a commit made in the same repository at that moment; when the
  // repository cannot take a partial commit (a merge in progress), leave it to the next sync.
  for (let attempt = 0; ; attempt++) {
    const added = spawnSync('git', ['add', '--', ...paths], { cwd: ROOT, encoding: 'utf8' });
    const r =
      added.status === 0
        ? spawnSync('git', ['commit', '-q', '-m', message, '--', ...paths], { cwd: ROOT, encoding: 'utf8' })
        : added;
    if (r.status === 0) break;
    if (attempt >= 10) {
      log(`${message}: not committed yet (${r.stderr.trim().split('\n')[0]}); the next sync tries again`);
      return 0;
    }
    spawnSync('sleep', ['3']);
  }
  log(message);
  return added.length;
}

/**
 * The committed report of sweep `name` (experiments/reports.json), made again from results/ with this checkout's
 * built CLI, so that the data and its report are committed together (a test regenerates every committed report
 * and compares bytes). Returns the report folder to commit, or nothing when the sweep has no registered report
 * or the CLI is not built (the report then stays as it was, and the test says so).
 */
function regenerateReport(name) {
  const registry = JSON.parse(readFileSync(join(ROOT, 'experiments', 'reports.json'), 'utf8'));
  const entry = registry.reports.find((r) => r.results === `results/${name}`);
  const bin = join(ROOT, 'packages', 'cli', 'bin', 'tbptt.js');
  if (!entry || !existsSync(join(ROOT, 'packages', 'cli', 'dist', 'bin.js'))) return [];
  const args = [
    'report',
    entry.results,
    '--compare',
    entry.compare,
    '--title',
    entry.title,
    '--out',
    entry.out,
  ];
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    log(`report ${name}: not regenerated (${r.stderr.trim().split('\n')[0]})`);
    return [];
  }
  // Only the generated files: a hand-written page beside them (index.md) is not committed by this script.
  return [`${entry.out}/report.md`, `${entry.out}/*.svg`];
}

/**
 * Puts the committed finished runs of sweep `name` back under sweeps/<name>/ when that folder lost them (a fresh
 * clone has results/ but no sweeps/), so that `tbptt sweep` counts them as finished instead of running them again.
 * Only the kept files come back; a run whose summary is there is left alone.
 */
function restoreFinished(name) {
  const resultDir = join(ROOT, 'results', name);
  const sweepDir = join(ROOT, 'sweeps', name);
  if (!existsSync(resultDir)) return 0;
  let restored = 0;
  const visit = (dir) => {
    if (existsSync(join(dir, 'summary.json'))) {
      const target = join(sweepDir, relative(resultDir, dir));
      if (existsSync(join(target, 'summary.json'))) return;
      mkdirSync(target, { recursive: true });
      // summary.json last: a run is finished for `tbptt sweep` only once it is there.
      for (const file of [...KEPT.filter((f) => f !== 'summary.json'), 'summary.json'])
        if (existsSync(join(dir, file))) cpSync(join(dir, file), join(target, file));
      restored++;
      return;
    }
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) visit(join(dir, entry.name));
  };
  visit(resultDir);
  if (restored > 0)
    log(`sweep ${name}: ${restored} finished run${restored === 1 ? '' : 's'} restored from results/${name}`);
  return restored;
}

function provenance(name, commit, definition) {
  const file = join(ROOT, 'results', name, 'provenance.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const info = {
    experiment: name,
    definition,
    commit,
    started: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? '?',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    command: `node scripts/run-experiments.mjs ${name}`,
  };
  writeAtomic(file, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

function runSweep(name) {
  const definitionFile = join(ROOT, 'experiments', `${name}.json`);
  if (!existsSync(definitionFile)) throw new Error(`no sweep definition experiments/${name}.json`);
  const definition = JSON.parse(readFileSync(definitionFile, 'utf8'));
  const existing = existsSync(join(ROOT, 'results', name, 'provenance.json'))
    ? JSON.parse(readFileSync(join(ROOT, 'results', name, 'provenance.json'), 'utf8'))
    : undefined;
  const code = snapshot(existing?.commit);
  provenance(name, code.commit, definition);
  const bin = join(code.dir, 'packages', 'cli', 'dist', 'bin.js');
  // The snapshot's own copy of the definition (committed with the code the runs use); runs go under this checkout.
  const pinned = join(code.dir, 'experiments', `${name}.json`);
  const same = (a, b) =>
    JSON.stringify(JSON.parse(readFileSync(a, 'utf8'))) ===
    JSON.stringify(JSON.parse(readFileSync(b, 'utf8')));
  if (!existsSync(pinned) || !same(pinned, definitionFile))
    throw new Error(
      `experiments/${name}.json differs from its copy at the sweep's commit ${code.commit.slice(0, 12)}; commit it before starting the sweep, or restore it while the sweep runs`,
    );
  restoreFinished(name);
  const args = [bin, 'sweep', '--definition', pinned, '--out', join(ROOT, 'sweeps', name)];
  log(`sweep ${name}: node ${args.map((a) => relative(ROOT, a) || a).join(' ')}`);
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      if (String(chunk).includes('] ')) sync(name);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    const timer = setInterval(() => sync(name), 120_000);
    const stop = (signal) => child.kill(signal);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    child.on('close', (code) => {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      sync(name);
      const file = join(ROOT, 'results', name, 'provenance.json');
      if (code === 0 && existsSync(file)) {
        const info = JSON.parse(readFileSync(file, 'utf8'));
        if (info.finished === undefined) {
          info.finished = new Date().toISOString();
          info.wallSeconds = Math.round((Date.parse(info.finished) - Date.parse(info.started)) / 1000);
          writeAtomic(file, `${JSON.stringify(info, null, 2)}\n`);
          const paths = [`results/${name}`, ...regenerateReport(name)];
          git(['add', '--', ...paths]);
          git(['commit', '-q', '-m', `results/${name}: sweep finished`, '--', ...paths]);
        }
      }
      log(`sweep ${name}: exit ${code}`);
      resolvePromise(code);
    });
  });
}

const args = process.argv.slice(2);
if (args[0] === '--sync') {
  for (const name of args.slice(1)) sync(name);
} else {
  if (args.length === 0) {
    process.stderr.write(
      'usage: node scripts/run-experiments.mjs <experiment>... (names of experiments/*.json)\n',
    );
    process.exit(2);
  }
  for (const name of args) {
    const code = await runSweep(name);
    if (code !== 0) process.exit(code ?? 1);
  }
}
