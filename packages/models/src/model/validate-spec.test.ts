import { describe, expect, it } from 'vitest';
import type { EmbeddingModelSpec, ModelSpec } from '../types';
import { validateSpec } from './validate-spec';

const base: EmbeddingModelSpec = {
  cell: 'lstm',
  input: 'embedding',
  vocabSize: 10,
  hiddenSize: 8,
  numLayers: 2,
  outputSize: 10,
};

describe('validateSpec', () => {
  it('fills in the defaults', () => {
    expect(validateSpec(base)).toEqual({
      ...base,
      embeddingSize: 8,
      dropout: 0,
      tieWeights: false,
      init: 'paper',
      seed: 0,
    });
    const dense = { ...base, input: 'dense', vocabSize: undefined, featureSize: 3 } as ModelSpec;
    expect(validateSpec(dense)).toEqual({
      cell: 'lstm',
      input: 'dense',
      featureSize: 3,
      hiddenSize: 8,
      numLayers: 2,
      outputSize: 10,
      dropout: 0,
      tieWeights: false,
      init: 'paper',
      seed: 0,
    });
  });

  it.each<[string, Partial<ModelSpec> | Record<string, unknown>, RegExp]>([
    ['hidden 0', { hiddenSize: 0 }, /createModel: spec\.hiddenSize must be a positive integer .*got 0/],
    ['hidden 2.5', { hiddenSize: 2.5 }, /spec\.hiddenSize .*got 2\.5/],
    [
      'unknown cell',
      { cell: 'lstmm' },
      /spec\.cell must be one of "lstm", "gru", "rnn_tanh", "rnn_relu", got "lstmm"/,
    ],
    ['unknown input', { input: 'onehot' }, /spec\.input must be "embedding" or "dense", got "onehot"/],
    ['layers 0', { numLayers: 0 }, /spec\.numLayers .*got 0/],
    ['vocabulary -1', { vocabSize: -1 }, /spec\.vocabSize .*vocabulary size.*got -1/],
    [
      'no vocabulary',
      { vocabSize: undefined },
      /spec\.vocabSize must be a positive integer .*'embedding'.*got undefined/,
    ],
    [
      'the old inputSize',
      { vocabSize: undefined, inputSize: 10 },
      /spec\.inputSize was renamed, got inputSize 10; give spec\.vocabSize .* or spec\.featureSize/,
    ],
    [
      'featureSize on embedding',
      { featureSize: 10 },
      /spec\.featureSize does not apply to input 'embedding', got featureSize 10; give spec\.vocabSize/,
    ],
    [
      'vocabSize on dense',
      { input: 'dense', featureSize: 3 },
      /spec\.vocabSize does not apply to input 'dense', got vocabSize 10; give spec\.featureSize/,
    ],
    [
      'no featureSize on dense',
      { input: 'dense', vocabSize: undefined },
      /spec\.featureSize must be a positive integer \(the feature count F.*'dense'\), got undefined/,
    ],
    ['outputs NaN', { outputSize: Number.NaN }, /spec\.outputSize .*got NaN/],
    ['embedding 0', { embeddingSize: 0 }, /spec\.embeddingSize .*got 0/],
    ['dropout 1', { dropout: 1 }, /spec\.dropout must be a probability in \[0, 1\), got 1/],
    ['dropout -0.1', { dropout: -0.1 }, /spec\.dropout .*got -0\.1/],
    ['init', { init: 'xavier' }, /spec\.init must be "paper" or "pytorch", got "xavier"/],
    ['seed', { seed: 1.5 }, /spec\.seed must be an integer, got 1\.5/],
    [
      'tying, mismatched widths',
      { tieWeights: true, embeddingSize: 6 },
      /spec\.tieWeights needs embeddingSize === hiddenSize, got embeddingSize 6 and hiddenSize 8/,
    ],
    [
      'tying, mismatched vocabularies',
      { tieWeights: true, outputSize: 12 },
      /spec\.tieWeights needs vocabSize === outputSize, got vocabSize 10 and outputSize 12/,
    ],
    [
      'tying, dense',
      { tieWeights: true, input: 'dense', vocabSize: undefined, featureSize: 3 },
      /spec\.tieWeights .*needs input 'embedding'.*got true/,
    ],
    [
      'embedding size on dense',
      { input: 'dense', vocabSize: undefined, featureSize: 3, embeddingSize: 4 },
      /spec\.embeddingSize applies to input 'embedding' only/,
    ],
  ])('refuses %s, naming the field and value', (_, change, message) => {
    expect(() => validateSpec({ ...base, ...change } as ModelSpec)).toThrow(message);
  });

  it('accepts tying with matching sizes', () => {
    expect(validateSpec({ ...base, tieWeights: true }).tieWeights).toBe(true);
  });
});
