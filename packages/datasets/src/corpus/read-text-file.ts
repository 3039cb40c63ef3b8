import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';

/**
 * Checks that `bytes` read from `file` are text, refusing a NUL byte (a binary file) or an
 * invalid UTF-8 sequence, and returns them without a leading byte-order mark. Errors start
 * with `caller` and name the file.
 */
export function checkTextBytes(bytes: Uint8Array, file: string, caller: string): Uint8Array {
  const utf16 = utf16Kind(bytes);
  if (utf16 !== undefined) {
    throw new Error(
      `${caller}: "${file}" is UTF-16 (${utf16}) text, not UTF-8; re-encode it as UTF-8 ` +
        `(e.g. iconv -f ${utf16} -t UTF-8 "${file}" > out.txt)`,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new Error(
      `${caller}: "${file}" looks like a binary file (NUL byte at offset ${nul}); expected UTF-8 text ` +
        'with tokens separated by spaces and one sentence per line',
    );
  }
  if (!isUtf8(bytes)) {
    throw new Error(
      `${caller}: "${file}" is not valid UTF-8 text (the byte at offset ${firstInvalidUtf8(bytes)} starts an ` +
        'invalid sequence); re-encode it as UTF-8 (e.g. iconv -t UTF-8)',
    );
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bom ? bytes.subarray(3) : bytes;
}

/**
 * 'UTF-16LE' / 'UTF-16BE' when the bytes start with that byte-order mark, or (without one) when NUL bytes
 * fill every other position of the first bytes as they do for ASCII-range text in UTF-16.
 */
function utf16Kind(bytes: Uint8Array): 'UTF-16LE' | 'UTF-16BE' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16BE';
  const n = Math.min(bytes.length - (bytes.length % 2), 64);
  if (n < 4) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const half = n / 2;
  if (oddZero === half && evenZero === 0) return 'UTF-16LE';
  if (evenZero === half && oddZero === 0) return 'UTF-16BE';
  return undefined;
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (for the error message). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
    }
    // Overlong 3/4-byte forms, surrogates and code points above U+10FFFF.
    const b1 = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 > 0x9f)) return i;
    if ((b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 > 0x8f)) return i;
    i += need + 1;
  }
  return i;
}

/**
 * Reads `file` as UTF-8 text bytes (see `checkTextBytes`), with errors that start with
 * `caller`, name the file and say what to do.
 */
export async function readTextFile(file: string, caller: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new Error(`${caller}: cannot read "${file}": ${describeFsError(error)}`, { cause: error });
  }
  return checkTextBytes(bytes, file, caller);
}

/** A short human description of a file-system error. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; check the file permissions';
    case 'EISDIR':
      return 'it is a directory, expected a file';
    case 'ENOTDIR':
      return 'a parent of this path is not a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
