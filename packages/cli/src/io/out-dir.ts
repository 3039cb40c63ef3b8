import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors';
import { RUN_FILES } from './run-files';

/**
 * Checks, without creating anything, that `dir` can become a new run directory: it does not hold a run
 * already, and it or its nearest existing ancestor is a writable folder.
 */
export function checkNewRunDir(dir: string, flag = '--out'): void {
  const path = resolve(dir);
  if (existsSync(join(path, RUN_FILES.config))) {
    throw new UsageError(
      `${flag} ${dir} already holds a run; continue it with --resume ${dir} or choose another ${flag}`,
    );
  }
  let probe = path;
  while (!existsSync(probe)) {
    const parent = dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  let writable = false;
  try {
    writable = statSync(probe).isDirectory();
    if (writable) accessSync(probe, constants.W_OK);
  } catch {
    writable = false;
  }
  if (!writable) {
    const why =
      existsSync(probe) && !statSync(probe).isDirectory() ? `${probe} is a file` : `${probe} is not writable`;
    throw new UsageError(
      `${flag} ${dir}: cannot create the run directory (${why}); choose a writable folder`,
    );
  }
}
