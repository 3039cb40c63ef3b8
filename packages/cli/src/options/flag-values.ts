import { UsageError } from '../errors';

/**
 * Parsers for flag values. Each takes what a flag or a JSON config gave (a string from the command line,
 * a number or boolean from JSON) and the name to report (`--hidden` or `config.json: hidden`), and returns
 * the typed value or throws a one-line {@link UsageError}.
 */
export type ValueParser<T> = (value: unknown, name: string) => T;

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function toNumber(value: unknown, name: string, expected: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${name} must be ${expected}, got ${show(value)}`);
  return n;
}

export const integer =
  (min: number, hint = ''): ValueParser<number> =>
  (value, name) => {
    const n = toNumber(value, name, `an integer ≥ ${min}`);
    if (!Number.isInteger(n) || n < min) {
      throw new UsageError(`${name} must be an integer ≥ ${min}, got ${show(value)}${hint}`);
    }
    return n;
  };

/** `auto`, or an integer in [min, max]. */
export const autoOrInteger =
  (min: number, max: number): ValueParser<number | 'auto'> =>
  (value, name) => {
    if (value === 'auto') return 'auto';
    const expected = `auto or an integer from ${min} to ${max}`;
    const n = toNumber(value, name, expected);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`${name} must be ${expected}, got ${show(value)}`);
    }
    return n;
  };

export const positiveNumber: ValueParser<number> = (value, name) => {
  const n = toNumber(value, name, 'a number > 0');
  if (!(n > 0)) throw new UsageError(`${name} must be a number > 0, got ${show(value)}`);
  return n;
};

export const nonNegativeNumber: ValueParser<number> = (value, name) => {
  const n = toNumber(value, name, 'a number ≥ 0');
  if (!(n >= 0)) throw new UsageError(`${name} must be a number ≥ 0, got ${show(value)}`);
  return n;
};

/** A probability-like value in [0, 1). */
export const fraction: ValueParser<number> = (value, name) => {
  const n = toNumber(value, name, 'a number in [0, 1)');
  if (!(n >= 0 && n < 1)) throw new UsageError(`${name} must be in [0, 1), got ${show(value)}`);
  return n;
};

/** δ, the tolerated relative gradient bias: strictly inside (0, 1) (Theorem 2 needs δ < 1). */
export const delta: ValueParser<number> = (value, name) => {
  const n = toNumber(value, name, 'a number in (0, 1)');
  if (!(n > 0 && n < 1)) {
    throw new UsageError(
      `${name}: δ must be in (0, 1), got ${show(value)}; e.g. 0.1 tolerates a 10 % relative bias`,
    );
  }
  return n;
};

export const boolean: ValueParser<boolean> = (value, name) => {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`${name} must be true or false, got ${show(value)}`);
};

export const text: ValueParser<string> = (value, name) => {
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`${name} must be a non-empty string, got ${show(value)}`);
  }
  return value;
};

export const oneOf =
  <const T extends string>(choices: readonly T[]): ValueParser<T> =>
  (value, name) => {
    if (typeof value !== 'string' || !choices.includes(value as T)) {
      throw new UsageError(`${name} must be one of ${choices.join(', ')}, got ${show(value)}`);
    }
    return value as T;
  };

/** A comma-separated list (or a JSON array) of values, each parsed by `item`. */
export const listOf =
  <T>(item: ValueParser<T>): ValueParser<T[]> =>
  (value, name) => {
    const parts = Array.isArray(value)
      ? value
      : typeof value === 'string'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : typeof value === 'number'
          ? [value]
          : undefined;
    if (parts === undefined || parts.length === 0) {
      throw new UsageError(`${name} must be a comma-separated list, got ${show(value)}`);
    }
    return parts.map((part) => item(part, name));
  };
