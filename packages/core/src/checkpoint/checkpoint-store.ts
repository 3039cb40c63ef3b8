import type { CheckpointFiles } from './checkpoint-files';

/**
 * Where a training run keeps its checkpoints. The Node entry's default writes directories on disk
 * (`checkpoint-io.ts`: atomic, sha256 manifest, `latest` pointer, a lock per root); the browser entry's default
 * keeps them in memory as packed bytes (`packCheckpoint`), which `exportCheckpoint` / `importCheckpoint`
 * move in and out (a download, IndexedDB, a `fetch`).
 */
export interface CheckpointStore {
  /**
   * Checks, before training, that `root` can hold checkpoints of about `bytesPerCheckpoint`, and takes it
   * for this run (one run per root); returns the function that releases it.
   */
  prepare(root: string, bytesPerCheckpoint: number): () => void;
  /** Writes checkpoint `name` under `root`, keeping the newest `keep`; returns its path. */
  write(root: string, name: string, files: CheckpointFiles, keep: number): string;
  /** Reads the checkpoint at `path` (a checkpoint, or a root: its latest). */
  read(path: string): CheckpointFiles & { path: string };
}
