import type { NamedTensor } from '@tbptt/models';

/** The files of one checkpoint (a directory on disk, one packed buffer in memory). */
export interface CheckpointFiles {
  /** Model weights: the models package's safetensors file (PyTorch state_dict names, spec in the metadata). */
  weights: Uint8Array;
  /** Optimiser slots by `<parameter>.<slot>` (optimizer.safetensors). */
  optimizer: Map<string, NamedTensor>;
  /** Carried recurrent state by component index (state.safetensors). */
  state: Map<string, NamedTensor>;
  /** Weights at the best validation loss so far (best.safetensors), when there is one. */
  best?: Map<string, NamedTensor>;
  /** Everything else as JSON (trainer.json): counters, stream position, controller and RNG states, metrics. */
  trainer: Record<string, unknown>;
}
