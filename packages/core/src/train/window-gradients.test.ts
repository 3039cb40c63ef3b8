import { createModel, type RecurrentModel } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tinyRnn } from '../../test/fixtures/tiny-models';
import { meanLoss } from '../internal/loss';
import { tokenStream } from '../streams/token-stream';
import { planWindow } from '../windows/window-plan';
import { windowGradients } from './window-gradients';

const vocab = 6;
const batch = 3;
const rows = 40;
const tokens = new Int32Array(rows * batch).map((_, i) => (i * 5 + (i >> 2)) % vocab);
const stream = tokenStream({ data: tokens, steps: rows, batch });

/**
 * Independent truncated gradient: each loss position j in [position, end) gets its own graph, run from the
 * window's detached start state (the state before gradStart, taken as a constant) over [gradStart, j];
 * the gradients of the per-position mean losses are averaged.
 */
function independent(
  model: RecurrentModel,
  gradStart: number,
  position: number,
  end: number,
  start: tf.Tensor2D[],
): Float64Array[] {
  const sums = model.variables.map((v) => new Float64Array(v.size));
  for (let j = position; j < end; j++) {
    const { inputs, targets } = stream.slice(gradStart, j + 1);
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = model.forward(inputs, start.map((s) => tf.clone(s)) as tf.Tensor2D[], {
        training: true,
      });
      return meanLoss(tf.slice(logits, j - gradStart, 1), tf.slice(targets, j - gradStart, 1), 'classes');
    }, model.variables);
    model.variables.forEach((v, i) => {
      const g = grads[v.name]!.dataSync();
      for (let n = 0; n < g.length; n++) sums[i]![n]! += g[n]! / (end - position);
    });
    tf.dispose([value, inputs, targets, ...Object.values(grads)]);
  }
  return sums;
}

function expectClose(got: tf.Tensor[], want: Float64Array[]): void {
  got.forEach((g, i) => {
    const a = g.dataSync();
    const b = want[i]!;
    let maxDiff = 0;
    let maxAbs = 0;
    for (let n = 0; n < a.length; n++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[n]! - b[n]!));
      maxAbs = Math.max(maxAbs, Math.abs(b[n]!));
    }
    expect(maxAbs).toBeGreaterThan(1e-4);
    expect(maxDiff / maxAbs).toBeLessThan(1e-5);
  });
}

/** The state before `position`, from a forward over the whole prefix (as carried by earlier windows). */
function stateBefore(model: RecurrentModel, position: number): tf.Tensor2D[] {
  if (position === 0) return model.initialState(batch);
  const { inputs, targets } = stream.slice(0, position);
  const state = tf.tidy(() => model.forward(inputs, model.initialState(batch)).finalState);
  tf.dispose([inputs, targets]);
  return state;
}

/** Counts the model's forward calls (a wrapper with the same contract). */
function counted(model: RecurrentModel): { model: RecurrentModel; calls: () => number } {
  let calls = 0;
  const wrapped: RecurrentModel = {
    ...model,
    forward: (...args) => {
      calls++;
      return model.forward(...args);
    },
  };
  return { model: wrapped, calls: () => calls };
}

// tinyRnn returns no `stateAt` (a custom RecurrentModel: two forward calls per window after one refused
// attempt); createModel's LSTM does (one forward call per window).
const MODELS = {
  tinyRnn: () => tinyRnn({ vocab, hidden: 5, seed: 2 }),
  lstm: () =>
    createModel({
      cell: 'lstm',
      input: 'embedding',
      vocabSize: vocab,
      embeddingSize: 4,
      hiddenSize: 5,
      numLayers: 2,
      outputSize: vocab,
      seed: 2,
    }),
};

describe('windowGradients', () => {
  for (const style of ['buffer', 'tf'] as const) {
    for (const [name, make] of Object.entries(MODELS)) {
      it(`${style}, ${name}: equals one graph per loss from the window's detached start state (issue test 2)`, () => {
        const { model, calls } = counted(make());
        const k = 4;
        // A window in the middle of the stream, the state carried to where the plan starts.
        const position = 12;
        const carriedAt = style === 'buffer' ? position - k + 1 : position;
        const plan = planWindow({ style, truncation: k, position, carriedAt, steps: stream.steps });
        const state = stateBefore(model, carriedAt);
        const before = tf.memory().numTensors;
        for (let round = 0; round < 2; round++) {
          const callsBefore = calls();
          const { loss, grads, carried } = windowGradients(model, stream, plan, state);
          expect(tf.memory().numTensors).toBe(before + 1 + grads.length + carried.length);
          // One pass unless the window carries from mid-way and the model cannot say its state there.
          const twoPasses = style === 'buffer' && name === 'tinyRnn';
          expect(calls() - callsBefore).toBe(twoPasses ? (round === 0 ? 3 : 2) : 1);
          const want = independent(model, plan.gradStart, plan.position, plan.end, state);
          expectClose(grads, want);
          // The carried state is the state before carryAt.
          const expected = stateBefore(model, plan.carryAt);
          carried.forEach((c, j) => {
            const a = c.dataSync();
            const b = expected[j]!.dataSync();
            for (let n = 0; n < a.length; n++) expect(a[n]!).toBeCloseTo(b[n]!, 5);
          });
          tf.dispose([loss, ...grads, ...carried, ...expected]);
        }
        tf.dispose(state);
        model.dispose();
      });
    }
  }

  it('detach: no gradient reaches a previous window (issue test 3)', () => {
    const model = tinyRnn({ vocab, hidden: 5, seed: 4 });
    const k = 5;
    const first = planWindow({ style: 'tf', truncation: k, position: 0, carriedAt: 0, steps: stream.steps });
    const zero = model.initialState(batch);
    const w1 = windowGradients(model, stream, first, zero);
    const second = planWindow({
      style: 'tf',
      truncation: k,
      position: first.end,
      carriedAt: first.carryAt,
      steps: stream.steps,
    });
    const w2 = windowGradients(model, stream, second, w1.carried);
    // Detached: the same as from a constant start state.
    expectClose(w2.grads, independent(model, second.gradStart, second.position, second.end, w1.carried));
    // Not detached (full BPTT through both windows) differs, so the comparison above can fail.
    const { inputs, targets } = stream.slice(0, second.end);
    const { grads: full } = tf.variableGrads(() => {
      const { logits } = model.forward(inputs, zero, { training: true });
      return meanLoss(tf.slice(logits, second.position, k), tf.slice(targets, second.position, k), 'classes');
    }, model.variables);
    const w2Values = w2.grads.map((g) => g.dataSync());
    const recurrent = model.variables.findIndex((v) => v.name.endsWith('/u1'));
    const fullU1 = full[model.variables[recurrent]!.name]!.dataSync();
    const diff = Math.max(...Array.from(fullU1).map((x, n) => Math.abs(x - w2Values[recurrent]![n]!)));
    expect(diff).toBeGreaterThan(1e-4);
    tf.dispose([
      w1.loss,
      ...w1.grads,
      ...w1.carried,
      w2.loss,
      ...w2.grads,
      ...w2.carried,
      inputs,
      targets,
      ...zero,
      ...Object.values(full),
    ]);
    model.dispose();
  });
});
