import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrng } from '@tbptt/random';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../src/index';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const coreSource = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tbptt-faults-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const UPDATES = 24;
/**
 * The child: a small LSTM with dropout trained for UPDATES updates, a checkpoint every 2, resuming from the
 * root's `latest` when there is one. It prints `resume` right before a resume, `write <update>` right before each
 * checkpoint write (the step event precedes it), and at the end writes the final weights' bytes.
 */
// Run with --eval from the package directory, so that '@tbptt/models' resolves as it does for core's source.
const child = `import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, selectBackend, serializeWeights } from '@tbptt/models';
const core = await import(${JSON.stringify(coreSource)});
const [root, out] = process.argv.slice(1);
await selectBackend('cpu');
const vocab = 7, batch = 3, steps = 60;
const ids = new Int32Array(steps * batch).map((_, i) => (i * 5 + (i >> 3)) % vocab);
const model = createModel({ cell: 'lstm', input: 'embedding', vocabSize: vocab, embeddingSize: 8, hiddenSize: 32,
  numLayers: 2, outputSize: vocab, dropout: 0.2, seed: 3 });
const resume = existsSync(join(root, 'latest'));
if (resume) process.stdout.write('resume\\n');
await core.train({
  model,
  train: core.tokenStream({ data: ids, steps, batch }),
  valid: core.tokenStream({ data: ids.slice(0, 40), steps: 40, batch: 1 }),
  truncation: core.fixedTruncation(5),
  optimizer: { name: 'adam', learningRate: 0.01 },
  clip: { norm: 1 },
  evaluation: { every: 6 },
  seed: 2,
  stop: { updates: ${UPDATES} },
  checkpoint: { dir: root, every: 2, keep: 2 },
  ...(resume ? { resumeFrom: root } : {}),
  onEvent: (e) => { if (e.type === 'step' && e.update % 2 === 0) process.stdout.write('write ' + e.update + '\\n'); },
});
writeFileSync(out, new Uint8Array(serializeWeights(model)));
process.stdout.write('done\\n');
`;

interface Run {
  process: ChildProcess;
  exited: Promise<number | null>;
}

function start(root: string, out: string, onLine: (line: string, run: Run) => void = () => {}): Run {
  const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', child, root, out], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  p.stderr!.on('data', (d) => {
    stderr += d;
  });
  const run: Run = {
    process: p,
    exited: new Promise((resolve, reject) => {
      p.on('exit', (code, signal) => {
        if (signal === 'SIGKILL' || code === 0) resolve(code);
        else reject(new Error(`child exited ${code} ${signal}: ${stderr}`));
      });
    }),
  };
  let buffer = '';
  p.stdout!.on('data', (d) => {
    buffer += d;
    let i = buffer.indexOf('\n');
    while (i >= 0) {
      onLine(buffer.slice(0, i), run);
      buffer = buffer.slice(i + 1);
      i = buffer.indexOf('\n');
    }
  });
  return run;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** After a kill: `latest` reads (manifest verified), or — when no pointer was written yet — the newest checkpoint does. */
function checkLoadable(root: string): string | undefined {
  if (!existsSync(root)) return undefined;
  const checkpoints = readdirSync(root)
    .filter((e) => /^update-\d{9}$/.test(e))
    .sort();
  if (existsSync(join(root, 'latest'))) return readCheckpoint(root).path;
  if (checkpoints.length === 0) return undefined;
  return readCheckpoint(join(root, checkpoints[checkpoints.length - 1]!)).path;
}

describe('fault injection: SIGKILL during checkpointing and during resume', () => {
  it('20 seeded kills: the directory always loads, and the resumed run ends bit-exact with an uninterrupted one', async () => {
    const reference = join(scratch, 'reference.safetensors');
    await start(join(scratch, 'straight'), reference).exited;
    const expected = readFileSync(reference);

    const root = join(scratch, 'killed');
    const out = join(scratch, 'killed.safetensors');
    const rng = createPrng(20_240_901, 0);
    const moments: string[] = [];
    for (let kill = 0; kill < 20; kill++) {
      // Alternate: kill d ms after the child announced a resume, or d ms after the step before checkpoint n.
      const duringResume = kill % 2 === 1 && existsSync(join(root, 'latest'));
      const delay = rng.nextFloat() * (duringResume ? 40 : 4);
      const writes = 1 + Math.floor(rng.nextFloat() * 3);
      let seen = 0;
      let armed = false;
      const run = start(root, out, (line, r) => {
        if (armed) return;
        if (line.startsWith('write ')) seen++;
        if (duringResume ? line === 'resume' : seen === writes) {
          armed = true;
          setTimeout(() => r.process.kill('SIGKILL'), delay);
        }
      });
      const code = await run.exited;
      moments.push(
        `${duringResume ? 'resume' : `write ${writes}`} + ${delay.toFixed(1)} ms: ${code ?? 'killed'}`,
      );
      if (code === 0) {
        // Finished before the kill: start the sequence over so that every kill interrupts something.
        rmSync(root, { recursive: true, force: true });
        rmSync(out, { force: true });
        continue;
      }
      checkLoadable(root);
      await sleep(1);
    }
    // The last run resumes from whatever the kills left and must match.
    await start(root, out).exited;
    expect(moments.filter((m) => m.endsWith('killed')).length).toBeGreaterThanOrEqual(15);
    expect(readFileSync(out).equals(expected), `kills: ${moments.join(', ')}`).toBe(true);
    expect(existsSync(join(root, 'lock'))).toBe(false);
    expect(readdirSync(root).filter((e) => e.startsWith('.tmp-'))).toEqual([]);
  }, 120_000);
});
