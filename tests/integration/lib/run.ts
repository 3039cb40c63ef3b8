import { execFileSync } from 'node:child_process';

/** Runs `node` in `cwd` on a script file or `-e` source; returns stdout; throws with stderr on failure. */
export function node(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(process.execPath, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      maxBuffer: 64 * 2 ** 20,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `node ${args.join(' ').slice(0, 200)} failed in ${cwd}:\n${e.stderr ?? ''}\n${e.stdout ?? ''}`,
    );
  }
}
