import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fixedTruncation, type TrainConfig, tokenStream, train } from '../src/index';
import { tinyRnn } from './fixtures/tiny-models';

const vocab = 5;
const batch = 4;
/** 50 rows of a [T, B] layout: 49 training positions per column (the last row is only a target). */
const tokens = new Int32Array(50 * batch).map((_, i) => (i * 3 + (i >> 2)) % vocab);
const positions = 49;
const lm = (data: Int32Array) => ({ data, steps: data.length / batch, batch });

/**
 * The training tokens after each update, worked out from the stream alone: every update takes the next
 * min(K, T − p) loss positions of each of the B columns (in both windowing styles the loss positions are
 * [p, min(p + K, T))), and the stream starts again at the end. `cumulative[u − 1]` is the count after update u.
 */
function tokensAfterEachUpdate(k: number, updates: number): number[] {
  const cumulative: number[] = [];
  let position = 0;
  let total = 0;
  for (let u = 1; u <= updates; u++) {
    const lossPositions = Math.min(k, positions - position);
    total += lossPositions * batch;
    cumulative.push(total);
    position += lossPositions;
    if (position === positions) position = 0;
  }
  return cumulative;
}

/** The first update (1-based) whose token count reaches `budget`. */
function firstUpdateReaching(cumulative: readonly number[], budget: number): number {
  const i = cumulative.findIndex((t) => t >= budget);
  if (i < 0) throw new Error(`the simulated run never reaches ${budget} tokens`);
  return i + 1;
}

/**
 * Brute force: for every multiple m = n, 2n, … up to the last count, the first update at which the count
 * reaches m; the set of those updates, in order. (An update that passes several multiples appears once.)
 */
function updatesCrossingMultiples(cumulative: readonly number[], n: number): number[] {
  const at = new Set<number>();
  for (let m = n; m <= cumulative.at(-1)!; m += n) at.add(firstUpdateReaching(cumulative, m));
  return [...at].sort((a, b) => a - b);
}

async function run(overrides: Partial<TrainConfig> & Pick<TrainConfig, 'stop' | 'truncation'>) {
  const model = tinyRnn({ vocab, hidden: 4 });
  const steps: number[] = [];
  const evaluations: number[] = [];
  const before = tf.memory().numTensors;
  const result = await train({
    model,
    train: tokenStream(lm(tokens)),
    valid: tokenStream(lm(tokens.slice(0, 20 * batch))),
    optimizer: { name: 'sgd', learningRate: 0.1 },
    onEvent: (e) => {
      if (e.type === 'step') steps.push(e.tokens);
      if (e.type === 'evaluate' && e.split === 'valid') evaluations.push(e.update);
    },
    ...overrides,
  });
  const leaked = tf.memory().numTensors - before;
  model.dispose();
  return { result, steps, evaluations, leaked };
}

