/**
 * The training thread. The engine's loop is synchronous, so it runs here while the main thread stays free to
 * catch SIGINT / SIGTERM, draw the progress bar and write the metrics. Protocol (messages to the parent):
 * `ready` (everything built and checked, nothing written) → waits for `go` → `event`… → `done` | `error`.
 * Interrupts arrive through a shared flag read after every update.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { profileToJson } from '@tbptt/estimators';
import { initialTruncation, prepareRun, runTraining } from './engine/build-run';
import { measureProfile } from './engine/model-tools';
import { oneLine, UsageError } from './errors';
import type { TrainOptions } from './options/train-options';
import { parseTruncation } from './options/truncation-spec';

export interface WorkerInput {
  options: TrainOptions;
  checkpointDir: string;
  resumeFrom?: string;
  abortBuffer: SharedArrayBuffer;
}

const port = parentPort!;
const input = workerData as WorkerInput;

async function main(): Promise<void> {
  const { options } = input;
  const run = await prepareRun(options);
  port.postMessage({ kind: 'ready', info: run.info, vocab: run.task.vocab ?? null });
  const go = await new Promise<{ kind: string; resumedAt?: number }>((resolve) =>
    port.once('message', resolve),
  );
  if (go.kind !== 'go') return;
  const finished = await runTraining(options, run, {
    checkpointDir: input.checkpointDir,
    ...(input.resumeFrom === undefined ? {} : { resumeFrom: input.resumeFrom }),
    abortFlag: new Int32Array(input.abortBuffer),
    onEvent: (event) => port.postMessage({ kind: 'event', event }),
  });
  // The gradient-norm profile at the final weights, for `report`'s φ̂ and δ̂(K) plots.
  let profile: unknown = null;
  if (finished.result.stoppedBy !== 'aborted') {
    const synthetic = run.task.kind === 'synthetic';
    const window = options.window ?? (synthetic ? 100 : 200);
    // The point-process preset's burn-in is 2 (temporal_pp_script.py); the others' W / 10.
    const burnIn = options.burnIn ?? (run.task.kind === 'point-process' ? 2 : Math.floor(window / 10));
    if (window + burnIn <= run.task.train.steps) {
      const p = measureProfile(run.model, run.task.train, {
        window,
        burnIn,
        samples: options.samples ?? 32,
        seed: options.seed,
      });
      profile = {
        version: 1,
        update: finished.result.updates,
        truncation: finished.result.finalTruncation,
        method: parseTruncation(options.truncation).kind,
        initialK: initialTruncation(run.controller),
        total: profileToJson(p.total),
        components: Object.fromEntries(Object.entries(p.components).map(([name, c]) => [name, safeJson(c)])),
      };
    }
  }
  run.model.dispose();
  port.postMessage({ kind: 'done', ...finished, profile });
}

function safeJson(profile: Parameters<typeof profileToJson>[0]): unknown {
  try {
    return profileToJson(profile);
  } catch {
    return null;
  }
}

main().catch((error: unknown) => {
  port.postMessage({ kind: 'error', message: oneLine(error), usage: error instanceof UsageError });
});
