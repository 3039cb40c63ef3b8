import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { node } from '../lib/run';

const consumer = inject('consumer');
const kmin = 2;
const kmax = 16;

describe('a user’s flow across the packages, from the tarballs', () => {
  it('copy task → LSTM → adaptive TBPTT for 300 updates → saved profile → estimators; text folder → GRU LM', () => {
    copyFileSync(path.join(import.meta.dirname, '../fixtures/flow.mjs'), path.join(consumer, 'flow.mjs'));
    const out = node(consumer, ['flow.mjs']).trim().split('\n').at(-1)!;
    const facts = JSON.parse(out);
    console.log('flow:', out);
    expect(facts.backend).toBe('wasm');
    expect(facts.updates).toBe(300);
    // The copy task is learnable: the loss fell well below its start (ln 6 ≈ 1.8 for a uniform guess).
    expect(facts.lastLoss).toBeLessThan(0.8 * facts.firstLoss);
    // Adaptive truncation ran its estimates, and K stayed inside the bounds it was given.
    expect(facts.estimates).toBeGreaterThanOrEqual(4);
    expect(facts.kRange[0]).toBeGreaterThanOrEqual(kmin);
    expect(facts.kRange[1]).toBeLessThanOrEqual(kmax);
    for (const { K } of facts.truncationHistory) {
      expect(K).toBeGreaterThanOrEqual(kmin);
      expect(K).toBeLessThanOrEqual(kmax);
    }
    expect(facts.checkpoint).toMatch(/flow-checkpoints\/update-000000300$/);
    expect(existsSync(path.resolve(consumer, facts.checkpoint, 'manifest.json'))).toBe(true);
    // The estimators read the saved profile: a decay rate and a κ̂ inside the bounds.
    expect(facts.beta).toBeGreaterThan(0);
    expect(facts.kappa).toBeGreaterThanOrEqual(kmin);
    expect(facts.kappa).toBeLessThanOrEqual(kmax);
    // The text folder: 8 distinct words (the cat sat on mat and dog log) plus <eos>; the LM's loss fell.
    expect(facts.vocab).toBe(9);
    expect(facts.lmLast).toBeLessThan(facts.lmFirst);
    expect(facts.lmValid).not.toBeNull();
  });
});
