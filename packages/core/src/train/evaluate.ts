import type { RecurrentModel } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { meanLoss } from '../internal/loss';
import type { Stream } from '../streams/stream';

export interface Evaluation {
  /** Mean loss per position (nats per token for class targets). */
  loss: number;
  /** exp(loss) for class targets; NaN for real targets. */
  perplexity: number;
  /** Positions × columns scored. */
  tokens: number;
}

/**
 * Scores a whole stream with the state carried from chunk to chunk (dropout off, no gradient), starting
 * from the zero state: the loss is what the model assigns to the split read as one long sequence per column.
 */
export function evaluate(
  model: RecurrentModel,
  stream: Stream,
  options: { chunk?: number } = {},
): Evaluation {
  const chunk = options.chunk ?? 100;
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new Error(`evaluate: chunk must be a positive integer, got ${chunk}`);
  }
  let state = model.initialState(stream.batch);
  let sum = 0;
  for (let start = 0; start < stream.steps; start += chunk) {
    const end = Math.min(start + chunk, stream.steps);
    const { inputs, targets } = stream.slice(start, end);
    const { total, next } = tf.tidy(() => {
      const out = model.forward(inputs, state, { training: false });
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
  };
}
