import { UsageError } from '../errors';
import { delta, integer, nonNegativeNumber } from './flag-values';

/** What `--truncation` asks for: fixed K, adaptive δ, or a random length around a mean (AWD-LSTM). */
export type TruncationSpec =
  | { kind: 'fixed'; k: number }
  | { kind: 'adaptive'; delta: number }
  | { kind: 'variable'; mean: number; sd: number };

const FORMS = 'fixed:K, adaptive:δ or variable:MEAN[,SD] (e.g. fixed:35, adaptive:0.1, variable:70,5)';

/** Parses `fixed:35`, `adaptive:0.1`, `variable:70,5` (sd defaults to 5, AWD-LSTM's). */
export function parseTruncation(value: unknown, name = '--truncation'): TruncationSpec {
  if (typeof value !== 'string')
    throw new UsageError(`${name} must be ${FORMS}, got ${JSON.stringify(value)}`);
  const colon = value.indexOf(':');
  const kind = colon < 0 ? value : value.slice(0, colon);
  const arg = colon < 0 ? '' : value.slice(colon + 1);
  switch (kind) {
    case 'fixed':
      return { kind, k: integer(1, '; K is the truncation length, e.g. fixed:35')(arg, `${name} fixed:K`) };
    case 'adaptive':
      return { kind, delta: delta(arg, `${name} adaptive:δ`) };
    case 'variable': {
      const [mean, sd, ...rest] = arg.split(',');
      if (rest.length > 0) throw new UsageError(`${name} must be variable:MEAN[,SD], got ${value}`);
      return {
        kind,
        mean: integer(1, '; the mean window length, e.g. variable:70,5')(mean, `${name} variable:MEAN`),
        sd: sd === undefined ? 5 : nonNegativeNumber(sd, `${name} variable:MEAN,SD`),
      };
    }
    default:
      throw new UsageError(`${name} must be ${FORMS}, got ${value}`);
  }
}

/** The canonical text of a truncation spec (the inverse of {@link parseTruncation}); also a method's label. */
export function formatTruncation(spec: TruncationSpec): string {
  switch (spec.kind) {
    case 'fixed':
      return `fixed:${spec.k}`;
    case 'adaptive':
      return `adaptive:${spec.delta}`;
    case 'variable':
      return `variable:${spec.mean},${spec.sd}`;
  }
}
