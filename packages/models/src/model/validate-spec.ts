import type {
  CellType,
  HeadKind,
  InitScheme,
  InputEncoderSpec,
  ModelSpec,
  ResolvedHeadSpec,
  ResolvedModelSpec,
} from '../types';

/** A spec with every default filled in. */
export type NormalizedSpec = ResolvedModelSpec;

const CELL_TYPES: readonly CellType[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];
const INPUT_KINDS: readonly ModelSpec['input'][] = ['embedding', 'dense'];
const INIT_SCHEMES: readonly InitScheme[] = ['paper', 'pytorch'];
const HEAD_KINDS: readonly HeadKind[] = ['linear', 'constant'];
const HEAD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function fail(field: string, value: unknown, expected: string): never {
  throw new Error(`createModel: spec.${field} ${expected}, got ${show(value)}`);
}

function positiveInteger(field: string, value: unknown, meaning: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail(field, value, `must be a positive integer (${meaning})`);
  }
  return value;
}

/**
 * Checks a model spec and fills in defaults: dropout 0 (no regularisation unless asked), tieWeights false,
 * init 'paper' (the reference setup), seed 0 (reproducible unless asked otherwise), embeddingSize =
 * hiddenSize for embedding input (the usual LM choice, and what tying needs).
 * Errors name the field and the value received.
 */
export function validateSpec(spec: ModelSpec): NormalizedSpec {
  if (spec === null || typeof spec !== 'object') {
    throw new Error(`createModel: spec must be an object, got ${show(spec)}`);
  }
  if (!CELL_TYPES.includes(spec.cell)) {
    fail('cell', spec.cell, `must be one of ${CELL_TYPES.map(show).join(', ')}`);
  }
  if (!INPUT_KINDS.includes(spec.input)) {
    fail('input', spec.input, `must be ${INPUT_KINDS.map(show).join(' or ')}`);
  }
  const hiddenSize = positiveInteger('hiddenSize', spec.hiddenSize, 'the width of each layer’s state');
  const numLayers = positiveInteger('numLayers', spec.numLayers, 'the number of stacked recurrent layers');
  const heads = spec.heads === undefined ? undefined : validateHeads(spec.heads);
  const outputSize = resolveOutputSize(spec.outputSize, heads);
  const size = inputWidth(spec);
  let embeddingSize = 0;
  if (spec.input === 'embedding') {
    embeddingSize =
      spec.embeddingSize === undefined
        ? hiddenSize
        : positiveInteger('embeddingSize', spec.embeddingSize, 'the embedding width');
  } else if ((spec as { embeddingSize?: unknown }).embeddingSize !== undefined) {
    fail(
      'embeddingSize',
      (spec as { embeddingSize?: unknown }).embeddingSize,
      "applies to input 'embedding' only; remove it for dense input",
    );
  }
  let inputEncoder: Readonly<InputEncoderSpec> | undefined;
  const givenEncoder = (spec as { inputEncoder?: unknown }).inputEncoder;
  if (givenEncoder !== undefined) {
    if (spec.input !== 'dense') {
      fail('inputEncoder', givenEncoder, "applies to input 'dense' only; remove it for embedding input");
    }
    inputEncoder = validateInputEncoder(givenEncoder, size);
  }
  const dropout = spec.dropout ?? 0;
  if (typeof dropout !== 'number' || !Number.isFinite(dropout) || dropout < 0 || dropout >= 1) {
    fail('dropout', dropout, 'must be a probability in [0, 1)');
  }
  const tieWeights = spec.tieWeights ?? false;
  if (typeof tieWeights !== 'boolean') fail('tieWeights', tieWeights, 'must be true or false');
  if (tieWeights) {
    if (spec.input !== 'embedding') {
      fail('tieWeights', tieWeights, "needs input 'embedding' (dense input has no encoder to share)");
    }
    if (heads !== undefined) {
      fail('tieWeights', tieWeights, 'cannot be combined with heads (there is no single decoder to tie)');
    }
    if (embeddingSize !== hiddenSize) {
      throw new Error(
        `createModel: spec.tieWeights needs embeddingSize === hiddenSize, got embeddingSize ${embeddingSize} ` +
          `and hiddenSize ${hiddenSize}; set them equal or turn tying off`,
      );
    }
    if (size !== outputSize) {
      throw new Error(
        `createModel: spec.tieWeights needs vocabSize === outputSize, got vocabSize ${size} ` +
          `and outputSize ${outputSize}; set them equal or turn tying off`,
      );
    }
  }
  const init = spec.init ?? 'paper';
  if (!INIT_SCHEMES.includes(init)) fail('init', init, `must be ${INIT_SCHEMES.map(show).join(' or ')}`);
  const seed = spec.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) fail('seed', seed, 'must be an integer');
  const layers = { hiddenSize, numLayers, outputSize, dropout };
  // Optional keys only when present, so a spec without them serialises as before (checkpoints compare specs).
  const extras = heads === undefined ? {} : { heads };
  return Object.freeze(
    spec.input === 'embedding'
      ? {
          cell: spec.cell,
          input: 'embedding' as const,
          vocabSize: size,
          embeddingSize,
          ...layers,
          tieWeights,
          init,
          seed,
          ...extras,
        }
      : {
          cell: spec.cell,
          input: 'dense' as const,
          featureSize: size,
          ...layers,
          tieWeights: false as const,
          init,
          seed,
          ...extras,
          ...(inputEncoder === undefined ? {} : { inputEncoder }),
        },
  );
}

