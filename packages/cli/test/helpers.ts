import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The BUILT binary (`npm run build -w @tbptt/cli` first). */
export const BIN = fileURLToPath(new URL('../bin/tbptt.js', import.meta.url));

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tbptt …args` to completion. */
export function tbptt(args: readonly string[], options: { cwd?: string } = {}): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    env: { ...process.env, TBPTT_DATA_DIR: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `tbptt …args`, calling `onLine` for each stdout line (it may kill the child). */
export function tbpttStreaming(
  args: readonly string[],
  onLine: (line: string, child: ReturnType<typeof spawn>) => void,
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine(line, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tbptt-cli-${prefix}-`));
}

/** A tiny copy-task configuration: a 16-unit LSTM on short streams, a few seconds per run. */
export const TINY_COPY = [
  '--preset',
  'copy',
  '--hidden',
  '16',
  '--train-steps',
  '1200',
  '--valid-steps',
  '300',
  '--test-steps',
  '300',
  '--eval-every',
  '30',
  '--refresh-every',
  '30',
  '--backend',
  'wasm',
];
