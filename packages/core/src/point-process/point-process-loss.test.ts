import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { meanLoss } from '../internal/loss';
import { gapNegativeLogDensity } from './gap-density';
import { gapNegativeLogDensityRows, pointProcessLoss } from './point-process-loss';

/** float64 reference of the whole per-event loss: log-sum-exp cross-entropy + −log f(Δ). */
function referenceLoss(rows: number[][], targets: number[][]): number {
  let total = 0;
  rows.forEach((row, i) => {
    const marks = row.slice(0, row.length - 2);
    const top = Math.max(...marks);
    const logSum = top + Math.log(marks.reduce((s, v) => s + Math.exp(v - top), 0));
    const [mark, gap] = targets[i]!;
    total += logSum - marks[mark!]! + gapNegativeLogDensity(row[row.length - 2]!, row[row.length - 1]!, gap!);
  });
  return total / rows.length;
}

/** Regimes of x = wΔ: w → 0 (series), moderate ±, large positive and negative, Δ = 0. */
const CASES: { b: number; w: number; gap: number }[] = [
  { b: 0.3, w: 1e-7, gap: 0.8 },
  { b: -0.5, w: 0, gap: 1.3 },
  { b: 1.2, w: 0.3, gap: 0.9 }, // x = 0.27 (series)
  { b: -1, w: 0.9, gap: 0.7 }, // x = 0.63 (general)
  { b: 0.5, w: -2, gap: 1.1 }, // x = −2.2
  { b: -2, w: 3, gap: 4 }, // x = 12
  { b: 2, w: -30, gap: 2 }, // x = −60
  { b: 0.1, w: 0.5, gap: 0 }, // Δ = 0: −log f = −b
  { b: 6.7, w: 0.01, gap: 0.0012 }, // Book Order scale: λ ≈ 800, gaps ≈ 1 ms
];

describe('pointProcessLoss', () => {
  it('matches a float64 reference in every regime of wΔ', () => {
    for (const { b, w, gap } of CASES) {
      const rows = [[0.4, -0.3, b, w]];
      const targets = [[1, gap]];
      const got = tf.tidy(() => pointProcessLoss(tf.tensor2d(rows), tf.tensor2d(targets)).dataSync()[0]!);
      const want = referenceLoss(rows, targets);
      expect(Math.abs(got - want)).toBeLessThan(2e-6 * Math.max(1, Math.abs(want)));
    }
  });

  it('stays accurate where the textbook float32 form fails: w → 0 (cancellation) and e^{b+wΔ} > float32 max', () => {
    const textbook = (b: number, w: number, gap: number) =>
      tf.tidy(() => {
        const [bt, wt, dt] = [tf.scalar(b), tf.scalar(w), tf.scalar(gap)];
        const bw = tf.add(bt, tf.mul(wt, dt));
        return tf.neg(tf.add(bw, tf.div(tf.sub(tf.exp(bt), tf.exp(bw)), wt))).dataSync()[0]!;
      });
    const ours = (b: number, w: number, gap: number) =>
      tf.tidy(
        () =>
          gapNegativeLogDensityRows(tf.tensor1d([b]), tf.tensor1d([w]), tf.tensor1d([gap])).dataSync()[0]!,
      );
    // w = 1e-6: (e^b − e^{b+wΔ})/w loses every digit of the difference in float32.
    const small = gapNegativeLogDensity(3, 1e-6, 0.5);
    expect(Math.abs(ours(3, 1e-6, 0.5) - small)).toBeLessThan(1e-5 * Math.abs(small));
    expect(Math.abs(textbook(3, 1e-6, 0.5) - small)).toBeGreaterThan(1e-3 * Math.abs(small)); // the failure exists
    // b = 80, wΔ = 10: e^90 overflows float32 while the loss (≈ Λ ≈ 1.2e35) does not.
    const large = gapNegativeLogDensity(80, 1e4, 1e-3);
    expect(Number.isFinite(textbook(80, 1e4, 1e-3))).toBe(false);
    expect(Math.abs(ours(80, 1e4, 1e-3) - large)).toBeLessThan(1e-5 * large);
  });

  it('its gradient matches central differences of the float64 reference, every logit, every regime', () => {
    const rows = CASES.map(({ b, w }, i) => [0.2 * i - 0.5, 0.3 - 0.1 * i, -0.2, b, w]);
    const targets = CASES.map(({ gap }, i) => [i % 3, gap]);
    const before = tf.memory().numTensors;
    const analytic = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => pointProcessLoss(x as tf.Tensor2D, tf.tensor2d(targets)))(tf.tensor2d(rows))
        .arraySync(),
    ) as number[][];
    expect(tf.memory().numTensors).toBe(before);
    let worst = 0;
    rows.forEach((row, i) => {
      row.forEach((_, j) => {
        const step = 1e-6 * Math.max(1, Math.abs(row[j]!));
        const at = (delta: number) =>
          referenceLoss(
            rows.map((r, k) => (k === i ? r.map((v, c) => (c === j ? v + delta : v)) : r)),
            targets,
          );
        const numeric = (at(step) - at(-step)) / (2 * step);
        worst = Math.max(worst, Math.abs(analytic[i]![j]! - numeric) / Math.max(1e-3, Math.abs(numeric)));
      });
    });
    expect(worst).toBeLessThan(2e-4);
  });

  it('is what meanLoss gives for targetKind point-process on [T, B, M + 2] logits', () => {
    const logits = [
      [
        [0.1, 0.2, 0.5, 0.4],
        [1.0, -1, 0.2, 0.4],
      ],
      [
        [0.3, 0.3, -0.1, 0.4],
        [-0.5, 0.7, 1.4, 0.4],
      ],
    ];
    const targets = [
      [
        [0, 0.5],
        [1, 1.5],
      ],
      [
        [1, 0.01],
        [0, 2],
      ],
    ];
    const got = tf.tidy(
      () => meanLoss(tf.tensor3d(logits), tf.tensor3d(targets), 'point-process').dataSync()[0]!,
    );
    expect(got).toBeCloseTo(referenceLoss(logits.flat(), targets.flat()), 6);
  });

  it('refuses logits without room for log λ and w', () => {
    expect(() =>
      tf.tidy(() => pointProcessLoss(tf.zeros([3, 2]) as tf.Tensor2D, tf.zeros([3, 2]) as tf.Tensor2D)),
    ).toThrow('pointProcessLoss: logits must be [N, M + 2] (mark logits, log λ, w) with M ≥ 1');
  });
});
