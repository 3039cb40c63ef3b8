/** A `[T, B]` matrix of non-negative integer ids, row-major (`ids[t * batch + b]`). */
export interface IdMatrix {
  readonly ids: Int32Array;
  /** T: rows (time steps). */
  readonly steps: number;
  /** B: columns (independent streams). */
  readonly batch: number;
}

export interface IdMatrixOptions {
  /** Named in errors (a path, or any label). */
  source?: string;
  /** Every id must be below this (e.g. the vocabulary size). */
  limit?: number;
}

/**
 * Parses a `[T, B]` id matrix written as text: one line per time step, B integer ids per line separated by
 * single spaces or tabs, every line the same width, a final newline optional. Errors name the line, the column
 * and what was expected.
 */
export function parseIdMatrix(text: string, options: IdMatrixOptions = {}): IdMatrix {
  const fn = 'parseIdMatrix';
  const where = options.source === undefined ? '' : ` "${options.source}"`;
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new Error(`${fn}:${where} is empty; expected one line of ids per time step`);
  let batch = -1;
  let out = new Int32Array(0);
  for (let t = 0; t < lines.length; t++) {
    const line = lines[t]!.endsWith('\r') ? lines[t]!.slice(0, -1) : lines[t]!;
    const fields = line.trim() === '' ? [] : line.trim().split(/[ \t]+/);
    if (batch === -1) {
      if (fields.length === 0) throw new Error(`${fn}:${where} line 1 is blank; expected B ids`);
      batch = fields.length;
      out = new Int32Array(lines.length * batch);
    }
    if (fields.length !== batch) {
      throw new Error(
        `${fn}:${where} line ${t + 1} has ${fields.length} ids, line 1 has ${batch}; every line must hold one id per column ` +
          '(the file may be truncated or corrupt)',
      );
    }
    for (let b = 0; b < batch; b++) {
      const field = fields[b]!;
      if (!/^\d+$/.test(field)) {
        throw new Error(
          `${fn}:${where} line ${t + 1}, column ${b + 1}: "${field}" is not a non-negative integer id`,
        );
      }
      const id = Number(field);
      if (options.limit !== undefined && id >= options.limit) {
        throw new Error(
          `${fn}:${where} line ${t + 1}, column ${b + 1}: id ${id} is out of range; ids must be below ${options.limit}`,
        );
      }
      out[t * batch + b] = id;
    }
  }
  return { ids: out, steps: lines.length, batch };
}
