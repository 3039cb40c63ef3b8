import { type RngStreamName, resolveStream } from './streams.js';

/**
 * A seeded pseudo-random generator. Its whole state is four uint32 numbers, so it can be written to a
 * checkpoint as plain data and restored exactly.
 */
export interface Prng {
  /** Next uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Next uniform float in [0, 1): one 32-bit draw divided by 2^32. */
  nextFloat(): number;
  /** The generator state: four uint32 numbers (JSON-safe). */
  getState(): number[];
  /** Restores a state returned by {@link Prng.getState}; the generator then continues exactly from there. */
  setState(state: readonly number[]): void;
}

const STATE_LENGTH = 4;
const TWO_POW_32 = 4294967296;
/** First outputs discarded: a counting generator's first outputs are correlated with its seed words. */
const WARM_UP = 12;
/** Salt of the sub-stream hash, so that sub-stream words are not a plain stream's words. */
const SUBSTREAM_SALT = 0x5bd1e995;

/** splitmix32 step: a bijection of 32-bit words that spreads nearby inputs over unrelated outputs. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The four seed words of (seed, stream[, substream]). The seed is hashed in two 32-bit halves
 * (low = seed mod 2^32, high = ⌊seed / 2^32⌋ mod 2^32) together with the stream number:
 *
 *     x = splitmix32(low ⊕ splitmix32(high ⊕ splitmix32(stream)))
 *     word_i = splitmix32(word_{i−1} + i),  word_{−1} = x
 *
 * A sub-stream j re-hashes each word with j: word'_i = splitmix32(word_i ⊕ splitmix32(j + i·φ ⊕ salt))
 * (φ the golden-ratio constant 0x9e3779b9), so sub-streams of one stream are as unrelated as two streams.
 */
function seedWords(seed: number, stream: number, substream: number | undefined): number[] {
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  let x = splitmix32(low ^ splitmix32(high ^ splitmix32(stream)));
  const words: number[] = [];
  for (let i = 0; i < STATE_LENGTH; i++) {
    x = splitmix32(x + i);
    words.push(x);
  }
  if (substream === undefined) return words;
  const subLow = substream >>> 0;
  const subHigh = Math.floor(substream / TWO_POW_32) >>> 0;
  const key = splitmix32(subLow ^ splitmix32(subHigh ^ SUBSTREAM_SALT));
  return words.map((w, i) => splitmix32(w ^ splitmix32((key + Math.imul(i, 0x9e3779b9)) | 0)));
}

/**
 * Creates a generator for `seed` and `stream`: sfc32, Chris Doty-Humphrey's "small fast counting"
 * generator (128 bits of state, period ≥ 2^32 from any seed, passes PractRand to 2^42 bytes and more), on
 * 32-bit integer math only, so the same (seed, stream) gives the same numbers on every JavaScript engine.
 * One step, with rotl the 32-bit left rotation and every sum mod 2^32:
 *
 *     t = a + b + d;  d = d + 1;  a = b ⊕ (b >>> 9);  b = c + (c << 3);  c = rotl(c, 21) + t;  output t
 *
 * The state starts at the seed words of (seed, stream) (see the hash above) and the first 12 outputs are
 * discarded. These are exactly the numbers of the generator that `@tbptt/models` used before this package
 * existed, so existing seeds and checkpoints keep their numbers.
 *
 * @param seed any safe integer (negative seeds are hashed by their two's-complement halves).
 * @param stream a name in {@link RNG_STREAMS} ('init', 'dropout', 'data', 'profileSampler',
 *   'variableTruncation') or a stream number in [0, 2^32).
 * @param substream an optional non-negative safe integer deriving an independent sub-stream, e.g. one per
 *   batch column (`createPrng(seed, 'data', column)`), so column b's numbers do not depend on the batch size.
 *   Omitted, the generator is the stream's own; `substream` 0 is a sub-stream, not the stream itself.
 */
export function createPrng(seed: number, stream: RngStreamName | number, substream?: number): Prng {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new Error(`createPrng: seed must be a safe integer, got ${String(seed)}`);
  }
  const streamNumber = resolveStream(stream, 'createPrng');
  if (substream !== undefined && (!Number.isSafeInteger(substream) || substream < 0)) {
    throw new Error(
      `createPrng: substream must be a non-negative safe integer (e.g. a batch column), got ${String(substream)}`,
    );
  }
  let [a, b, c, d] = seedWords(seed, streamNumber, substream) as [number, number, number, number];
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < WARM_UP; i++) nextUint32();
  return {
    nextUint32,
    nextFloat: () => nextUint32() / TWO_POW_32,
    getState: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
    setState(state: readonly number[]) {
      [a, b, c, d] = validatePrngState(state, 'Prng.setState').map((w) => w | 0) as [
        number,
        number,
        number,
        number,
      ];
    },
  };
}

/**
 * Checks that `state` is a generator state as {@link Prng.getState} returns it — four integers in [0, 2^32) —
 * and returns it typed; otherwise throws an error naming `caller` (e.g. a checkpoint reader or
 * `model.setRngState`) and showing the value received.
 */
export function validatePrngState(state: unknown, caller: string): number[] {
  if (
    !Array.isArray(state) ||
    state.length !== STATE_LENGTH ||
    !state.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)
  ) {
    throw new Error(
      `${caller}: state must be ${STATE_LENGTH} integers in [0, 2^32) as returned by getState(), ` +
        `got ${JSON.stringify(state)}`,
    );
  }
  return state as number[];
}
