import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_COPY, tbptt, tempDir } from './helpers';

/** Every bad input: one line on stderr naming the flag or file, the exit code, and no run directory left behind. */
describe('bad input', () => {
  const root = tempDir('bad');
  const out = join(root, 'never');
  const expectRefused = (args: string[], code: number, message: RegExp) => {
    const r = tbptt(args);
    expect(r.code, r.stderr).toBe(code);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  };

  it('an unknown flag: exit 2', () =>
    expectRefused(['train', '--hiddne', '4', '--out', out], 2, /unknown option '--hiddne'.*--hidden/));
  it('δ outside (0, 1): exit 2', () =>
    expectRefused(
      ['train', '--truncation', 'adaptive:1.5', '--out', out],
      2,
      /--truncation adaptive:δ: δ must be in \(0, 1\), got 1\.5/,
    ));
  it('δ = 0 in a sweep: exit 2', () =>
    expectRefused(
      ['sweep', '--adaptive', '0,0.1', '--out', out],
      2,
      /--adaptive: δ must be in \(0, 1\), got 0/,
    ));
  it('K ≤ 0: exit 2', () =>
    expectRefused(
      ['train', '--truncation', 'fixed:0', '--out', out],
      2,
      /--truncation fixed:K must be an integer ≥ 1, got 0/,
    ));
  it('kmin > kmax: exit 2', () =>
    expectRefused(
      ['train', '--kmin', '50', '--kmax', '10', '--out', out],
      2,
      /--kmin \(50\) must not exceed --kmax \(10\)/,
    ));
  it('kmin > kmax in estimate: exit 2', () =>
    expectRefused(
      ['estimate', '--profile', 'x.json', '--kmin', '9', '--kmax', '3'],
      2,
      /--kmin \(9\) must not exceed --kmax \(3\)/,
    ));
  it('a missing data directory: exit 2', () =>
    expectRefused(
      ['train', '--task', 'ptb', '--data-dir', join(root, 'no-data'), '--out', out],
      2,
      /--data-dir .*no-data: no such folder/,
    ));
  it('a data directory without the corpus: exit 2', () => {
    mkdirSync(join(root, 'empty-data'), { recursive: true });
    expectRefused(
      ['train', '--task', 'ptb', '--data-dir', join(root, 'empty-data'), '--out', out],
      2,
      /--data-dir: loadCorpus: the folder .*empty-data.* has no train split/,
    );
  });
  it('a malformed config: exit 2', () => {
    writeFileSync(join(root, 'broken.json'), '{ "hidden": 16, ');
    expectRefused(
      ['train', '--config', join(root, 'broken.json'), '--out', out],
      2,
      /--config .*broken\.json: not valid JSON/,
    );
  });
  it('a config with an unknown key: exit 2', () => {
    writeFileSync(join(root, 'unknown.json'), '{ "hiden": 16 }');
    expectRefused(
      ['train', '--config', join(root, 'unknown.json'), '--out', out],
      2,
      /unknown\.json: unknown key "hiden"/,
    );
  });
  it('a config with a bad value: exit 2', () => {
    writeFileSync(join(root, 'value.json'), '{ "dropout": 1.5 }');
    expectRefused(
      ['train', '--config', join(root, 'value.json'), '--out', out],
      2,
      /value\.json: dropout must be in \[0, 1\), got 1\.5/,
    );
  });
  it('an unknown preset: exit 2', () =>
    expectRefused(
      ['train', '--preset', 'nope', '--out', out],
      2,
      /--preset must be one of .*copy-variable.*got nope/,
    ));
  it('a malformed profile (not JSON): exit 2', () => {
    writeFileSync(join(root, 'p.json'), '[1, 0.5,');
    expectRefused(['estimate', '--profile', join(root, 'p.json')], 2, /--profile .*p\.json: not valid JSON/);
  });
  it('a malformed profile (a negative norm): exit 2', () => {
    writeFileSync(join(root, 'neg.json'), '[1, 0.5, -0.25, 0.1]');
    expectRefused(
      ['estimate', '--profile', join(root, 'neg.json')],
      2,
      /neg\.json: .*phi\[2\] must be a finite number ≥ 0, got -0\.25/,
    );
  });
  it('a missing profile: exit 2', () =>
    expectRefused(
      ['estimate', '--profile', join(root, 'none.json')],
      2,
      /--profile .*none\.json: no such file/,
    ));
  it('an unwritable --out: exit 2', () => {
    writeFileSync(join(root, 'a-file'), 'x');
    const r = tbptt(['train', '--out', join(root, 'a-file', 'run')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /--out .*a-file\/run: cannot create the run directory \(.*a-file is a file\); choose a writable folder/,
    );
  });

  describe('with a finished run', () => {
    const run = join(root, 'run');
    beforeAll(() => {
      const r = tbptt([
        'train',
        ...TINY_COPY,
        '--truncation',
        'fixed:5',
        '--updates',
        '8',
        '--quiet',
        '--out',
        run,
      ]);
      expect(r.code, r.stderr).toBe(0);
    });
    it('--out of an existing run: exit 2', () => {
      const r = tbptt(['train', ...TINY_COPY, '--out', run]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/--out .*run already holds a run; continue it with --resume/);
    });
    it('--resume with a different model: exit 2', () => {
      const r = tbptt(['train', '--resume', run, '--hidden', '32']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(
        /--resume .*run: the run was trained with --hidden 16, got 32; drop the flag/,
      );
    });
    it('--resume with a different truncation: exit 2', () => {
      const r = tbptt(['train', '--resume', run, '--truncation', 'fixed:6']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/--truncation "fixed:5", got "fixed:6"/);
    });
    it('--resume of a damaged checkpoint: exit 1, naming the file', () => {
      const damaged = join(root, 'damaged');
      cpSync(run, damaged, { recursive: true });
      const ckRoot = join(damaged, 'checkpoint');
      const ck = readdirSync(ckRoot).find((e) => e.startsWith('update-'))!;
      writeFileSync(join(ckRoot, ck, 'weights.safetensors'), 'garbage');
      const r = tbptt(['train', '--resume', damaged, '--updates', '12', '--quiet']);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/weights\.safetensors/);
    });
    it('--resume of a directory that is not a run: exit 2', () => {
      const r = tbptt(['train', '--resume', root]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/--resume .*: no config\.json there/);
    });
  });
});
