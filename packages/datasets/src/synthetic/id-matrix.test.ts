import { describe, expect, it } from 'vitest';
import { parseIdMatrix } from './id-matrix';

describe('parseIdMatrix', () => {
  it('reads [T, B] row-major, with or without a final newline, CRLF and tabs alike', () => {
    const expected = { ids: new Int32Array([0, 1, 2, 3, 4, 5]), steps: 2, batch: 3 };
    expect(parseIdMatrix('0 1 2\n3 4 5\n')).toEqual(expected);
    expect(parseIdMatrix('0 1 2\n3 4 5')).toEqual(expected);
    expect(parseIdMatrix('0 1 2\r\n3\t4 5\r\n')).toEqual(expected);
  });

  it('B = 1 and T = 1', () => {
    expect(parseIdMatrix('7\n8\n9\n')).toEqual({ ids: new Int32Array([7, 8, 9]), steps: 3, batch: 1 });
    expect(parseIdMatrix('7 8 9\n')).toEqual({ ids: new Int32Array([7, 8, 9]), steps: 1, batch: 3 });
  });

  it('names the line of a ragged (truncated) row, a non-integer and an id out of range', () => {
    expect(() => parseIdMatrix('0 1 2\n3 4\n', { source: 'x.txt' })).toThrow(
      /"x\.txt" line 2 has 2 ids, line 1 has 3; .*truncated or corrupt/,
    );
    expect(() => parseIdMatrix('0 1 2\n3 -4 5\n')).toThrow(
      /line 2, column 2: "-4" is not a non-negative integer/,
    );
    expect(() => parseIdMatrix('0 1.5\n')).toThrow(/line 1, column 2: "1\.5"/);
    expect(() => parseIdMatrix('0 1 6\n', { limit: 6 })).toThrow(
      /line 1, column 3: id 6 is out of range; ids must be below 6/,
    );
    expect(() => parseIdMatrix('')).toThrow(/is empty/);
    expect(() => parseIdMatrix('0 1\n\n2 3\n')).toThrow(/line 2 has 0 ids/);
  });
});
