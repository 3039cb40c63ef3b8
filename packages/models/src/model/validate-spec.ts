import type { CellType, InitScheme, ModelSpec, ResolvedModelSpec } from '../types';

/** A spec with every default filled in. */
export type NormalizedSpec = ResolvedModelSpec;

const CELL_TYPES: readonly CellType[] = ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'];
const INPUT_KINDS: readonly ModelSpec['input'][] = ['embedding', 'dense'];
const INIT_SCHEMES: readonly InitScheme[] = ['paper', 'pytorch'];

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
  const outputSize = positiveInteger('outputSize', spec.outputSize, 'the number of output classes');
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
        }
      : {
          cell: spec.cell,
          input: 'dense' as const,
          featureSize: size,
          ...layers,
          tieWeights: false as const,
          init,
          seed,
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