/**
 * The input width: vocabSize for input 'embedding', featureSize for 'dense'; exactly the right one must be
 * given (the other is an error naming both), and the old `inputSize` is refused with its new names.
 */
function inputWidth(spec: ModelSpec): number {
  const given = spec as { inputSize?: unknown; vocabSize?: unknown; featureSize?: unknown };
  if (given.inputSize !== undefined) {
    throw new Error(
      `createModel: spec.inputSize was renamed, got inputSize ${show(given.inputSize)}; give spec.vocabSize ` +
        "(the vocabulary size) for input 'embedding' or spec.featureSize (the feature count F) for input 'dense'",
    );
  }
  const [field, other, meaning] =
    spec.input === 'embedding'
      ? (['vocabSize', 'featureSize', 'the vocabulary size'] as const)
      : (['featureSize', 'vocabSize', 'the feature count F of dense inputs [T, B, F]'] as const);
  if (given[other] !== undefined) {
    throw new Error(
      `createModel: spec.${other} does not apply to input '${spec.input}', got ${other} ${show(given[other])}; ` +
        `give spec.${field} (${meaning}) instead` +
        (other === 'vocabSize'
          ? ", or use input 'embedding' for token ids"
          : ", or use input 'dense' for features"),
    );
  }
  return positiveInteger(field, given[field], `${meaning}, for input '${spec.input}'`);
}

/** The heads with defaults filled in: names unique and usable as state_dict keys, sizes positive integers. */
function validateHeads(heads: unknown): readonly ResolvedHeadSpec[] {
  if (!Array.isArray(heads) || heads.length === 0) {
    fail(
      'heads',
      heads,
      'must be a non-empty list of { name, size, kind? } (leave it out for a single decoder)',
    );
  }
  const seen = new Set<string>();
  const resolved = heads.map((head: unknown, k): ResolvedHeadSpec => {
    if (head === null || typeof head !== 'object')
      fail(`heads[${k}]`, head, 'must be an object { name, size, kind? }');
    const { name, size, kind = 'linear' } = head as { name?: unknown; size?: unknown; kind?: unknown };
    if (typeof name !== 'string' || !HEAD_NAME.test(name)) {
      fail(
        `heads[${k}].name`,
        name,
        "must be letters, digits and '_', starting with a letter (it names heads.<name>.weight)",
      );
    }
    if (seen.has(name)) fail(`heads[${k}].name`, name, 'must be unique among the heads');
    seen.add(name);
    const width = positiveInteger(`heads[${k}].size`, size, 'the width of the head’s output');
    if (!HEAD_KINDS.includes(kind as HeadKind)) {
      fail(`heads[${k}].kind`, kind, `must be ${HEAD_KINDS.map(show).join(' or ')}`);
    }
    return Object.freeze({ name, size: width, kind: kind as HeadKind });
  });
  return Object.freeze(resolved);
}

/** O: the single decoder's classes, or the heads' concatenated width (which must equal the sum of their sizes). */
function resolveOutputSize(given: unknown, heads: readonly ResolvedHeadSpec[] | undefined): number {
  if (heads === undefined) return positiveInteger('outputSize', given, 'the number of output classes');
  const total = heads.reduce((sum, head) => sum + head.size, 0);
  if (given !== total) {
    throw new Error(
      `createModel: spec.outputSize must equal the sum of the heads' sizes (${heads.map((h) => h.size).join(' + ')} = ${total}) ` +
        `when heads are given, got ${show(given)}; set outputSize to ${total}`,
    );
  }
  return total;
}

/** The dense input encoder: 1 ≤ features ≤ F encoded to `size` values. */
function validateInputEncoder(encoder: unknown, featureSize: number): Readonly<InputEncoderSpec> {
  if (encoder === null || typeof encoder !== 'object') {
    fail('inputEncoder', encoder, 'must be an object { features, size }');
  }
  const { features, size } = encoder as { features?: unknown; size?: unknown };
  const encoded = positiveInteger(
    'inputEncoder.features',
    features,
    'how many leading input features are encoded',
  );
  if (encoded > featureSize) {
    throw new Error(
      `createModel: spec.inputEncoder.features must be at most featureSize (${featureSize}), got ${encoded}; ` +
        'it counts the leading input features that go through the encoder',
    );
  }
  const width = positiveInteger('inputEncoder.size', size, 'the width of the encoding');
  return Object.freeze({ features: encoded, size: width });
}
