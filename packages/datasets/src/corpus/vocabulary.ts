import { EOS, type TokenLevel, TokenTable, UNK } from './tokenize';

/** A vocabulary as plain data, for checkpoints and JSON files. */
export interface VocabularyJson {
  level: TokenLevel;
  tokens: string[];
}

/**
 * A bijection between tokens and the ids 0..size−1.
 *
 * Corpora build it in order of first appearance over train, then valid, then test, so the
 * same files always give the same ids. `encode` maps a token that is not in the vocabulary
 * to `<unk>` when the vocabulary has one, and throws otherwise.
 */
export class Vocabulary {
  /** Tokens by id. */
  readonly tokens: readonly string[];
  /** How text is cut into tokens (`encodeText`) and joined back (`decodeText`). */
  readonly level: TokenLevel;
  private readonly index: Map<string, number>;

  constructor(tokens: readonly string[], level: TokenLevel = 'word') {
    if (level !== 'word' && level !== 'char') {
      throw new Error(`Vocabulary: level must be 'word' or 'char', got ${JSON.stringify(level)}`);
    }
    const index = new Map<string, number>();
    tokens.forEach((token, id) => {
      if (typeof token !== 'string') {
        throw new Error(`Vocabulary: token ${id} must be a string, got ${typeof token}`);
      }
      if (index.has(token)) {
        throw new Error(
          `Vocabulary: token ${JSON.stringify(token)} appears twice (ids ${index.get(token)} and ${id}); ` +
            'each token must be unique',
        );
      }
      index.set(token, id);
    });
    this.tokens = Object.freeze(tokens.slice());
    this.level = level;
    this.index = index;
  }

  /** Rebuilds a vocabulary saved with `toJSON`. */
  static fromJSON(json: VocabularyJson): Vocabulary {
    if (json === null || typeof json !== 'object' || !Array.isArray(json.tokens)) {
      throw new Error(
        `Vocabulary.fromJSON: expected { level, tokens: string[] }, got ${JSON.stringify(json)}`,
      );
    }
    return new Vocabulary(json.tokens, json.level);
  }

  /** Number of tokens. */
  get size(): number {
    return this.tokens.length;
  }

  /** Id of `<unk>`, or undefined when the vocabulary has none. */
  get unkId(): number | undefined {
    return this.index.get(UNK);
  }

  /** Id of `<eos>`, or undefined when the vocabulary has none (character level). */
  get eosId(): number | undefined {
    return this.index.get(EOS);
  }

  has(token: string): boolean {
    return this.index.has(token);
  }

  /** The id of `token`, or undefined. */
  idOf(token: string): number | undefined {
    return this.index.get(token);
  }

  /** The token of `id`; throws for an id outside [0, size). */
  tokenOf(id: number): string {
    const token = this.tokens[id];
    if (token === undefined || !Number.isInteger(id)) {
      throw new Error(`Vocabulary.tokenOf: id must be an integer in [0, ${this.size}), got ${id}`);
    }
    return token;
  }

  /** Ids of `tokens`; unknown tokens become `<unk>` if the vocabulary has it, else an error. */
  encode(tokens: Iterable<string>): Int32Array {
    const list = Array.isArray(tokens) ? (tokens as readonly string[]) : Array.from(tokens);
    const ids = new Int32Array(list.length);
    const unk = this.unkId;
    for (let i = 0; i < list.length; i++) {
      const token = list[i]!;
      const id = this.index.get(token) ?? unk;
      if (id === undefined) {
        throw new Error(
          `Vocabulary.encode: token ${JSON.stringify(token)} (position ${i}) is not in the vocabulary of ` +
            `${this.size} tokens and there is no "${UNK}" to map it to; build the vocabulary over this text too`,
        );
      }
      ids[i] = id;
    }
    return ids;
  }

  /** Tokens of `ids`; throws for an id outside [0, size). */
  decode(ids: ArrayLike<number>): string[] {
    const out = new Array<string>(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = this.tokenOf(ids[i]!);
    return out;
  }

  /** Tokenises `text` at this vocabulary's level and encodes it (see `tokenize`). */
  encodeText(text: string): Int32Array {
    const table = new TokenTable();
    const local = table.encode(text, this.level);
    return this.encode(Array.from(local, (id) => table.tokens[id]!));
  }

  /**
   * Joins decoded tokens back into text: characters are concatenated; words are joined by
   * single spaces with each `<eos>` turned into a newline.
   */
  decodeText(ids: ArrayLike<number>): string {
    const tokens = this.decode(ids);
    if (this.level === 'char') return tokens.join('');
    let text = '';
    let lineStart = true;
    for (const token of tokens) {
      if (token === EOS) {
        text += '\n';
        lineStart = true;
      } else {
        text += lineStart ? token : ` ${token}`;
        lineStart = false;
      }
    }
    return text;
  }

  toJSON(): VocabularyJson {
    return { level: this.level, tokens: this.tokens.slice() };
  }
}
