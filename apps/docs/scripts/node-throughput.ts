/**
 * Trains the demo's run (the same settings, data and model as the page) in Node and prints its throughput,
 * to compare with the tokens/s the demo shows in a browser:
 *
 *     npx tsx apps/docs/scripts/node-throughput.ts [updates=300] [backend=wasm] [threads=1]
 *
 * tokens/s = loss positions × columns per second of training (estimates and evaluations included), as the
 * demo counts them.
 */
import { createTrainer, type TrainEvent } from '@tbptt/core';
import { type BackendName, selectBackend } from '@tbptt/models';
import { createDemoRun, DEFAULT_SETTINGS } from '../docs/.vitepress/theme/demo/demo-run';

const updates = Number(process.argv[2] ?? 300);
const backend = (process.argv[3] ?? 'wasm') as BackendName;
const threads = Number(process.argv[4] ?? 1);

const active = await selectBackend(backend, backend === 'wasm' && threads > 1 ? { threads } : {});
const run = createDemoRun({ ...DEFAULT_SETTINGS });
const losses: number[] = [];
const ks: string[] = [];
const trainer = createTrainer({
  ...run.config,
  stop: { updates },
  onEvent: (event: TrainEvent) => {
    if (event.type === 'step') losses.push(event.loss);
    if (event.type === 'truncation') ks.push(`${event.from}→${event.to}@${event.update}`);
  },
});
trainer.open();
let state = trainer.init();
const t0 = performance.now();
while (!trainer.stopReason(state)) state = trainer.step(state);
const seconds = (performance.now() - t0) / 1000;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(
  JSON.stringify({
    backend: active,
    threads,
    updates: state.update,
    tokens: state.tokens,
    seconds: Number(seconds.toFixed(2)),
    tokensPerSecond: Math.round(state.tokens / seconds),
    lossFirst20: Number(mean(losses.slice(0, 20)).toFixed(4)),
    lossLast20: Number(mean(losses.slice(-20)).toFixed(4)),
    truncationChanges: ks,
  }),
);
trainer.close(state);
run.model.dispose();
