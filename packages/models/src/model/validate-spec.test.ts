import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../types';
import { validateSpec } from './validate-spec';

const base: ModelSpec = {
  cell: 'lstm',
  input: 'embedding',
  inputSize: 10,
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
    expect(validateSpec({ ...base, input: 'dense' }).embeddingSize).toBe(0);
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
    ['vocabulary -1', { inputSize: -1 }, /spec\.inputSize .*vocabulary size.*got -1/],
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
      /spec\.tieWeights needs inputSize === outputSize, got inputSize 10 and outputSize 12/,
    ],
    [
      'tying, dense',
      { tieWeights: true, input: 'dense' },
      /spec\.tieWeights .*needs input 'embedding'.*got true/,
    ],
    [
      'embedding size on dense',
      { input: 'dense', embeddingSize: 4 },
      /spec\.embeddingSize applies to input 'embedding' only/,
    ],
  ])('refuses %s, naming the field and value', (_, change, message) => {
    expect(() => validateSpec({ ...base, ...change } as ModelSpec)).toThrow(message);
  });

  it('accepts tying with matching sizes', () => {
    expect(validateSpec({ ...base, tieWeights: true }).tieWeights).toBe(true);
  });
});
