import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedTruncation, tokenStream, train } from '../src/index';
import { tinyRnn } from './fixtures/tiny-models';

const batch = 4;
const tokens = new Int32Array(40 * batch).map((_, i) => (i * 7 + (i >> 3)) % 5);
const stream = () => tokenStream({ data: tokens, steps: tokens.length / batch, batch });

/**
 * A fake process clock: every update costs exactly one CPU second, so a run's CPU time is known in advance
 * (whatever the machine is doing) and the counting can be checked exactly, across a resume too.
 */
let fakeCpu = 0;
afterEach(() => {
  vi.restoreAllMocks();
});

async function run(updates: number, extra: { checkpoint?: { dir: string }; resumeFrom?: string }) {
  const model = tinyRnn({ vocab: 5, hidden: 3 });
  try {
    return await train({
      model,
      train: stream(),
      truncation: fixedTruncation(5),
      optimizer: { name: 'sgd', learningRate: 0.1 },
      stop: { updates },
      onEvent: (e) => {
        if (e.type === 'step') fakeCpu += 1;
      },
      ...extra,
    });
  } finally {
    model.dispose();
  }
}

describe('train counts the CPU seconds of the process', () => {
  it('from process.cpuUsage, continued across a resume from the checkpoint', async () => {
    vi.spyOn(process, 'cpuUsage').mockImplementation(() => ({ user: fakeCpu * 1e6, system: 0 }));
    const dir = mkdtempSync(join(tmpdir(), 'tbptt-cpu-'));
    try {
      fakeCpu = 100; // an arbitrary start: only differences count
      const first = await run(6, { checkpoint: { dir } });
      expect(first.cpuSeconds).toBe(6);
      fakeCpu = 500; // another process, another clock origin
      const second = await run(10, { resumeFrom: dir });
      expect(second.updates).toBe(10);
      expect(second.cpuSeconds).toBe(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is 0 where the runtime has no process.cpuUsage (browsers)', async () => {
    const original = process.cpuUsage;
    (process as { cpuUsage?: unknown }).cpuUsage = undefined;
    try {
      const result = await run(3, {});
      expect(result.cpuSeconds).toBe(0);
    } finally {
      process.cpuUsage = original;
    }
  });
});
