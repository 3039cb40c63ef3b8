import { prepareCheckpointDir, readCheckpoint, writeCheckpoint } from './checkpoint-io';
import type { CheckpointStore } from './checkpoint-store';

/** The Node entry's checkpoints: directories on disk (see `checkpoint-io.ts`, `checkpoint-lock.ts`). */
export const defaultCheckpointStore: CheckpointStore = {
  prepare: prepareCheckpointDir,
  write: writeCheckpoint,
  read: readCheckpoint,
};
