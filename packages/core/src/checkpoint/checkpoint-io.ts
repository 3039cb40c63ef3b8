import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '@tbptt/models';

/** The files of one checkpoint directory. */
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

const LATEST = 'latest';

/**
 * Writes a checkpoint atomically: every file goes into a hidden temporary directory under `root`, which is
 * then renamed to `root/<name>`; the `latest` pointer is replaced the same way (temp file + rename). A crash
 * leaves either the previous checkpoint or the new one, never a half-written one. Keeps the newest `keep`.
 * Returns the checkpoint directory.
 */
export function writeCheckpoint(root: string, name: string, files: CheckpointFiles, keep = 2): string {
  mkdirSync(root, { recursive: true });
  const target = join(root, name);
  const temp = join(root, `.tmp-${name}-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  writeFileSync(join(temp, 'weights.safetensors'), files.weights);
  writeFileSync(join(temp, 'optimizer.safetensors'), new Uint8Array(encodeSafetensors(files.optimizer)));
  writeFileSync(join(temp, 'state.safetensors'), new Uint8Array(encodeSafetensors(files.state)));
  if (files.best)
    writeFileSync(join(temp, 'best.safetensors'), new Uint8Array(encodeSafetensors(files.best)));
  writeFileSync(join(temp, 'trainer.json'), JSON.stringify(files.trainer));
  rmSync(target, { recursive: true, force: true });
  renameSync(temp, target);
  const pointer = join(root, `.tmp-${LATEST}-${process.pid}`);
  writeFileSync(pointer, name);
  renameSync(pointer, join(root, LATEST));
  const old = readdirSync(root)
    .filter((entry) => entry.startsWith('update-') && entry !== name)
    .sort();
  for (const entry of old.slice(0, Math.max(0, old.length - (keep - 1)))) {
    rmSync(join(root, entry), { recursive: true, force: true });
  }
  return target;
}

/** Resolves a checkpoint directory: `path` itself when it holds trainer.json, else the one `path/latest` names. */
export function resolveCheckpoint(path: string): string {
  const dir = resolve(path);
  if (existsSync(join(dir, 'trainer.json'))) return dir;
  const pointer = join(dir, LATEST);
  if (existsSync(pointer)) {
    const named = join(dir, readFileSync(pointer, 'utf8').trim());
    if (existsSync(join(named, 'trainer.json'))) return named;
  }
  throw new Error(
    `readCheckpoint: ${path} holds no checkpoint (no trainer.json, no valid 'latest' pointer); ` +
      'pass a checkpoint directory or the checkpoint root a run wrote',
  );
}

/** Reads the checkpoint at `path` (a checkpoint directory or a root with a `latest` pointer). */
export function readCheckpoint(path: string): CheckpointFiles & { path: string } {
  const dir = resolveCheckpoint(path);
  const read = (file: string): Map<string, NamedTensor> => {
    try {
      return decodeSafetensors(readFileSync(join(dir, file))).tensors;
    } catch (error) {
      throw new Error(
        `readCheckpoint: ${join(dir, file)}: ${(error as Error).message}; the checkpoint is damaged`,
      );
    }
  };
  let trainer: Record<string, unknown>;
  try {
    trainer = JSON.parse(readFileSync(join(dir, 'trainer.json'), 'utf8'));
  } catch (error) {
    throw new Error(
      `readCheckpoint: ${join(dir, 'trainer.json')} is not valid JSON (${(error as Error).message})`,
    );
  }
  return {
    path: dir,
    weights: new Uint8Array(readFileSync(join(dir, 'weights.safetensors'))),
    optimizer: read('optimizer.safetensors'),
    state: read('state.safetensors'),
    ...(existsSync(join(dir, 'best.safetensors')) ? { best: read('best.safetensors') } : {}),
    trainer,
  };
}
