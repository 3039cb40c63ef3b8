import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A temporary path next to `dest` (same folder, so the final `rename` is atomic). Hidden
 * and suffixed `.partial`, with the process id and random bytes so concurrent writers do not
 * collide.
 */
export function partialPath(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
}

/** Removes `path`, ignoring a file that is already gone. */
export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * Writes `bytes` to `dest` atomically: into a temporary file in the same folder, flushed to
 * disk, then renamed over `dest`. On failure the temporary file is removed and `dest` is
 * untouched.
 */
export async function writeFileAtomic(dest: string, bytes: Uint8Array): Promise<void> {
  const temp = partialPath(dest);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, dest);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
}
