import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { tbptt, tempDir } from './helpers';

const SET = [
  'hidden=16',
  'train-steps=1200',
  'valid-steps=300',
  'test-steps=300',
  'updates=40',
  'eval-every=20',
  'refresh-every=20',
  'backend=wasm',
].flatMap((kv) => ['--set', kv]);

/** Every text node of a parsed SVG. */
function texts(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string' || typeof node === 'number') out.push(String(node));
  else if (Array.isArray(node)) for (const n of node) texts(n, out);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) if (!k.startsWith('@_')) texts(v, out);
  return out;
}

describe('tbptt sweep + report', () => {
  it('--plan prints one command per run and a JSON list', () => {
    const out = join(tempDir('plan'), 'sweep');
    const sh = tbptt([
      'sweep',
      '--preset',
      'copy',
      '--fixed',
      '5,10',
      '--adaptive',
      '0.1',
      '--seeds',
      '2',
      '--out',
      out,
      '--plan',
      ...SET,
    ]);
    expect(sh.code).toBe(0);
    const lines = sh.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(
      /^npx tbptt train --preset copy .*--truncation fixed:5 --seed 1 --out \S+fixed-5\/seed-1 --quiet$/,
    );
    const json = JSON.parse(
      tbptt([
        'sweep',
        '--preset',
        'copy',
        '--fixed',
        '5,10',
        '--adaptive',
        '0.1',
        '--seeds',
        '2',
        '--out',
        out,
        '--plan',
        'json',
        ...SET,
      ]).stdout,
    );
    // Seed-major: a sweep cut short holds every method of the first seeds.
    expect(json.map((r: { method: string; seed: number }) => `${r.method}#${r.seed}`)).toEqual([
      'fixed:5#1',
      'fixed:10#1',
      'adaptive:0.1#1',
      'fixed:5#2',
      'fixed:10#2',
      'adaptive:0.1#2',
    ]);
    expect(existsSync(out)).toBe(false); // planning writes nothing
  });

  it('--definition reads the same grid from a JSON file, the command line overriding it; bad files are named', () => {
    const dir = tempDir('definition');
    const out = join(dir, 'sweep');
    const file = join(dir, 'grid.json');
    writeFileSync(
      file,
      JSON.stringify({
        description: 'a tiny grid',
        preset: 'copy',
        fixed: [5, 10],
        adaptive: [0.1],
        seeds: 2,
        set: { hidden: 16, 'train-steps': 1200, 'monitor-bias': true },
        out,
      }),
    );
    const fromFile = tbptt(['sweep', '--definition', file, '--plan', 'json']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const flags = tbptt([
      'sweep',
      '--preset',
      'copy',
      '--fixed',
      '5,10',
      '--adaptive',
      '0.1',
      '--seeds',
      '2',
      '--out',
      out,
      '--set',
      'hidden=16',
      '--set',
      'train-steps=1200',
      '--set',
      'monitor-bias',
      '--plan',
      'json',
    ]);
    expect(JSON.parse(fromFile.stdout)).toEqual(JSON.parse(flags.stdout));
    const override = JSON.parse(
      tbptt(['sweep', '--definition', file, '--seeds', '1', '--plan', 'json']).stdout,
    );
    expect(override).toHaveLength(3);

    writeFileSync(file, JSON.stringify({ preset: 'copy', fixd: [5], out }));
    const unknown = tbptt(['sweep', '--definition', file, '--plan']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /--definition .*grid\.json: unknown key "fixd"; the keys are description, preset/,
    );
    writeFileSync(file, '{"preset": "copy",');
    const broken = tbptt(['sweep', '--definition', file, '--plan']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/--definition .*grid\.json: .*JSON/);
    writeFileSync(file, JSON.stringify({ preset: 'copy', fixed: [5] }));
    const noOut = tbptt(['sweep', '--definition', file, '--plan']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/give --out <dir> \(or "out" in the --definition file\)/);
  });

  it('runs a tiny grid with paired initial weights, skips finished runs, and reports a table and SVGs that parse', () => {
    const out = join(tempDir('sweep'), 'sweep');
    const grid = [
      'sweep',
      '--preset',
      'copy',
      '--fixed',
      '5',
      '--adaptive',
      '0.1',
      '--seeds',
      '2',
      '--jobs',
      '2',
      '--out',
      out,
      ...SET,
    ];
    const r = tbptt(grid);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/4 of 4 runs finished/);
    const summary = (name: string) => JSON.parse(readFileSync(join(out, name, 'summary.json'), 'utf8'));
    // Paired comparison: each seed's methods start from the same weights, different seeds from different ones.
    expect(summary('fixed-5/seed-1').initialWeightsSha256).toBe(
      summary('adaptive-0.1/seed-1').initialWeightsSha256,
    );
    expect(summary('fixed-5/seed-2').initialWeightsSha256).toBe(
      summary('adaptive-0.1/seed-2').initialWeightsSha256,
    );
    expect(summary('fixed-5/seed-1').initialWeightsSha256).not.toBe(
      summary('fixed-5/seed-2').initialWeightsSha256,
    );

    const again = tbptt(grid);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/4 runs \(4 already finished\)/);

    const report = tbptt(['report', out]);
    expect(report.code, report.stderr).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(
      /\| method \| runs \| valid ppl at best valid \| test ppl at best valid \| K mean \[min, max\] \| final K per seed \| wall time \(s\) \| CPU time \(s\) \| tokens\/s \|/,
    );
    const rows = md.split('\n').filter((l) => /^\| (fixed|adaptive)/.test(l));
    expect(rows.map((l) => l.split('|')[1]!.trim())).toEqual(['fixed:5', 'adaptive:0.1']);
    // mean (sd) over the two seeds, from the summaries.
    const ppl = [1, 2].map((s) => summary(`fixed-5/seed-${s}`).bestValidPerplexity);
    const mean = (ppl[0] + ppl[1]) / 2;
    const sd = Math.abs(ppl[0] - ppl[1]) / Math.SQRT2;
    expect(rows[0]).toContain(`| fixed:5 | 2 | ${mean.toFixed(3)} (${sd.toFixed(3)}) |`);
    expect(rows[0]).toContain('5.0 [5, 5] | 5, 5 |');
    // The adaptive row against the best (here: only) fixed K, from the same numbers.
    const adaptive = [1, 2].map((s) => summary(`adaptive-0.1/seed-${s}`));
    const aMean = (adaptive[0].bestValidPerplexity + adaptive[1].bestValidPerplexity) / 2;
    const verdict =
      aMean <= mean
        ? 'better than fixed:5'
        : aMean <= mean + sd
          ? 'within one sd of fixed:5'
          : 'not within one sd of fixed:5';
    expect(md).toContain(
      `Best fixed K by mean validation score: **fixed:5** — valid ${mean.toFixed(3)} (${sd.toFixed(3)})`,
    );
    expect(md).toContain(`- **adaptive:0.1**: valid ${aMean.toFixed(3)}`);
    expect(md).toContain(verdict);
    expect(md).toContain(`K settled at ${adaptive[0].finalTruncation}, ${adaptive[1].finalTruncation} `);

    // Published figures beside the table, as written (a string keeps its trailing zero), and a title.
    const paper = join(out, 'paper.json');
    writeFileSync(
      paper,
      JSON.stringify({ source: 'a test table', rows: { 'fixed:5': { valid: '1.040', test: 1.5 } } }),
    );
    const compared = tbptt([
      'report',
      out,
      '--compare',
      paper,
      '--title',
      'A title',
      '--out',
      join(out, 'cmp'),
    ]);
    expect(compared.code, compared.stderr).toBe(0);
    const cmp = readFileSync(join(out, 'cmp', 'report.md'), 'utf8');
    expect(cmp.startsWith('# A title\n')).toBe(true);
    expect(cmp).toMatch(/\| test ppl at best valid \| paper valid \/ test \|/);
    expect(cmp).toMatch(/\| fixed:5 \| 2 \| [^|]+\| [^|]+\| 1\.040 \/ 1\.5 \|/);
    expect(cmp).toMatch(/\| adaptive:0\.1 \| 2 \| [^|]+\| [^|]+\| – \|/);
    expect(cmp).toContain('Regenerate: `tbptt report');
    writeFileSync(paper, JSON.stringify({ source: 'x', rows: { 'fixed:5': { valid: 'about 1' } } }));
    const bad = tbptt(['report', out, '--compare', paper, '--out', join(out, 'cmp2')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--compare .*paper\.json: rows\["fixed:5"\]\.valid is not a valid or test figure/,
    );

    const parser = new XMLParser({ ignoreAttributes: false });
    for (const file of [
      'valid-perplexity-epoch.svg',
      'valid-perplexity-time.svg',
      'truncation-updates.svg',
      'bias-updates.svg',
      'profile.svg',
      'relative-bias.svg',
    ]) {
      const svg = readFileSync(join(out, file), 'utf8');
      expect(XMLValidator.validate(svg), file).toBe(true);
      const words = texts(parser.parse(svg));
      if (file !== 'bias-updates.svg') expect(words, file).toContain('fixed:5');
      expect(words, file).toContain('adaptive:0.1');
    }
  });
});
