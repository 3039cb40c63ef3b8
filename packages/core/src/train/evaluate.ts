import type { RecurrentModel } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { meanLoss } from '../internal/loss';
import { PointProcessMetricsAccumulator } from '../point-process/point-process-metrics';
import type { Stream } from '../streams/stream';

export interface Evaluation {
  /** Mean loss per position (nats per token for class targets; the NLL per event for point processes). */
  loss: number;
  /** exp(loss) for class targets; NaN for real and point-process targets. */
  perplexity: number;
  /** Positions × columns scored. */
  tokens: number;
  /** Point processes: RMSE of the predicted mean gap (the mean of the gap density) against the true gap. */
  rmse?: number;
  /** Point processes: the 0-1 loss of the most likely next mark (fraction of events mispredicted). */
  errorRate?: number;
}

export interface EvaluateOptions {
  /** Positions per forward call (default 100, the reference's). */
  chunk?: number;
  /**
   * Point processes: the horizon h of the predicted mean gap ∫₀^h τ f(τ) dτ (default the largest true gap of the
   * stream, as the reference's RMTPP evaluation; `Infinity` for the density's own mean).
   */
  gapHorizon?: number;
}

/**
 * Scores a whole stream with the state carried from chunk to chunk (dropout off, no gradient), starting
 * from the zero state: the loss is what the model assigns to the split read as one long sequence per column.
 */
export function evaluate(model: RecurrentModel, stream: Stream, options: EvaluateOptions = {}): Evaluation {
  const chunk = options.chunk ?? 100;
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new Error(`evaluate: chunk must be a positive integer, got ${chunk}`);
  }
  let state = model.initialState(stream.batch);
  let sum = 0;
  const pointProcess = stream.targetKind === 'point-process' ? new PointProcessMetricsAccumulator() : null;
  for (let start = 0; start < stream.steps; start += chunk) {
    const end = Math.min(start + chunk, stream.steps);
    const { inputs, targets } = stream.slice(start, end);
    const { total, next } = tf.tidy(() => {
      const out = model.forward(inputs, state, { training: false });
      if (pointProcess) {
        // Plain numbers for the metrics: logits [t, B, M + 2] and targets [t, B, 2], row-major.
        pointProcess.add(out.logits.dataSync(), targets.dataSync(), out.logits.shape[2]);
      }
      return {
        total: tf.mul(meanLoss(out.logits, targets, stream.targetKind), end - start),
        next: out.finalState,
      };
    });
    sum += total.dataSync()[0]!;
    tf.dispose([total, inputs, targets, ...state]);
    state = next;
  }
  tf.dispose(state);
  const loss = sum / stream.steps;
  return {
    loss,
    perplexity: stream.targetKind === 'classes' ? Math.exp(loss) : Number.NaN,
    tokens: stream.steps * stream.batch,
    ...(pointProcess ? pointProcess.finish(options.gapHorizon) : {}),
  };
}
