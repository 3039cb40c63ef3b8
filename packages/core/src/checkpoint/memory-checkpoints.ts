import type { CheckpointFiles } from './checkpoint-files';
import type { CheckpointStore } from './checkpoint-store';
import { packCheckpoint, unpackCheckpoint } from './pack-checkpoint';

/** root → (checkpoint name → packed bytes), in write order; the last is the latest. */
const roots = new Map<string, Map<string, Uint8Array>>();
const locked = new Set<string>();

const split = (path: string): [string, string | undefined] => {
  const i = path.lastIndexOf('/');
  const name = path.slice(i + 1);
  return /^update-\d{9}$/.test(name) ? [path.slice(0, Math.max(0, i)), name] : [path, undefined];
};

/** The packed checkpoint at `path` (`<root>/update-…`, or a root: its latest), or an error naming what exists. */
function find(path: string): { path: string; bytes: Uint8Array } {
  const [root, name] = split(path);
  const held = roots.get(root);
  const chosen = name ?? (held ? [...held.keys()].at(-1) : undefined);
  const bytes = chosen ? held?.get(chosen) : undefined;
  if (!bytes) {
    const known = [...roots].flatMap(([r, m]) => [...m.keys()].map((n) => `${r}/${n}`));
    throw new Error(
      `readCheckpoint: no in-memory checkpoint at ${path} (held: ${known.join(', ') || 'none'}); ` +
        'in a browser, pass a path this page wrote, or importCheckpoint(root, bytes) first',
    );
  }
  return { path: `${root}/${chosen}`, bytes };
}

/**
 * Checkpoints in memory, as packed buffers (the browser entry's default store; `checkpoint.dir` names a
 * root in it). They live as long as the page: `exportCheckpoint` takes one out as bytes.
 */
export const memoryCheckpointStore: CheckpointStore = {
  prepare: (root) => {
    if (locked.has(root)) {
      throw new Error(
        `train: checkpoint.dir ${root} is in use by another run on this page; give this run its own dir`,
      );
    }
    locked.add(root);
    return () => locked.delete(root);
  },
  write: (root, name, files: CheckpointFiles, keep) => {
    const held = roots.get(root) ?? new Map<string, Uint8Array>();
    roots.set(root, held);
    held.delete(name);
    held.set(name, packCheckpoint(files));
    for (const old of [...held.keys()].slice(0, Math.max(0, held.size - keep))) held.delete(old);
    return `${root}/${name}`;
  },
  read: (path) => {
    const found = find(path);
    return { ...unpackCheckpoint(found.bytes), path: found.path };
  },
};

/** The packed bytes of the in-memory checkpoint at `path` (a checkpoint, or a root: its latest). */
export function exportCheckpoint(path: string): Uint8Array {
  return find(path).bytes.slice();
}

/**
 * Puts packed checkpoint bytes (from `exportCheckpoint` or `packCheckpoint`) into memory under `root`, as its
 * latest; returns the path to pass as `resumeFrom`. The bytes are checked now.
 */
export function importCheckpoint(root: string, bytes: ArrayBuffer | Uint8Array): string {
  const files = unpackCheckpoint(bytes);
  const update = Number((files.trainer as { update?: unknown }).update ?? 0);
  const name = `update-${String(Number.isInteger(update) ? update : 0).padStart(9, '0')}`;
  return memoryCheckpointStore.write(root, name, files, Number.POSITIVE_INFINITY);
}

/** The paths of the in-memory checkpoints, oldest first per root. */
export function memoryCheckpoints(): string[] {
  return [...roots].flatMap(([root, held]) => [...held.keys()].map((name) => `${root}/${name}`));
}
