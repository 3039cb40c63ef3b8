import { utf8SpaceLength } from '../internal/whitespace';

/**
 * `'word'`: tokens are whitespace-separated words plus one {@link EOS} at the end of every
 * line (the standard language-modelling setup of the PTB and WikiText benchmarks).
 * `'char'`: every Unicode code point is a token, the newline character included.
 */
export type TokenLevel = 'word' | 'char';

/** The end-of-line token appended to every line in word-level mode. */
export const EOS = '<eos>';
/** The unknown-word token. PTB and WikiText-2 already contain it; it is an ordinary token there. */
export const UNK = '<unk>';

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
// ignoreBOM: keep a U+FEFF that starts a token (a leading file BOM is dropped when the file is read).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Assigns token ids in order of first appearance. One table is shared by the splits of a
 * corpus (train, then valid, then test), which makes the vocabulary deterministic.
 *
 * It works on UTF-8 bytes: a word is looked up by its FNV-1a hash, computed during the scan,
 * in an open-addressing table that compares the bytes; only a new word is decoded to a string.
 * So tokenising allocates nothing per token and the ids go straight into an `Int32Array`.
 */
export class TokenTable {
  /** Tokens by id. */
  readonly tokens: string[] = [];
  // Byte form of every token: token id's bytes are pool[start[id], start[id] + length[id]).
  private pool = new Uint8Array(1 << 16);
  private poolUsed = 0;
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  // Open addressing, linear probing: slot holds id + 1, 0 when empty; size a power of two.
  private slots = new Int32Array(1 << 12);
  // Code point → id + 1, for character level.
  private readonly codePoints = new Map<number, number>();

  get size(): number {
    return this.tokens.length;
  }