describe('train, budgets in training tokens', () => {
  for (const [k, windowing, budget] of [
    [10, 'tf', 250],
    [3, 'buffer', 250],
    [7, 'tf', 28 * 9], // exactly reached: 28 tokens an update, the budget is met at update 9 and not passed
  ] as const) {
    it(`stop.tokens stops at the first update whose token count reaches the budget (K ${k}, ${windowing}, ${budget} tokens)`, async () => {
      const expectedTokens = tokensAfterEachUpdate(k, 200);
      const expectedUpdate = firstUpdateReaching(expectedTokens, budget);
      const { result, steps, leaked } = await run({
        truncation: fixedTruncation(k),
        windowing,
        stop: { tokens: budget, updates: 10_000 },
      });
      expect(result.stoppedBy).toBe('tokens');
      expect(result.updates).toBe(expectedUpdate);
      expect(steps).toEqual(expectedTokens.slice(0, expectedUpdate));
      expect(result.tokens).toBe(expectedTokens[expectedUpdate - 1]);
      expect(result.tokens).toBeGreaterThanOrEqual(budget);
      expect(steps.at(-2)!).toBeLessThan(budget);
      expect(leaked).toBe(0);
    });
  }

  it('the budget reached first wins: an update budget before the token budget stops by updates', async () => {
    const { result } = await run({ truncation: fixedTruncation(5), stop: { tokens: 10_000, updates: 6 } });
    expect(result.stoppedBy).toBe('updates');
    expect(result.updates).toBe(6);
  });

  it('evaluation.everyTokens validates exactly where the count crosses a multiple, for two K, and at no epoch end', async () => {
    const every = 200;
    const budget = 1000;
    const evaluatedAt: number[][] = [];
    for (const k of [3, 20]) {
      const expectedTokens = tokensAfterEachUpdate(k, 1000);
      const last = firstUpdateReaching(expectedTokens, budget);
      // The crossings up to the stopping update; budget is a multiple of every, so the final validation
      // (always run at the end) falls on the last crossing and adds nothing.
      const expected = updatesCrossingMultiples(expectedTokens.slice(0, last), every);
      expect(expected.at(-1)).toBe(last);
      const { result, steps, evaluations, leaked } = await run({
        truncation: fixedTruncation(k),
        windowing: 'tf',
        stop: { tokens: budget },
        evaluation: { everyTokens: every },
      });
      expect(steps).toEqual(expectedTokens.slice(0, last));
      expect(result.updates).toBe(last);
      // Several epochs pass (49 positions each): none of their ends is an evaluation unless it crosses.
      expect(result.epochs).toBeGreaterThanOrEqual(1);
      expect(evaluations).toEqual(expected);
      expect(leaked).toBe(0);
      evaluatedAt.push(evaluations);
    }
    // At K = 3 an update covers 12 tokens, at K = 20 up to 80: 5 evaluations each, at very different updates.
    expect(evaluatedAt.map((e) => e.length)).toEqual([5, 5]);
    expect(evaluatedAt[0]).not.toEqual(evaluatedAt[1]);
  });

  it('an update that crosses several multiples validates once, and a run that stops off a multiple validates at the end', async () => {
    // K 20: windows of 20, 20, 9 positions (80, 80, 36 tokens): every update passes at least one multiple of 30.
    const expectedTokens = tokensAfterEachUpdate(20, 7);
    const expected = updatesCrossingMultiples(expectedTokens, 30);
    expect(expected).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const dense = await run({
      truncation: fixedTruncation(20),
      windowing: 'tf',
      stop: { updates: 7 },
      evaluation: { everyTokens: 30 },
    });
    expect(dense.evaluations).toEqual(expected);
    // every 1000: no multiple is reached in 7 updates (≤ 7 × 80 tokens); only the final validation runs.
    const sparse = await run({
      truncation: fixedTruncation(20),
      windowing: 'tf',
      stop: { updates: 7 },
      evaluation: { everyTokens: 1000 },
    });
    expect(updatesCrossingMultiples(expectedTokens, 1000)).toEqual([]);
    expect(sparse.evaluations).toEqual([7]);
  });

  it('resumes: a token budget and token-cadence validations across a checkpoint match one straight run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tbptt-tokens-resume-'));
    try {
      const common = {
        truncation: fixedTruncation(6),
        windowing: 'buffer' as const,
        evaluation: { everyTokens: 120 },
      };
      const straight = await run({ ...common, stop: { tokens: 960 } });
      const first = await run({ ...common, stop: { tokens: 480 }, checkpoint: { dir } });
      const second = await run({ ...common, stop: { tokens: 960 }, resumeFrom: dir });
      const expectedTokens = tokensAfterEachUpdate(6, 400);
      expect(first.result.updates).toBe(firstUpdateReaching(expectedTokens, 480));
      expect(second.result.updates).toBe(firstUpdateReaching(expectedTokens, 960));
      expect(second.result.stoppedBy).toBe('tokens');
      expect(second.result.tokens).toBe(straight.result.tokens);
      // The resumed run continues the token count: its steps are the straight run's after the checkpoint.
      expect(second.steps).toEqual(straight.steps.slice(first.result.updates));
      // 480 is a multiple of 120, so the first run's final validation is one of the straight run's.
      expect([...first.evaluations, ...second.evaluations]).toEqual(straight.evaluations);
      expect(straight.evaluations).toEqual(
        updatesCrossingMultiples(expectedTokens.slice(0, straight.result.updates), 120),
      );
      expect(second.result.bestValid).toEqual(straight.result.bestValid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
