/**
 * Whitespace as Python's `str.split()` sees it (the tokenisation behind the standard PTB and
 * WikiText token counts: `line.split() + ['<eos>']`): ASCII \t \n \v \f \r and space, the
 * information separators U+001C..U+001F, and the Unicode spaces U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. (JavaScript's `\s` differs: it
 * adds U+FEFF and drops U+001C..U+001F and U+0085.)
 */
export function isSplitWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/**
 * The byte length of the UTF-8 encoded non-ASCII whitespace character (see
 * {@link isSplitWhitespace}) starting at `bytes[i]`, or 0 if there is none there. `bytes`
 * must be valid UTF-8 and `i` the start of a character.
 *
 *     U+0085, U+00A0   C2 85, C2 A0
 *     U+1680           E1 9A 80
 *     U+2000..U+200A   E2 80 80..8A     U+2028, U+2029, U+202F   E2 80 A8, A9, AF
 *     U+205F           E2 81 9F
 *     U+3000           E3 80 80
 */
export function utf8SpaceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i];
  const b1 = bytes[i + 1];
  if (lead === 0xc2) return b1 === 0x85 || b1 === 0xa0 ? 2 : 0;
  const b2 = bytes[i + 2] ?? 0;
  if (lead === 0xe2) {
    if (b1 === 0x80) return b2 <= 0x8a || b2 === 0xa8 || b2 === 0xa9 || b2 === 0xaf ? 3 : 0;
    return b1 === 0x81 && b2 === 0x9f ? 3 : 0;
  }
  if (lead === 0xe1) return b1 === 0x9a && b2 === 0x80 ? 3 : 0;
  if (lead === 0xe3) return b1 === 0x80 && b2 === 0x80 ? 3 : 0;
  return 0;
}