  /** The id of `token`, adding it if new. */
  idFor(token: string): number {
    const bytes = encoder.encode(token);
    return this.lookup(bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length));
  }

  /** Token ids of `text` at `level`, adding new tokens (see {@link TokenTable.encodeBytes}). */
  encode(text: string, level: TokenLevel): Int32Array {
    return this.encodeBytes(encoder.encode(text), level);
  }

  /**
   * Token ids of UTF-8 `bytes` (valid UTF-8, no byte-order mark) at `level`.
   *
   * Word level follows Python's `for line in file: line.split() + ['<eos>']`: lines end at
   * `\n`, `\r\n` or a lone `\r` (universal newlines); words are split on Python's whitespace
   * (see `isSplitWhitespace`); an empty line gives a lone `<eos>`, and a last line without a
   * final newline still gets its `<eos>`.
   *
   * Character level: one token per code point, newlines included (`\r\n` is two tokens).
   */
  encodeBytes(bytes: Uint8Array, level: TokenLevel): Int32Array {
    return level === 'word' ? this.encodeWords(bytes) : this.encodeChars(bytes);
  }

  private encodeWords(bytes: Uint8Array): Int32Array {
    const n = bytes.length;
    // ~6 bytes per token in English text; grown below if that is wrong.
    let out: Int32Array<ArrayBuffer> = new Int32Array((n >> 2) + 16);
    let used = 0;
    let eosId = -1;
    let start = -1;
    let hash = FNV_OFFSET;
    let i = 0;
    while (i < n) {
      const c = bytes[i]!;
      let space = 0; // bytes of whitespace at i (0: part of a word)
      let newline = false;
      if (c > 0x20 && c < 0x80) {
        // most bytes: printable ASCII inside a word
      } else if (c <= 0x20) {
        if (c === 0x0a || c === 0x0d) {
          newline = true;
          space = c === 0x0d && bytes[i + 1] === 0x0a ? 2 : 1;
        } else if (c === 0x20 || (c >= 0x09 && c <= 0x0c) || (c >= 0x1c && c <= 0x1f)) {
          space = 1;
        }
      } else if (c === 0xc2 || (c >= 0xe1 && c <= 0xe3)) {
        space = utf8SpaceLength(bytes, i);
      }
      if (space === 0) {
        if (start < 0) {
          start = i;
          hash = FNV_OFFSET;
        }
        hash = Math.imul(hash ^ c, FNV_PRIME);
        i++;
        continue;
      }
      if (used + 2 > out.length) out = grow(out);
      if (start >= 0) {
        out[used++] = this.lookup(bytes, start, i, hash);
        start = -1;
      }
      if (newline) {
        if (eosId < 0) eosId = this.idFor(EOS);
        out[used++] = eosId;
      }
      i += space;
    }
    if (used + 2 > out.length) out = grow(out);
    if (start >= 0) out[used++] = this.lookup(bytes, start, n, hash);
    if (n > 0 && bytes[n - 1] !== 0x0a && bytes[n - 1] !== 0x0d) out[used++] = this.idFor(EOS);
    return out.slice(0, used);
  }

  private encodeChars(bytes: Uint8Array): Int32Array {
    const n = bytes.length;
    // Every code point takes at least one byte, so n ids always suffice (exactly n for ASCII).
    const out = new Int32Array(n);
    let used = 0;
    // Code point → id + 1 for the Basic Multilingual Plane (0: not seen yet); the Map keeps
    // the rest and carries the ids over from earlier splits.
    const bmp = new Int32Array(0x10000);
    for (const [cp, idPlusOne] of this.codePoints) if (cp < 0x10000) bmp[cp] = idPlusOne;
    let i = 0;
    while (i < n) {
      const c = bytes[i]!;
      let cp: number;
      let width: number;
      if (c < 0x80) {
        cp = c;
        width = 1;
      } else if (c < 0xe0) {
        cp = ((c & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
        width = 2;
      } else if (c < 0xf0) {
        cp = ((c & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
        width = 3;
      } else {
        cp =
          ((c & 0x07) << 18) |
          ((bytes[i + 1]! & 0x3f) << 12) |
          ((bytes[i + 2]! & 0x3f) << 6) |
          (bytes[i + 3]! & 0x3f);
        width = 4;
      }
      let id = (cp < 0x10000 ? bmp[cp]! : (this.codePoints.get(cp) ?? 0)) - 1;
      if (id < 0) {
        id = this.idFor(String.fromCodePoint(cp));
        this.codePoints.set(cp, id + 1);
        if (cp < 0x10000) bmp[cp] = id + 1;
      }
      out[used++] = id;
      i += width;
    }
    return used === n ? out : out.slice(0, used);
  }

  /** The id of the token bytes[start, end) with FNV-1a hash `hash`, adding it if new. */
  private lookup(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const length = end - start;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const id = this.slots[slot]! - 1;
      if (id < 0) break;
      if (this.hashes[id] === hash && this.lengths[id] === length) {
        const at = this.starts[id]!;
        let k = 0;
        while (k < length && this.pool[at + k] === bytes[start + k]) k++;
        if (k === length) return id;
      }
      slot = (slot + 1) & mask;
    }
    // New token: store its bytes, hash and string; keep the table at most half full.
    const id = this.tokens.length;
    if (id === this.starts.length) {
      this.starts = growTo(this.starts, id * 2);
      this.lengths = growTo(this.lengths, id * 2);
      this.hashes = growTo(this.hashes, id * 2);
    }
    if (this.poolUsed + length > this.pool.length) {
      const pool = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + length));
      pool.set(this.pool);
      this.pool = pool;
    }
    this.pool.set(bytes.subarray(start, end), this.poolUsed);
    this.starts[id] = this.poolUsed;
    this.lengths[id] = length;
    this.hashes[id] = hash;
    this.poolUsed += length;
    this.tokens.push(utf8.decode(bytes.subarray(start, end)));
    this.slots[slot] = id + 1;
    if (2 * (id + 1) > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.tokens.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME);
  return hash;
}

function grow(array: Int32Array): Int32Array<ArrayBuffer> {
  return growTo(array, Math.ceil(array.length * 1.5) + 16);
}

function growTo(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(length);
  grown.set(array);
  return grown;
}

/**
 * The tokens of `text` at `level`, as strings (for small texts and tests; corpora go through
 * the id-producing path of `buildCorpus` / `loadTextFolder`).
 *
 * @example tokenize(' the cat \n sat\n', 'word') // ['the', 'cat', '<eos>', 'sat', '<eos>']
 */
export function tokenize(text: string, level: TokenLevel = 'word'): string[] {
  const table = new TokenTable();
  const ids = table.encode(text, level);
  return Array.from(ids, (id) => table.tokens[id]!);
}
