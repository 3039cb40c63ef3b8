import type { RecurrentState } from '@tbptt/models';
import type * as tf from '@tensorflow/tfjs-core';
import type { ControllerState } from '../controllers/truncation-controller';
import type { ChainState } from '../optim/gradient-transformation';
import type { Evaluation } from './evaluate';
import type { TrainEvent } from './events';

/**
 * Everything a run is, as one value (ARCHITECTURE §3): the weights live in the model's variables (a handle, not
 * copied); the rest is here. A step maps a state to the next one and consumes it (the tensors it replaces are
 * disposed); a checkpoint is the validated serialisation of exactly this value, and a resume rebuilds it.
 */
export interface TrainState {
  /** Updates applied. */
  update: number;
  /** Completed epochs. */
  epoch: number;
  /** Next window starts here; the carried state is the state before `carriedAt`. */
  position: number;
  carriedAt: number;
  /** The detached recurrent state the next window starts from (owned by the state). */
  carried: RecurrentState;
  /**
   * Training positions × columns consumed (loss positions); per column that is tokens / batch. `stop.tokens` and
   * `evaluation.everyTokens` count these, and a checkpoint keeps them, so a resumed run continues the count.
   */
  tokens: number;
  /** The optimisation chain's state (clip → optimiser → learning rate); its slot tensors are owned by the state. */
  optimizer: ChainState;
  controller: ControllerState;
  /** Base learning rate now (the optimiser's, divided on plateaus). */
  learningRate: number;
  /** Validations in a row without a new best (for the plateau rule). */
  plateauCount: number;
  rng: {
    /** The engine's sampling PRNG (profile positions). */
    sampler: number[];
    /** The model's dropout PRNG, as of the last checkpoint (the model holds the live one). */
    model: number[];
  };
  /** The best validation so far, with its weights in `model.variables` order (owned by the state). */
  best?: { valid: Evaluation & { update: number }; weights: tf.Tensor[] };
  lastValidUpdate: number;
  lastCheckpointUpdate: number;
  lastBiasUpdate: number;
  nonFiniteRun: number;
  /** Exponential moving average of the training loss, and its lowest value: "good" checkpoints need the first near the second. */
  lossAverage: number | undefined;
  lossFloor: number | undefined;
  /** Seconds: total (across resumes), estimating K, monitoring bias, evaluating. */
  elapsedSeconds: number;
  estimateSeconds: number;
  monitorSeconds: number;
  evaluateSeconds: number;
  /**
   * CPU seconds of the process over the run (across resumes; user + system, every thread), where the runtime
   * tells them (Node's `process.cpuUsage`); 0 elsewhere. Unlike wall time, it does not grow when other
   * processes share the CPU.
   */
  cpuSeconds: number;
  /** Seconds the last validation + test took (to keep the final evaluation inside a wall-time budget). */
  lastEvaluationSeconds: number;
  /** K over training: the K before the first update and every change. */
  truncationHistory: { update: number; K: number }[];
  /** Every non-step event so far. */
  metrics: TrainEvent[];
  /** Where the last checkpoint was written. */
  checkpoint?: string;
}
