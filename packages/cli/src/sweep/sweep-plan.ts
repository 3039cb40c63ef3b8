import { readFileSync } from 'node:fs';
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
  /** Extra train flags for the fixed-K runs only (e.g. the paper's Book Order: no learning-rate scaling). */
  setFixed?: string[];
  setAdaptive?: string[];
  setVariable?: string[];
}

/** The keys of a sweep definition file (`tbptt sweep --definition`), besides a free-text `description`. */
const DEFINITION_KEYS = [
  'preset',
  'config',
  'fixed',
  'adaptive',
  'variable',
  'seeds',
  'jobs',
  'set',
  'setFixed',
  'setAdaptive',
  'setVariable',
  'out',
] as const;

/**
 * A committed sweep definition: the sweep's flags as JSON (lists as arrays, `set` as an object of train flags),
 * merged under the command line's flags. `config` and `out` are relative to the repository root — the folder
 * the command runs in — like the flags.
 */
export function readSweepDefinition(file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--definition ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new UsageError(`--definition ${file}: expected a JSON object with ${DEFINITION_KEYS.join(', ')}`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (key === 'description' || key === '$comment') continue;
    if (!(DEFINITION_KEYS as readonly string[]).includes(key))
      throw new UsageError(
        `--definition ${file}: unknown key "${key}"; the keys are description, ${DEFINITION_KEYS.join(', ')}`,
      );
    if (key.startsWith('set')) {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw new UsageError(
          `--definition ${file}: "${key}" must be an object of train flags, e.g. {"epochs": 40}`,
        );
      out[key] = Object.entries(value as Record<string, unknown>).map(([k, v]) =>
        v === true ? k : `${k}=${String(v)}`,
      );
    } else if (Array.isArray(value)) out[key] = value.join(',');
    else if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
    else throw new UsageError(`--definition ${file}: "${key}" must be a string, a number or a list`);
  }
  return out;
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
  const flags = (pairs: readonly string[] | undefined, flag: string): string[] => {
    const extra: string[] = [];
    for (const kv of pairs ?? []) {
      const eq = kv.indexOf('=');
      const key = eq < 0 ? kv : kv.slice(0, eq);
      if (!/^[a-z][a-z0-9-]*$/.test(key))
        throw new UsageError(
          `${flag} ${kv}: expected flag=value with a train flag name, e.g. ${flag} max-time=60`,
        );
      if (['truncation', 'seed', 'out', 'resume', 'preset', 'config'].includes(key)) {
        throw new UsageError(`${flag} ${key}: the sweep sets --${key} itself; use the sweep's own flags`);
      }
      extra.push(`--${key}`, ...(eq < 0 ? [] : [kv.slice(eq + 1)]));
    }
    return extra;
  };
  const base = [
    ...(o.preset === undefined ? [] : ['--preset', o.preset]),
    ...(o.config === undefined ? [] : ['--config', resolve(o.config)]),
    ...flags(o.set, '--set'),
  ];
  const byKind = {
    fixed: flags(o.setFixed, '--set-fixed'),
    adaptive: flags(o.setAdaptive, '--set-adaptive'),
    variable: flags(o.setVariable, '--set-variable'),
  };
  // Seed-major: every method of seed 1 first, so a sweep cut short still holds complete paired comparisons.
  const runs: PlannedRun[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const spec of methods) {
      const method = formatTruncation(spec);
      const name = `${method.replace(/[:,]/g, '-')}/seed-${seed}`;
      const dir = resolve(o.out, name);
      runs.push({
        name,
        method,
        seed,
        dir,
        args: [
          'train',
          ...base,
          ...byKind[spec.kind],
          '--truncation',
          method,
          '--seed',
          String(seed),
          '--out',
          dir,
          '--quiet',
        ],
      });
    }
  }
  return runs;
}

/** A shell word, quoted when it needs to be. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
