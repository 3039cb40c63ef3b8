import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readCheckpoint, type Stream, train, writeCheckpoint } from '../src/index';
import { escapeRegExp, scratch, stepsIn, tinyModel, tinyRun } from './fixtures/reliability-run';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});
function dir(prefix: string): string {
  const d = scratch(prefix);
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A finished run's checkpoint root (8 updates, checkpoints at 4 and 8). */
async function checkpointed(): Promise<string> {
  const root = dir('resume');
  const { model, config } = tinyRun({ checkpoint: { dir: root, every: 4 } });
  await train(config);
  model.dispose();
  return root;
}

/** Rewrites one file of checkpoint `ck` and, when `manifest` is true, its manifest entry (a consistent edit). */
function rewrite(ck: string, file: string, bytes: Uint8Array, manifest: boolean) {
  writeFileSync(join(ck, file), bytes);
  if (!manifest) return;
  const m = JSON.parse(readFileSync(join(ck, 'manifest.json'), 'utf8'));
  m.files[file] = { size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
  writeFileSync(join(ck, 'manifest.json'), JSON.stringify(m));
}

/** The data floats of weights.safetensors start after the 8-byte length and the JSON header. */
function dataStart(bytes: Uint8Array): number {
  return 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
}

const weightsOf = (model: { variables: readonly tf.Variable[] }) =>
  model.variables.map((v) => Array.from(v.dataSync()));

async function resumeRefused(root: string, pattern: RegExp, overrides = {}, model = tinyModel()) {
  const before = weightsOf(model);
  const { config, events } = tinyRun({ resumeFrom: root, stop: { updates: 12 }, ...overrides }, model);
  await expect(train(config)).rejects.toThrow(pattern);
  expect(stepsIn(events)).toBe(0);
  // A failed resume leaves the model's weights as they were.
  expect(weightsOf(model)).toEqual(before);
  model.dispose();
}

describe('issue 9 item 6: a resume validates the whole checkpoint before touching the model', () => {
  it('10 flipped data floats in weights.safetensors: manifest mismatch naming the file', async () => {
    const root = await checkpointed();
    const ck = join(root, 'update-000000008');
    const bytes = new Uint8Array(readFileSync(join(ck, 'weights.safetensors')));
    const start = dataStart(bytes);
    for (let i = 0; i < 10; i++) bytes[start + 4 * i + 3]! ^= 0x40; // flip an exponent bit of 10 floats
    rewrite(ck, 'weights.safetensors', bytes, false);
    await resumeRefused(
      root,
      new RegExp(
        `readCheckpoint: ${escapeRegExp(join(ck, 'weights.safetensors'))} does not match its sha256 in the manifest`,
      ),
    );
  });

  it('NaN weights (with a consistent manifest) are refused, naming the tensor', async () => {
    const root = await checkpointed();
    const ck = join(root, 'update-000000008');
    const bytes = new Uint8Array(readFileSync(join(ck, 'weights.safetensors')));
    new DataView(bytes.buffer).setFloat32(dataStart(bytes) + 8, Number.NaN, true);
    rewrite(ck, 'weights.safetensors', bytes, true);
    await resumeRefused(root, /weights\.safetensors tensor .* holds NaN at index \d+/);
  });

  it('another dropout or seed on resume is refused, naming the field', async () => {
    const root = await checkpointed();
    await resumeRefused(
      root,
      /written by another model \(dropout: checkpoint 0, this run 0\.3\); resume with the same model settings/,
      {},
      tinyModel({ dropout: 0.3 }),
    );
    await resumeRefused(root, /seed: checkpoint 1, this run 2/, {}, tinyModel({ seed: 2 }));
  });

  it('a stream position beyond the stream is refused', async () => {
    const root = await checkpointed();
    const ck = join(root, 'update-000000008');
    const t = JSON.parse(readFileSync(join(ck, 'trainer.json'), 'utf8'));
    t.position = 10_000;
    rewrite(ck, 'trainer.json', new TextEncoder().encode(JSON.stringify(t)), true);
    await resumeRefused(root, /holds stream position 10000 .* outside \[0, 39\]/);
  });

  it('a state file of another batch names the batch (was tensor2d() requires shape…)', async () => {
    const root = await checkpointed();
    const { tokenStream } = await import('../src/index');
    const { ids } = await import('./fixtures/reliability-run');
    await resumeRefused(root, /trained on a stream of 39 steps × 2 columns, this run.s has 19 × 4/, {
      train: tokenStream({ data: ids, steps: 20, batch: 4 }),
    });
  });
});

describe('issue 9 item 8: messages name the file, field, value and fix', () => {
  it('trainer.json = {"version":1}: says the version and what this engine reads', async () => {
    const root = await checkpointed();
    const ck = join(root, 'update-000000008');
    rewrite(ck, 'trainer.json', new TextEncoder().encode('{"version":1}'), true);
    await resumeRefused(root, /trainer\.json version 1; this engine reads version 2/);
  });

  it('a missing weights.safetensors names the file', async () => {
    const root = await checkpointed();
    const ck = join(root, 'update-000000008');
    rmSync(join(ck, 'weights.safetensors'));
    await resumeRefused(
      root,
      new RegExp(`readCheckpoint: ${escapeRegExp(join(ck, 'weights.safetensors'))} is missing \\(ENOENT\\)`),
    );
  });

  it('NaN and ∞ learning rates print as NaN / Infinity, not null', async () => {
    for (const [value, shown] of [
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
    ] as const) {
      const { model, config } = tinyRun({ optimizer: { name: 'adam', learningRate: value } });
      await expect(train(config)).rejects.toThrow(`learningRate must be a finite number > 0, got ${shown}`);
      model.dispose();
    }
  });

  it('train: undefined names the field', async () => {
    const { model, config } = tinyRun();
    await expect(train({ ...config, train: undefined as unknown as Stream })).rejects.toThrow(
      /train: train must be a Stream .*, got undefined/,
    );
    model.dispose();
  });

  it('keep is validated (0, −1, NaN, 1.5)', async () => {
    for (const keep of [0, -1, Number.NaN, 1.5]) {
      const { model, config } = tinyRun({ checkpoint: { dir: dir('keep'), keep } });
      await expect(train(config)).rejects.toThrow(
        `train: checkpoint.keep must be a positive integer (checkpoints kept), got ${keep}`,
      );
      model.dispose();
    }
    const files = { weights: new Uint8Array(), optimizer: new Map(), state: new Map(), trainer: {} };
    expect(() => writeCheckpoint(dir('keep'), 'update-000000001', files, 0)).toThrow(
      'writeCheckpoint: keep must be a positive integer',
    );
  });

  it("a user's own file named like update-000000005 in the checkpoint root is never deleted", async () => {
    const root = dir('userfile');
    writeFileSync(join(root, 'update-000000001'), 'my notes');
    const { model, config } = tinyRun({ checkpoint: { dir: root, every: 2, keep: 1 } });
    await train(config);
    expect(readFileSync(join(root, 'update-000000001'), 'utf8')).toBe('my notes');
    model.dispose();
  });
});

describe('issue 9 item 3: good means good', () => {
  it('rnn_relu, SGD lr 50, checkpoint every 2, maxNonFinite 3: no diverged weights are checkpointed as good', async () => {
    const root = dir('diverge');
    const model = tinyModel({ cell: 'rnn_relu', hiddenSize: 8 });
    const { config, events } = tinyRun(
      {
        optimizer: { name: 'sgd', learningRate: 50 },
        checkpoint: { dir: root, every: 2 },
        maxNonFinite: 3,
        stop: { updates: 200 },
      },
      model,
    );
    await expect(train(config)).rejects.toThrow(
      /3 non-finite updates in a row .*no healthy checkpoint was written .*Start again with a lower learning rate or with clipping/,
    );
    // Before: update-000000002 was written and named "the last good checkpoint", its weights reaching 4.6e9.
    expect(events.filter((e) => e.type === 'checkpoint')).toEqual([]);
    const refused = events.filter((e) => e.type === 'checkpointFailed');
    expect(refused.length).toBeGreaterThan(0);
    expect((refused[0] as { message: string }).message).toMatch(
      /not written: (the loss has exploded|the weights are not finite)/,
    );
    expect(readdirSync(root).filter((e) => e.startsWith('update-'))).toEqual([]);
    model.dispose();
  });

  it('diverging after a healthy checkpoint: its weights are restored, named, healthy, and resume with lr 0.01 + clip', async () => {
    const root = dir('restore');
    const model = tinyModel({ cell: 'rnn_relu', hiddenSize: 8 });
    const { config } = tinyRun(
      {
        checkpoint: { dir: root, every: 2 },
        maxNonFinite: 3,
        stop: { updates: 200 },
        onEvent: (e) => {
          // Divergence after update 5: the weights blow up (as a too-large step would make them).
          if (e.type === 'step' && e.update === 5) {
            const v = model.variables[0]!;
            v.assign(tf.fill(v.shape, 1e30));
          }
        },
      },
      model,
    );
    const error = (await train(config).catch((e: Error) => e)) as Error;
    const ck4 = join(root, 'update-000000004');
    expect(error.message).toContain(`the last good checkpoint ${ck4} were restored in memory`);
    expect(error.message).toContain(`resumeFrom: '${ck4}'`);
    const ck = readCheckpoint(ck4);
    const weights = [...decodeSafetensors(ck.weights).tensors.values()].flatMap((t) => Array.from(t.data));
    expect(weights.every((w) => Number.isFinite(w) && Math.abs(w) < 10)).toBe(true);
    expect(new Set(weightsOf(model).flat())).toEqual(new Set(weights));
    const resumed = tinyRun(
      {
        resumeFrom: ck4,
        optimizer: { name: 'sgd', learningRate: 0.01 },
        clip: { norm: 1 },
        stop: { updates: 10 },
      },
      tinyModel({ cell: 'rnn_relu', hiddenSize: 8 }),
    );
    const result = await train(resumed.config);
    expect(result.updates).toBe(10);
    expect(resumed.events.filter((e) => e.type === 'nonFinite')).toEqual([]);
    expect(resumed.events.find((e) => e.type === 'step')).toMatchObject({ update: 5, learningRate: 0.01 });
    resumed.model.dispose();
    model.dispose();
  });
});

describe('issue 9 item 10: the wall-time budget includes the final evaluation', () => {
  it('with a clock where evaluation is slow, the run ends (final validation and test included) within the budget', async () => {
    let now = 0;
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      /** Every slice advances the virtual clock: 10 ms per training window, 300 ms per evaluation chunk. */
      const timed = (stream: Stream, ms: number): Stream =>
        Object.assign(Object.create(stream) as Stream, {
          slice: (a: number, b: number) => {
            now += ms;
            return stream.slice(a, b);
          },
        });
      const base = tinyRun();
      const { model, config } = tinyRun({
        train: timed(base.config.train, 10),
        valid: timed(base.config.valid!, 300),
        test: timed(base.config.test!, 300),
        evaluation: { every: 5, chunk: 5 },
        stop: { wallTimeSeconds: 3 },
      });
      base.model.dispose();
      const result = await train(config);
      expect(result.stoppedBy).toBe('wallTime');
      expect(now / 1000).toBeLessThanOrEqual(3);
      expect(result.elapsedSeconds).toBeLessThanOrEqual(3);
      expect(result.testAtBest).toBeDefined();
      model.dispose();
      // No validation split, so no evaluation was timed before the end: one chunk of the test split is timed
      // before the first update and scaled to the split.
      now = 0;
      const testOnly = tinyRun({
        train: timed(base.config.train, 10),
        valid: undefined,
        test: timed(base.config.test!, 6.25),
        evaluation: { chunk: 5 },
        stop: { wallTimeSeconds: 1 },
      });
      const second = await train(testOnly.config);
      expect(second.stoppedBy).toBe('wallTime');
      expect(now / 1000).toBeLessThanOrEqual(1);
      expect(second.testAtBest).toBeDefined();
      testOnly.model.dispose();
      // A slow first update (warm-up) and a cheap evaluation: the budget is not cut short. (Projecting the
      // evaluation from training speed stopped such a run after one update.)
      now = 0;
      let windows = 0;
      const warm = Object.assign(Object.create(base.config.train) as Stream, {
        slice: (a: number, b: number) => {
          now += windows++ === 0 ? 3000 : 10;
          return base.config.train.slice(a, b);
        },
      });
      const slowStart = tinyRun({
        train: warm,
        valid: timed(base.config.valid!, 1),
        test: timed(base.config.test!, 1),
        stop: { wallTimeSeconds: 10, updates: 200 },
      });
      const third = await train(slowStart.config);
      expect(third.stoppedBy).toBe('updates');
      slowStart.model.dispose();
    } finally {
      spy.mockRestore();
    }
  });
});
