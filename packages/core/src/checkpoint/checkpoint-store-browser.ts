import type { CheckpointStore } from './checkpoint-store';
import { memoryCheckpointStore } from './memory-checkpoints';

/** The browser entry's checkpoints: packed buffers in memory (see `memory-checkpoints.ts`). */
export const defaultCheckpointStore: CheckpointStore = memoryCheckpointStore;
