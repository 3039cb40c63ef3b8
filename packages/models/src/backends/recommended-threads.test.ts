import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../types';
import { recommendedWasmThreads, stepMatMulFlops } from './recommended-threads';
import { selectBackend } from './select-backend';

const copy: ModelSpec = {
  cell: 'lstm',
  input: 'dense',
  featureSize: 6,
  hiddenSize: 50,
  numLayers: 2,
  outputSize: 6,
};
const lm: ModelSpec = {
  cell: 'lstm',
  input: 'embedding',
  vocabSize: 10_000,
  embeddingSize: 200,
  hiddenSize: 200,
  numLayers: 2,
  outputSize: 10_000,
};

describe('recommendedWasmThreads', () => {
  it('counts the matrix products of a time step: 3 × (layers 2B(in+H)GH + decoder 2BHO)', () => {
    // copy: 3 · (2·64·(6+50)·200 + 2·64·(50+50)·200 + 2·64·50·6)
    expect(stepMatMulFlops(copy, 64)).toBe(3 * (2 * 64 * 56 * 200 + 2 * 64 * 100 * 200 + 2 * 64 * 50 * 6));
    // LM: 3 · (2 · 2·20·400·800 + 2·20·200·10000)
    expect(stepMatMulFlops(lm, 20)).toBe(3 * (2 * 2 * 20 * 400 * 800 + 2 * 20 * 200 * 10_000));
  });

  it('puts the copy model and the word LM on the 2 cores of an idle 2-core machine, a tiny model on 1', () => {
    expect(recommendedWasmThreads(copy, 64, 2, 0)).toBe(2);
    expect(recommendedWasmThreads(copy, 64, 64, 0)).toBe(2);
    // the copy model at batch 16: ≈ 1.5 MFLOP per step
    expect(recommendedWasmThreads(copy, 16, 2, 0)).toBe(1);
    expect(recommendedWasmThreads(lm, 20, 2, 0)).toBe(2);
    expect(recommendedWasmThreads(lm, 20, 2, 0.4)).toBe(2);
    expect(recommendedWasmThreads(lm, 20, 1, 0)).toBe(1);
    expect(recommendedWasmThreads(lm, 20, 64, 0)).toBe(6);
    expect(recommendedWasmThreads(lm, 20, 64, 60)).toBe(4);
  });

  it('stays on 1 thread when other work keeps the cores busy (a 2-job sweep on 2 cores)', () => {
    expect(recommendedWasmThreads(lm, 20, 2, 2)).toBe(1);
    expect(recommendedWasmThreads(lm, 20, 2, 1)).toBe(1);
    expect(recommendedWasmThreads(lm, 20, 2, 6.5)).toBe(1);
    expect(recommendedWasmThreads(copy, 64, 2, 1)).toBe(1);
  });

  it("selectBackend's threads 'auto' asks for the model and the batch", async () => {
    await expect(selectBackend('wasm', { threads: 'auto' })).rejects.toThrow(
      /needs options.model .* and options.batch/,
    );
  });
});
