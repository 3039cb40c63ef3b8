import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const LOCK = 'lock';

interface LockContents {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the checkpoint root's exclusive lock (`root/lock`: pid, host, start time), so two runs never write into
 * one directory. A lock left by a process that no longer runs on this host is stale and taken over. Returns the
 * function that releases it.
 */
export function lockCheckpointDir(root: string): () => void {
  const path = join(root, LOCK);
  const contents: LockContents = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(contents));
      closeSync(fd);
      return () => {
        try {
          const held = JSON.parse(readFileSync(path, 'utf8')) as LockContents;
          if (held.pid === contents.pid && held.host === contents.host) rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let held: LockContents | undefined;
      try {
        held = JSON.parse(readFileSync(path, 'utf8')) as LockContents;
      } catch {
        held = undefined; // unreadable: half-written by a crashed run
      }
      const stale = held === undefined || (held.host === contents.host && !alive(held.pid));
      if (!stale) {
        throw new Error(
          `train: checkpoint.dir ${root} is in use by another run (pid ${held!.pid} on ${held!.host}, started ${held!.started}); ` +
            `give this run its own directory, or delete ${path} if that run is gone`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`train: could not take the lock ${path}; delete it if no run uses the directory`);
}
