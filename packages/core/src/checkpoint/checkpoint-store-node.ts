import { prepareCheckpointDir, readCheckpoint, writeCheckpoint } from './checkpoint-io';
import { lockCheckpointDir } from './checkpoint-lock';
import type { CheckpointStore } from './checkpoint-store';

/** The Node entry's checkpoints: directories on disk (see `checkpoint-io.ts`, `checkpoint-lock.ts`). */
export const defaultCheckpointStore: CheckpointStore = {
  prepare: (root, bytes) => {
    prepareCheckpointDir(root, bytes);
  },
  lock: lockCheckpointDir,
  write: writeCheckpoint,
  read: readCheckpoint,
};
