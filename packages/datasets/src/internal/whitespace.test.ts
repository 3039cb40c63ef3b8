import { describe, expect, it } from 'vitest';
import { isSplitWhitespace, utf8SpaceLength } from './whitespace';

// Python 3: [c for c in map(chr, range(0x110000)) if c.isspace()] (the characters str.split() splits on).
const PYTHON_SPACES = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

describe('isSplitWhitespace', () => {
  it("is true exactly for Python's whitespace in the BMP", () => {
    const found: number[] = [];
    for (let c = 0; c < 0x10000; c++) if (isSplitWhitespace(c)) found.push(c);
    expect(found).toEqual(PYTHON_SPACES);
  });
});

describe('utf8SpaceLength', () => {
  it('gives the UTF-8 length of each non-ASCII space and 0 for every other BMP character', () => {
    const encoder = new TextEncoder();
    for (let c = 0x80; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const bytes = encoder.encode(`${String.fromCharCode(c)}x`);
      const expected = PYTHON_SPACES.includes(c) ? bytes.length - 1 : 0;
      if (utf8SpaceLength(bytes, 0) !== expected) {
        throw new Error(`U+${c.toString(16)}: got ${utf8SpaceLength(bytes, 0)}, expected ${expected}`);
      }
    }
  });
});
