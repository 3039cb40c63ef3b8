import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '@tbptt/models';
import { lockCheckpointDir } from './checkpoint-lock';

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

/** manifest.json: every file's size and sha256, written last, checked on load. */
interface Manifest {
  version: 1;
  files: Record<string, { size: number; sha256: string }>;
}

const LATEST = 'latest';
const MANIFEST = 'manifest.json';
/** A checkpoint directory's name: `update-` and 9 digits. */
export const CHECKPOINT_NAME = /^update-\d{9}$/;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes a checkpoint atomically: every file goes into a hidden temporary directory under `root`, the manifest
 * (sizes and sha256 of the others) last, then the directory is renamed to `root/<name>`; the `latest` pointer
 * is replaced the same way (temp file + rename). A crash leaves either the previous checkpoint or the new one,
 * never a half-written one, and a failure removes the temporary directory. Keeps the newest `keep`
 * checkpoints (only directories named `update-<9 digits>` that hold a manifest are ever deleted).
 */
export function writeCheckpoint(root: string, name: string, files: CheckpointFiles, keep = 2): string {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new Error(
      `writeCheckpoint: keep must be a positive integer (checkpoints kept), got ${String(keep)}`,
    );
  }
  const target = join(root, name);
  const temp = join(root, `.tmp-${name}-${process.pid}`);
  const pointer = join(root, `.tmp-${LATEST}-${process.pid}`);
  try {
    mkdirSync(root, { recursive: true });
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp);
    const contents: [string, Uint8Array][] = [
      ['weights.safetensors', files.weights],
      ['optimizer.safetensors', new Uint8Array(encodeSafetensors(files.optimizer))],
      ['state.safetensors', new Uint8Array(encodeSafetensors(files.state))],
      ...(files.best
        ? ([['best.safetensors', new Uint8Array(encodeSafetensors(files.best))]] as [string, Uint8Array][])
        : []),
      ['trainer.json', new TextEncoder().encode(JSON.stringify(files.trainer))],
    ];
    const manifest: Manifest = { version: 1, files: {} };
    for (const [file, bytes] of contents) {
      writeFileSync(join(temp, file), bytes);
      manifest.files[file] = { size: bytes.byteLength, sha256: sha256(bytes) };
    }
    writeFileSync(join(temp, MANIFEST), JSON.stringify(manifest));
    rmSync(target, { recursive: true, force: true });
    renameSync(temp, target);
    writeFileSync(pointer, name);
    renameSync(pointer, join(root, LATEST));
  } catch (error) {
    // Free what the failed write took (a full disk stays full otherwise); the cleanup may fail the same way.
    for (const partial of [temp, pointer]) {
      try {
        rmSync(partial, { recursive: true, force: true });
      } catch {
        // the original error says what went wrong
      }
    }
    throw new Error(`writeCheckpoint: could not write ${target}: ${(error as Error).message}`);
  }
  pruneCheckpoints(root, name, keep);
  return target;
}

/**
 * Deletes all but the newest `keep` checkpoints (`name` is the newest). Only directories named `update-<9 digits>`
 * holding a manifest are candidates, so a user's own files are never touched. Each goes out of sight in one rename
 * (to a `.tmp-` name, which the next run's start-up removes if this process dies mid-delete), then is deleted.
 * Best effort: the checkpoint is already written, so a failure here is not a failed checkpoint.
 */
