import { describe, expect, it } from 'vitest';
import { checkTextBytes } from './read-text-file';

describe('checkTextBytes', () => {
  it('accepts UTF-8 and drops a leading byte-order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xc3, 0xa9]);
    expect(new TextDecoder().decode(checkTextBytes(bytes, 'f.txt', 'test'))).toBe('aé');
  });

  it('names UTF-16 (with or without a byte-order mark) instead of calling it binary', () => {
    const le = new Uint8Array(Buffer.from('the cat sat\n', 'utf16le'));
    const be = new Uint8Array(le.length);
    for (let i = 0; i < le.length; i += 2) [be[i], be[i + 1]] = [le[i + 1]!, le[i]!];
    for (const [bytes, kind] of [
      [le, 'UTF-16LE'],
      [new Uint8Array([0xff, 0xfe, ...le]), 'UTF-16LE'],
      [be, 'UTF-16BE'],
      [new Uint8Array([0xfe, 0xff, ...be]), 'UTF-16BE'],
    ] as const) {
      expect(() => checkTextBytes(bytes, 'w.txt', 'loadTextFolder')).toThrow(
        new RegExp(
          `loadTextFolder: "w.txt" is UTF-16 \\(${kind}\\) text, not UTF-8; re-encode it .*iconv -f ${kind}`,
        ),
      );
    }
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
