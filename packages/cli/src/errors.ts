/** Exit codes of every `tbptt` command (the shell convention for SIGINT: 128 + 2). */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/**
 * Bad input the user can fix on the command line: an unknown or malformed flag, a config, preset or profile
 * file that does not parse, a folder that cannot be used. The message is one line that names the flag or file,
 * the value received and the fix. Exit code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The run itself failed (diverged, a damaged checkpoint, an I/O error while training). Exit code 1. */
export class RunError extends Error {
  override readonly name = 'RunError';
}

/** The exit code for an error thrown by a command. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? EXIT.usage : EXIT.failure;
}

/** The first line of an error's message (engine messages are one line already; stack traces are not shown). */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}