function pruneCheckpoints(root: string, name: string, keep: number): void {
  try {
    const old = readdirSync(root)
      .filter(
        (entry) => CHECKPOINT_NAME.test(entry) && entry !== name && existsSync(join(root, entry, MANIFEST)),
      )
      .sort();
    for (const entry of old.slice(0, Math.max(0, old.length - (keep - 1)))) {
      const doomed = join(root, `.tmp-delete-${entry}-${process.pid}`);
      renameSync(join(root, entry), doomed);
      rmSync(doomed, { recursive: true, force: true });
    }
  } catch {
    // an old checkpoint stays; the next prune retries
  }
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

/**
 * Reads the checkpoint at `path` (a checkpoint directory or a root with a `latest` pointer) and checks every file
 * against the manifest (size and sha256) before decoding anything.
 */
export function readCheckpoint(path: string): CheckpointFiles & { path: string } {
  const dir = resolveCheckpoint(path);
  const fail = (file: string, problem: string): never => {
    throw new Error(
      `readCheckpoint: ${join(dir, file)} ${problem}; the checkpoint is damaged — resume from an earlier one`,
    );
  };
  let manifest: Manifest | undefined;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch (error) {
    fail(MANIFEST, `cannot be read (${(error as Error).message})`);
  }
  if (manifest?.version !== 1 || typeof manifest.files !== 'object')
    fail(MANIFEST, 'is not a version 1 manifest');
  const bytes = new Map<string, Uint8Array>();
  for (const [file, expected] of Object.entries(manifest!.files)) {
    let data: Uint8Array;
    try {
      data = new Uint8Array(readFileSync(join(dir, file)));
    } catch (error) {
      return fail(file, `is missing (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (data.byteLength !== expected.size)
      fail(file, `has ${data.byteLength} bytes, the manifest says ${expected.size}`);
    if (sha256(data) !== expected.sha256) fail(file, 'does not match its sha256 in the manifest');
    bytes.set(file, data);
  }
  for (const file of ['weights.safetensors', 'optimizer.safetensors', 'state.safetensors', 'trainer.json']) {
    if (!bytes.has(file)) fail(file, 'is not in the manifest');
  }
  const decode = (file: string): Map<string, NamedTensor> => {
    try {
      return decodeSafetensors(bytes.get(file)!).tensors;
    } catch (error) {
      return fail(file, `cannot be decoded (${(error as Error).message})`);
    }
  };
  let trainer: Record<string, unknown> = {};
  try {
    trainer = JSON.parse(new TextDecoder().decode(bytes.get('trainer.json')!));
  } catch (error) {
    fail('trainer.json', `is not valid JSON (${(error as Error).message})`);
  }
  return {
    path: dir,
    weights: bytes.get('weights.safetensors')!,
    optimizer: decode('optimizer.safetensors'),
    state: decode('state.safetensors'),
    ...(bytes.has('best.safetensors') ? { best: decode('best.safetensors') } : {}),
    trainer,
  };
}

/**
 * Checks, before any training, that `root` can hold checkpoints and takes it for this run: creatable, a directory,
 * writable (a probe file is written and removed); then its exclusive lock ({@link lockCheckpointDir}); then,
 * holding the lock (so a live run's temporary files are never touched), removes the stale temporary directories
 * (`.tmp-*`) a killed run left, and checks there is room for about two checkpoints of `bytesPerCheckpoint`.
 * Errors name the path, the cause and the fix. Returns the function that releases the lock.
 */
export function prepareCheckpointDir(root: string, bytesPerCheckpoint: number): () => void {
  const fn = 'train: checkpoint.dir';
  const dir = resolve(root);
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) {
      throw Object.assign(new Error('exists and is not a directory'), { code: 'ENOTDIR' });
    }
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.tmp-probe-${process.pid}`);
    writeFileSync(probe, 'probe');
    rmSync(probe);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why =
      e.code === 'EACCES' || e.code === 'EPERM'
        ? 'is not writable (permission denied)'
        : e.code === 'EROFS'
          ? 'is not writable (read-only file system)'
          : e.code === 'ENOTDIR' || e.code === 'EEXIST'
            ? 'is (or lies under) a file, not a directory'
            : e.code === 'ENOSPC'
              ? 'has no space left'
              : `cannot be used (${e.message})`;
    throw new Error(`${fn} ${dir} ${why}; choose a writable directory for checkpoints`);
  }
  const release = lockCheckpointDir(dir);
  try {
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.tmp-')) rmSync(join(dir, entry), { recursive: true, force: true });
    }
    const free = freeBytes(dir);
    if (free !== undefined && free < 2 * bytesPerCheckpoint) {
      throw new Error(
        `${fn} ${dir} has ${(free / 2 ** 20).toFixed(1)} MiB free, a checkpoint needs about ${(bytesPerCheckpoint / 2 ** 20).toFixed(1)} MiB ` +
          '(and two while the next replaces the last); free some space or choose another directory',
      );
    }
  } catch (error) {
    release();
    throw error;
  }
  return release;
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}
