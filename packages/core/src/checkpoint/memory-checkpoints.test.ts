import type { NamedTensor } from '@tbptt/models';
import { describe, expect, it } from 'vitest';
import type { CheckpointFiles } from './checkpoint-files';
import {
  exportCheckpoint,
  importCheckpoint,
  memoryCheckpointStore,
  memoryCheckpoints,
} from './memory-checkpoints';
import { packCheckpoint, unpackCheckpoint } from './pack-checkpoint';

const tensor = (values: number[], shape: number[]): NamedTensor => ({
  data: Float32Array.from(values),
  shape,
});

function files(update: number): CheckpointFiles {
  return {
    weights: Uint8Array.from([1, 2, 3, update]),
    optimizer: new Map([['w.m', tensor([0.5, -1, update], [3])]]),
    state: new Map([['0', tensor([1, 2, 3, 4], [2, 2])]]),
    best: new Map([['w', tensor([7], [1])]]),
    trainer: { update, position: 10 * update },
  };
}

describe('packCheckpoint / unpackCheckpoint', () => {
  it('round-trips every file', () => {
    const original = files(3);
    const back = unpackCheckpoint(packCheckpoint(original).buffer as ArrayBuffer);
    expect([...back.weights]).toEqual([...original.weights]);
    expect([...back.optimizer.get('w.m')!.data]).toEqual([0.5, -1, 3]);
    expect(back.state.get('0')!.shape).toEqual([2, 2]);
    expect([...back.best!.get('w')!.data]).toEqual([7]);
    expect(back.trainer).toEqual({ update: 3, position: 30 });
  });

  it('refuses bytes that are not a packed checkpoint, saying so', () => {
    expect(() => unpackCheckpoint(new Uint8Array(4))).toThrow(/unpackCheckpoint: got 4 bytes/);
    const damaged = packCheckpoint(files(1));
    damaged.set(new TextEncoder().encode('!!'), 8); // the JSON header's opening brace and quote
    expect(() => unpackCheckpoint(damaged)).toThrow(/unpackCheckpoint: the header is not JSON/);
  });
});

describe('memoryCheckpointStore', () => {
  it('keeps the newest `keep`, reads a root as its latest, exports and imports bytes', () => {
    const root = `mem-${Math.random().toString(36).slice(2)}`;
    memoryCheckpointStore.write(root, 'update-000000001', files(1), 2);
    memoryCheckpointStore.write(root, 'update-000000002', files(2), 2);
    const third = memoryCheckpointStore.write(root, 'update-000000003', files(3), 2);
    expect(memoryCheckpoints().filter((p) => p.startsWith(root))).toEqual([
      `${root}/update-000000002`,
      third,
    ]);
    const latest = memoryCheckpointStore.read(root);
    expect(latest.path).toBe(third);
    expect(latest.trainer).toEqual({ update: 3, position: 30 });
    const bytes = exportCheckpoint(third);
    const other = `${root}-copy`;
    const path = importCheckpoint(other, bytes);
    expect(path).toBe(`${other}/update-000000003`);
    expect(memoryCheckpointStore.read(path).trainer).toEqual({ update: 3, position: 30 });
    expect(() => memoryCheckpointStore.read(`${root}/update-000000001`)).toThrow(/no in-memory checkpoint/);
  });

  it('lets one run at a time hold a root', () => {
    const release = memoryCheckpointStore.prepare('locked-root', 0);
    expect(() => memoryCheckpointStore.prepare('locked-root', 0)).toThrow(/in use by another run/);
    release();
    memoryCheckpointStore.prepare('locked-root', 0)();
  });
});
