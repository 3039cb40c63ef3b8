import { softmaxCrossEntropy } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The logits layout the point-process loss reads, [N, M + 2]: columns [0, M) the next mark's logits, column M
 * log λ (b, the log intensity right after the event), column M + 1 w (the rate of change of the log intensity).
 * A model with heads `[{ name: 'marks', size: M }, { name: 'log_intensity', size: 1 }, { name: 'w', size: 1,
 * kind: 'constant' }]` gives exactly this. Targets are [N, 2]: the next mark (a class id stored as a float) and
 * the next gap Δ ≥ 0.
 */
export const POINT_PROCESS_EXTRA_COLUMNS = 2;

/** Below |wΔ| = 0.5 the series of h(x) = log((e^x − 1)/x) is used (error < 2·10⁻⁹ at the edge, x⁸ term). */
const SERIES_LIMIT = 0.5;

/**
 * h(x) = log((e^x − 1)/x) and h'(x) elementwise, stable for every x: the series
 * h = x/2 + x²/24 − x⁴/2880 + x⁶/181440 (log of (e^x − 1)/x through the Bernoulli numbers) for |x| < 0.5, else
 * h = a + log(1 − e^{−a}) − log a + min(x, 0) with a = |x| (since (e^{−a} − 1)/(−a) = e^{−a}(e^a − 1)/a), which
 * never overflows; h'(x) = 1/(1 − e^{−x}) − 1/x, or its series 1/2 + x/12 − x³/720 + x⁵/30240.
 */
function logExpm1OverX(x: tf.Tensor): { h: tf.Tensor; dh: tf.Tensor } {
  const small = tf.less(tf.abs(x), SERIES_LIMIT);
  const safe = tf.where(small, tf.onesLike(x), x); // the general branch never sees |x| < 0.5
  const a = tf.abs(safe);
  const general = tf.add(
    tf.sub(tf.add(a, tf.log(tf.sub(1, tf.exp(tf.neg(a))))), tf.log(a)),
    tf.minimum(safe, 0),
  );
  const x2 = tf.square(x);
  // x/2 + x²/24 − x⁴/2880 + x⁶/181440 = x/2 + x²(1/24 + x²(−1/2880 + x²/181440))
  const series = tf.add(
    tf.mul(x, 0.5),
    tf.mul(x2, tf.add(1 / 24, tf.mul(x2, tf.add(-1 / 2880, tf.mul(x2, 1 / 181440))))),
  );
  const dGeneral = tf.sub(tf.div(1, tf.sub(1, tf.exp(tf.neg(safe)))), tf.div(1, safe));
  // 1/2 + x/12 − x³/720 + x⁵/30240 = 1/2 + x(1/12 + x²(−1/720 + x²/30240))
  const dSeries = tf.add(0.5, tf.mul(x, tf.add(1 / 12, tf.mul(x2, tf.add(-1 / 720, tf.mul(x2, 1 / 30240))))));
  return { h: tf.where(small, series, general), dh: tf.where(small, dSeries, dGeneral) };
}

/**
 * The RMTPP gap loss per event (Du et al. 2016, eq. 14), −log f(Δ) with f the density of the gap Δ under the
 * intensity λ(τ) = exp(b + wτ):
 *
 *     −log f(Δ) = −[b + wΔ + (e^b − e^{b+wΔ}) / w] = −b − wΔ + Λ,    Λ = e^b (e^{wΔ} − 1)/w = exp(b + h(wΔ) + log Δ)
 *
 * Λ is computed in the log domain (h as in {@link logExpm1OverX}), so it neither cancels as w → 0 (where the
 * textbook form divides a vanishing difference by w) nor overflows while the loss itself is representable
 * (e^{b+wΔ} may exceed float32 when Δ is small enough that Λ does not). A hand-written gradient:
 *
 *     ∂/∂b = Λ − 1,      ∂/∂w = Δ (Λ h'(wΔ) − 1)          (∂Λ/∂w = Λ Δ h'(wΔ))
 *
 * b, w, gaps: [N] (gaps ≥ 0, no gradient). Returns [N].
 */
export function gapNegativeLogDensityRows(b: tf.Tensor1D, w: tf.Tensor1D, gaps: tf.Tensor1D): tf.Tensor1D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [logLambda, rate] = args as [tf.Tensor1D, tf.Tensor1D];
    const save = args[2] as tf.GradSaveFunc;
    const x = tf.mul(rate, gaps);
    const { h, dh } = logExpm1OverX(x);
    const integrated = tf.exp(tf.add(tf.add(logLambda, h), tf.log(gaps))); // Λ; log 0 = −∞ gives Λ = 0 at Δ = 0
    // Everything the backward pass reads is saved: a tensor captured from the enclosing tidy would be disposed.
    save([integrated, dh, gaps]);
    const value = tf.add(tf.neg(tf.add(logLambda, x)), integrated);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [lam, dhSaved, gapsSaved] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      return [tf.mul(dy, tf.sub(lam, 1)), tf.mul(dy, tf.mul(gapsSaved, tf.sub(tf.mul(lam, dhSaved), 1)))];
    };
    return { value, gradFunc };
  });
  return op(b, w) as tf.Tensor1D;
}

/**
 * The point-process loss, averaged over the N events: per event the cross-entropy of the next mark plus the
 * negative log density of the next gap (RMTPP, Du et al. 2016, eq. 14; the loss of the paper's Book Order
 * experiment):
 *
 *     L = (1/N) Σ_i [ −log softmax(marks_i)[y_i] − log f(Δ_i; b_i, w_i) ]
 *
 * logits [N, M + 2] as {@link POINT_PROCESS_EXTRA_COLUMNS} describes, targets [N, 2] (mark, gap).
 */
export function pointProcessLoss(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [rows, width] = logits.shape;
    const marks = width - POINT_PROCESS_EXTRA_COLUMNS;
    if (marks < 1 || targets.shape[0] !== rows || targets.shape[1] !== 2) {
      throw new Error(
        `pointProcessLoss: logits must be [N, M + 2] (mark logits, log λ, w) with M ≥ 1 and targets [N, 2] (mark, gap), ` +
          `got logits [${logits.shape.join(', ')}] and targets [${targets.shape.join(', ')}]; give the model heads ` +
          "[{ name: 'marks', size: M }, { name: 'log_intensity', size: 1 }, { name: 'w', size: 1, kind: 'constant' }]",
      );
    }
    const labels = tf.cast(tf.reshape(tf.slice(targets, [0, 0], [rows, 1]), [rows]), 'int32') as tf.Tensor1D; // [N, 1] -> [N]
    const gaps = tf.reshape(tf.slice(targets, [0, 1], [rows, 1]), [rows]) as tf.Tensor1D; // [N, 1] -> [N]
    const markLogits = tf.slice(logits, [0, 0], [rows, marks]) as tf.Tensor2D; // [N, M]
    const b = tf.reshape(tf.slice(logits, [0, marks], [rows, 1]), [rows]) as tf.Tensor1D; // [N, 1] -> [N]
    const w = tf.reshape(tf.slice(logits, [0, marks + 1], [rows, 1]), [rows]) as tf.Tensor1D; // [N, 1] -> [N]
    const markLoss = softmaxCrossEntropy(labels, markLogits);
    return tf.add(markLoss, tf.mean(gapNegativeLogDensityRows(b, w, gaps))) as tf.Scalar;
  });
}
