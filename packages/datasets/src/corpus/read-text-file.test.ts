import { describe, expect, it } from 'vitest';
import { checkTextBytes } from './read-text-file';

describe('checkTextBytes', () => {
  it('accepts UTF-8 and drops a leading byte-order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xc3, 0xa9]);
    expect(new TextDecoder().decode(checkTextBytes(bytes, 'f.txt', 'test'))).toBe('aé');
  });

  it('refuses NUL bytes, naming the file and the offset', () => {
    expect(() => checkTextBytes(new Uint8Array([0x61, 0x00]), '/d/train.txt', 'loadTextFolder')).toThrow(
      /loadTextFolder: "\/d\/train.txt" looks like a binary file \(NUL byte at offset 1\)/,
    );
  });

  it('refuses invalid UTF-8, naming the file and the offset', () => {
    const cases: [number[], number][] = [
      [[0x61, 0xff], 1], // never valid
      [[0x61, 0x62, 0xc3], 2], // cut short
      [[0xc0, 0xaf], 0], // overlong
      [[0xed, 0xa0, 0x80], 0], // surrogate
      [[0x61, 0xe9, 0x61], 1], // Latin-1 é
    ];
    for (const [bytes, offset] of cases) {
      expect(() => checkTextBytes(new Uint8Array(bytes), 'x.txt', 'f')).toThrow(
        new RegExp(`f: "x.txt" is not valid UTF-8 text \\(the byte at offset ${offset} starts`),
      );
    }
  });
});
