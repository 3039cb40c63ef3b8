import { gapDensityMean } from './gap-density';
import { POINT_PROCESS_EXTRA_COLUMNS } from './point-process-loss';

/** The prediction metrics of a point-process evaluation. */
export interface PointProcessMetrics {
  /** √mean (m̂_i − Δ_i)²: RMSE of the predicted mean gap (see `gapDensityMean`) against the true gap. */
  rmse: number;
  /** The 0-1 loss of the most likely next mark: the fraction of events whose argmax mark is wrong. */
  errorRate: number;
}

/**
 * Collects, chunk by chunk, what the point-process metrics need — per event the argmax-mark hit, b = log λ, w and
 * the true gap, as plain numbers — and computes them at the end, once the largest true gap (the default
 * integration horizon, as the reference's RMTPP evaluation) is known.
 */
export class PointProcessMetricsAccumulator {
  private readonly logLambda: number[] = [];
  private readonly w: number[] = [];
  private readonly gaps: number[] = [];
  private wrong = 0;
  private largestGap = 0;

  /** logits [N·(M + 2)] row-major (mark logits, log λ, w), targets [N·2] (mark, gap). */
  add(logits: ArrayLike<number>, targets: ArrayLike<number>, width: number): void {
    const marks = width - POINT_PROCESS_EXTRA_COLUMNS;
    const rows = targets.length / 2;
    for (let i = 0; i < rows; i++) {
      const row = i * width;
      let best = 0;
      for (let k = 1; k < marks; k++) if (logits[row + k]! > logits[row + best]!) best = k;
      if (best !== targets[2 * i]) this.wrong++;
      const gap = targets[2 * i + 1]!;
      if (gap > this.largestGap) this.largestGap = gap;
      this.logLambda.push(logits[row + marks]!);
      this.w.push(logits[row + marks + 1]!);
      this.gaps.push(gap);
    }
  }

  /**
   * The metrics; the mean gap is integrated over [0, horizon], horizon the largest true gap seen unless given
   * (`Infinity` for the density's own mean).
   */
  finish(horizon?: number): PointProcessMetrics {
    const n = this.gaps.length;
    if (n === 0) return { rmse: Number.NaN, errorRate: Number.NaN };
    const h = horizon ?? this.largestGap;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const error = gapDensityMean(this.logLambda[i]!, this.w[i]!, { horizon: h }) - this.gaps[i]!;
      squares += error * error;
    }
    return { rmse: Math.sqrt(squares / n), errorRate: this.wrong / n };
  }
}
