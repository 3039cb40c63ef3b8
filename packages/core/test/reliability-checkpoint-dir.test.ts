import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { readCheckpoint, train } from '../src/index';
import { escapeRegExp, scratch, stepsIn, tinyRun, tmpfs } from './fixtures/reliability-run';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});
function dir(prefix: string): string {
  const d = scratch(prefix);
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Runs and expects a refusal before the first update whose message matches `pattern`. */
async function refusedBeforeFirstUpdate(checkpointDir: string, pattern: RegExp) {
  const { model, config, events } = tinyRun({ checkpoint: { dir: checkpointDir, every: 2 } });
  const before = tf.memory().numTensors;
  await expect(train(config)).rejects.toThrow(pattern);
  expect(stepsIn(events)).toBe(0);
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
}

describe('issue 9 item 1: checkpoint-directory errors come before the first update, naming the path', () => {
  it('dir is a file (was EEXIST at the first checkpoint)', async () => {
    const file = join(dir('ckfile'), 'a-file');
    writeFileSync(file, 'mine');
    await refusedBeforeFirstUpdate(file, new RegExp(`checkpoint\\.dir ${escapeRegExp(file)} is .*a file`));
  });

  it('dir is under a file (was ENOTDIR)', async () => {
    const file = join(dir('ckunder'), 'a-file');
    writeFileSync(file, 'mine');
    const under = join(file, 'checkpoints');
    await refusedBeforeFirstUpdate(under, new RegExp(`checkpoint\\.dir ${escapeRegExp(under)} is .*a file`));
  });

  it("dir is '' (refused as a field, not resolved to the working directory)", async () => {
    await refusedBeforeFirstUpdate('', /train: checkpoint\.dir must be a non-empty directory path, got ""/);
    await refusedBeforeFirstUpdate('  ', /checkpoint\.dir must be a non-empty directory path/);
  });

  it('dir is not writable (EACCES as a user; a read-only mount as root)', async (context) => {
    if (process.getuid?.() !== 0) {
      const d = dir('ckro');
      chmodSync(d, 0o555);
      cleanup.push(() => chmodSync(d, 0o755));
      await refusedBeforeFirstUpdate(
        join(d, 'run'),
        new RegExp(`${escapeRegExp(join(d, 'run'))} is not writable`),
      );
      return;
    }
    const mount = tmpfs('1m', true);
    if (typeof mount === 'string') {
      console.log(`skipped (root cannot be denied by permissions, and ${mount})`);
      context.skip();
      return;
    }
    cleanup.push(() => rmSync(mount.dir, { recursive: true, force: true }));
    cleanup.push(mount.unmount);
    await refusedBeforeFirstUpdate(
      mount.dir,
      new RegExp(`${escapeRegExp(mount.dir)} is not writable \\(read-only`),
    );
  });

  it('disk full (ENOSPC): the free-space estimate refuses before training', async (context) => {
    const mount = tmpfs('64k');
    if (typeof mount === 'string') {
      console.log(`skipped (${mount})`);
      context.skip();
      return;
    }
    cleanup.push(() => rmSync(mount.dir, { recursive: true, force: true }));
    cleanup.push(mount.unmount);
    await refusedBeforeFirstUpdate(
      mount.dir,
      new RegExp(`${escapeRegExp(mount.dir)} has 0\\.1 MiB free, a checkpoint needs about .* MiB`),
    );
    expect(readdirSync(mount.dir)).toEqual([]);
  });

  it('disk fills mid-run (ENOSPC): checkpointFailed events, training goes on, a result with the test score, no .tmp-* left', async (context) => {
    const mount = tmpfs('8m');
    if (typeof mount === 'string') {
      console.log(`skipped (${mount})`);
      context.skip();
      return;
    }
    cleanup.push(() => rmSync(mount.dir, { recursive: true, force: true }));
    cleanup.push(mount.unmount);
    const root = join(mount.dir, 'run');
    let filled = false;
    const { model, config, events } = tinyRun({
      checkpoint: { dir: root, every: 2 },
      evaluation: { every: 2 },
      onEvent: (e) => {
        if (e.type === 'step' && e.update === 3 && !filled) {
          filled = true;
          // Fill the file system: the checkpoint at update 4 cannot be written.
          try {
            writeFileSync(join(mount.dir, 'filler'), new Uint8Array(8 * 2 ** 20));
          } catch {
            // ENOSPC once full: what we want
          }
        }
      },
    });
    const result = await train(config);
    const failed = events.filter((e) => e.type === 'checkpointFailed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]).toMatchObject({ update: 4, path: join(root, 'update-000000004') });
    expect((failed[0] as { message: string }).message).toMatch(/ENOSPC/);
    expect(result.updates).toBe(8);
    expect(result.testAtBest?.loss).toBeGreaterThan(0);
    expect(result.checkpoint).toBe(join(root, 'update-000000002'));
    expect(readdirSync(root).filter((e) => e.startsWith('.tmp-'))).toEqual([]);
    expect(readCheckpoint(root).path).toBe(join(root, 'update-000000002'));
    model.dispose();
  });

  it('the directory is replaced by a file mid-run (works without root): the run still returns its result', async () => {
    const root = join(dir('ckmid'), 'run');
    const { model, config, events } = tinyRun({
      checkpoint: { dir: root, every: 2 },
      onEvent: (e) => {
        if (e.type === 'step' && e.update === 3) {
          rmSync(root, { recursive: true, force: true });
          writeFileSync(root, 'not a directory any more');
        }
      },
    });
    const result = await train(config);
    const failed = events.filter((e) => e.type === 'checkpointFailed');
    expect(failed.map((e) => e.update)).toEqual([4, 6, 8]);
    expect((failed[0] as { message: string }).message).toContain(join(root, 'update-000000004'));
    expect(result.updates).toBe(8);
    expect(result.testAtBest?.loss).toBeGreaterThan(0);
    expect(result.bestValid).toBeDefined();
    model.dispose();
  });

  it('stale .tmp-* directories a killed run left are removed at start', async () => {
    const root = dir('ckstale');
    mkdirSync(join(root, '.tmp-update-000000004-99999'));
    writeFileSync(join(root, '.tmp-update-000000004-99999', 'weights.safetensors'), 'partial');
    const { model, config } = tinyRun({ checkpoint: { dir: root, every: 4 } });
    await train(config);
    expect(readdirSync(root).sort()).toEqual(['latest', 'update-000000004', 'update-000000008']);
    model.dispose();
  });
});

describe('issue 9 item 4: one writer per checkpoint directory', () => {
  it('a second run into the same directory fails at start, before any update, and leaves the first run intact', async () => {
    const root = dir('cklock');
    let second: Promise<unknown> | undefined;
    const secondRun = tinyRun({ checkpoint: { dir: root, every: 2 } });
    const first = tinyRun({
      checkpoint: { dir: root, every: 2 },
      onEvent: (e) => {
        // While the first run holds the lock (and after it wrote a temp dir once), start the second.
        if (e.type === 'checkpoint' && e.update === 2 && !second) {
          mkdirSync(join(root, `.tmp-update-000000099-${process.pid}`)); // as if the first run were mid-write
          second = train(secondRun.config).catch((error: Error) => error);
        }
      },
    });
    const result = await train(first.config);
    const error = (await second) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(
      new RegExp(
        `train: checkpoint\\.dir ${escapeRegExp(root)} is in use by another run \\(pid ${process.pid} on .*\\); give this run its own directory`,
      ),
    );
    expect(stepsIn(secondRun.events)).toBe(0);
    expect(result.checkpoint).toBe(join(root, 'update-000000008'));
    // The second run removed nothing of the first's (its temp dirs included) and wrote nothing.
    expect(existsSync(join(root, `.tmp-update-000000099-${process.pid}`))).toBe(true);
    const ck = readCheckpoint(root);
    expect((ck.trainer as { update: number }).update).toBe(8);
    expect(existsSync(join(root, 'lock'))).toBe(false);
    first.model.dispose();
    secondRun.model.dispose();
  });

  it('a stale lock (its process is gone) is taken over', async () => {
    const root = dir('ckstalelock');
    writeFileSync(
      join(root, 'lock'),
      JSON.stringify({ pid: 2 ** 22 + 1, host: (await import('node:os')).hostname(), started: 'then' }),
    );
    const { model, config } = tinyRun({ checkpoint: { dir: root, every: 4 } });
    const result = await train(config);
    expect(result.checkpoint).toBe(join(root, 'update-000000008'));
    model.dispose();
  });
});
