import { resolve } from 'node:path';
import { UsageError } from '../errors';
import { delta, integer, listOf, nonNegativeNumber } from '../options/flag-values';
import { formatTruncation, type TruncationSpec } from '../options/truncation-spec';

/** One run of a sweep: its folder name, the truncation, the seed and the `tbptt train` arguments. */
export interface PlannedRun {
  name: string;
  method: string;
  seed: number;
  dir: string;
  args: string[];
}

export interface SweepOptions {
  preset?: string;
  config?: string;
  fixed?: string;
  adaptive?: string;
  variable?: string;
  seeds: string;
  out: string;
  set?: string[];
}

/** The grid: every method × seeds 1..n, each with the same preset / config / extra flags (paired by seed). */
export function planSweep(o: SweepOptions): PlannedRun[] {
  const methods: TruncationSpec[] = [
    ...(o.fixed === undefined
      ? []
      : listOf(integer(1))(o.fixed, '--fixed').map((k) => ({ kind: 'fixed' as const, k }))),
    ...(o.variable === undefined
      ? []
      : String(o.variable)
          .split(',')
          .map((part) => {
            const [mean, sd] = part.split(':');
            return {
              kind: 'variable' as const,
              mean: integer(1)(mean, '--variable MEAN'),
              sd: sd === undefined ? 5 : nonNegativeNumber(sd, '--variable MEAN:SD'),
            };
          })),
    ...(o.adaptive === undefined
      ? []
      : listOf(delta)(o.adaptive, '--adaptive').map((d) => ({ kind: 'adaptive' as const, delta: d }))),
  ];
  if (methods.length === 0)
    throw new UsageError(
      'sweep: give at least one of --fixed, --adaptive, --variable (e.g. --fixed 5,10 --adaptive 0.1)',
    );
  const seeds = integer(1)(o.seeds, '--seeds');
  const extra: string[] = [];
  for (const kv of o.set ?? []) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (!/^[a-z][a-z0-9-]*$/.test(key))
      throw new UsageError(`--set ${kv}: expected flag=value with a train flag name, e.g. --set max-time=60`);
    if (['truncation', 'seed', 'out', 'resume', 'preset', 'config'].includes(key)) {
      throw new UsageError(`--set ${key}: the sweep sets --${key} itself; use the sweep's own flags`);
    }
    extra.push(`--${key}`, ...(eq < 0 ? [] : [kv.slice(eq + 1)]));
  }
  const base = [
    ...(o.preset === undefined ? [] : ['--preset', o.preset]),
    ...(o.config === undefined ? [] : ['--config', resolve(o.config)]),
    ...extra,
  ];
  const runs: PlannedRun[] = [];
  for (const spec of methods) {
    const method = formatTruncation(spec);
    for (let seed = 1; seed <= seeds; seed++) {
      const name = `${method.replace(/[:,]/g, '-')}/seed-${seed}`;
      const dir = resolve(o.out, name);
      runs.push({
        name,
        method,
        seed,
        dir,
        args: ['train', ...base, '--truncation', method, '--seed', String(seed), '--out', dir, '--quiet'],
      });
    }
  }
  return runs;
}

/** A shell word, quoted when it needs to be. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
