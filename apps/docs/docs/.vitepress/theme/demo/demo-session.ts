/**
 * Drives the demo's training run with the engine's `createTrainer` (init → step → … → close) so that it can
 * pause and resume between updates with every piece of state kept, and reset with every tensor freed. Between
 * bursts of updates it yields to the event loop (a MessageChannel task, which browsers do not throttle in
 * background tabs the way they throttle timers), so the page stays responsive and keeps training when hidden.
 */
import { createTrainer, type TrainEvent, type Trainer, type TrainState, yieldToEventLoop } from '@tbptt/core';
import * as tf from '@tensorflow/tfjs-core';
import { createDemoRun, type DemoRun, type DemoSettings, type ProfileSnapshot } from './demo-run';

/** Tensors alive in tfjs right now (the demo's reset must bring this back to where it started). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}

export type SessionStatus = 'idle' | 'running' | 'paused' | 'stopped' | 'failed';

/** What the page shows; plain data, copied out at each flush. */
export interface SessionSnapshot {
  status: SessionStatus;
  updates: number;
  tokens: number;
  /** Seconds spent training (updates, estimates, evaluations), pauses excluded. */
  activeSeconds: number;
  tokensPerSecond: number;
  truncation: number;
  initialTruncation: number;
  truncationChanges: number;
  losses: { update: number; loss: number }[];
  valid: { update: number; perplexity: number }[];
  ks: { update: number; K: number }[];
  /** δ̂ at the K in use, at each profile measurement (the adaptive controller's estimates, or the fixed K's). */
  deltas: { update: number; delta: number }[];
  profile: ProfileSnapshot | undefined;
  numTensors: number;
  error?: string;
}

/** Longest burst of updates before yielding (ms): keeps input and painting responsive. */
const BURST_MS = 40;

export class DemoSession {
  private run: DemoRun;
  private trainer: Trainer;
  private state: TrainState | undefined;
  private status: SessionStatus = 'idle';
  private loop: Promise<void> | undefined;
  private activeSeconds = 0;
  private readonly losses: SessionSnapshot['losses'] = [];
  private readonly valid: SessionSnapshot['valid'] = [];
  private readonly ks: SessionSnapshot['ks'] = [];
  private readonly deltas: SessionSnapshot['deltas'] = [];
  private truncationChanges = 0;
  private error: string | undefined;
  private lastProfile: ProfileSnapshot | undefined;

  constructor(
    readonly settings: DemoSettings,
    private readonly onFlush: (snapshot: SessionSnapshot) => void,
    private readonly flushEveryMs = 250,
  ) {
    this.run = createDemoRun(settings);
    this.trainer = createTrainer({ ...this.run.config, onEvent: (event) => this.onEvent(event) });
    this.trainer.open();
    this.state = this.trainer.init();
    this.ks.push({ update: 0, K: this.trainer.config.truncation.truncation(this.state.controller) });
  }

  private onEvent(event: TrainEvent): void {
    switch (event.type) {
      case 'step':
        this.losses.push({ update: event.update, loss: event.loss });
        break;
      case 'evaluate':
        if (event.split === 'valid') this.valid.push({ update: event.update, perplexity: event.perplexity });
        break;
      case 'truncation':
        this.truncationChanges++;
        this.ks.push({ update: event.update, K: event.from }, { update: event.update, K: event.to });
        break;
    }
  }

  /** Starts or resumes training. */
  start(): void {
    if (this.status === 'running' || this.status === 'stopped' || this.status === 'failed') return;
    this.status = 'running';
    this.loop = this.train();
  }

  /** Pauses after the current update; resolves once no update is running. */
  async pause(): Promise<void> {
    if (this.status !== 'running') return;
    this.status = 'paused';
    await this.loop;
    this.flush();
  }

  /** Stops training and frees every tensor of the run (weights, optimiser slots, carried state). */
  async dispose(): Promise<void> {
    if (this.status === 'running') this.status = 'paused';
    await this.loop;
    this.trainer.close(this.state);
    this.state = undefined;
    this.run.model.dispose();
    this.status = 'stopped';
  }

  snapshot(): SessionSnapshot {
    const s = this.state;
    const controller = this.trainer.config.truncation;
    const truncation = s ? controller.truncation(s.controller) : (this.ks.at(-1)?.K ?? 0);
    const updates = s?.update ?? this.losses.length;
    const tokens = s?.tokens ?? 0;
    return {
      status: this.status,
      updates,
      tokens,
      activeSeconds: this.activeSeconds,
      tokensPerSecond: this.activeSeconds > 0 ? tokens / this.activeSeconds : 0,
      truncation,
      initialTruncation: this.ks[0]?.K ?? truncation,
      truncationChanges: this.truncationChanges,
      losses: this.losses,
      valid: this.valid,
      ks: [...this.ks, { update: updates, K: truncation }],
      deltas: this.deltas,
      profile: this.run.latestProfile(),
      numTensors: tf.memory().numTensors,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** δ̂(K) of the K in use from each new profile: index K − 1, the last value beyond the window. */
  private recordProfile(): void {
    const p = this.run.latestProfile();
    if (!p || p === this.lastProfile) return;
    this.lastProfile = p;
    const delta = p.relativeBias[Math.min(p.truncation, p.relativeBias.length) - 1]!;
    if (Number.isFinite(delta) && delta > 0) this.deltas.push({ update: p.update, delta });
  }

  private flush(): void {
    this.onFlush(this.snapshot());
  }

  private async train(): Promise<void> {
    let lastFlush = 0;
    try {
      while (this.status === 'running' && this.state) {
        const burst = performance.now();
        while (this.status === 'running' && performance.now() - burst < BURST_MS) {
          if (this.trainer.stopReason(this.state)) {
            this.status = 'stopped';
            break;
          }
          const t0 = performance.now();
          this.state = this.trainer.step(this.state);
          this.activeSeconds += (performance.now() - t0) / 1000;
          this.recordProfile();
        }
        if (performance.now() - lastFlush >= this.flushEveryMs) {
          lastFlush = performance.now();
          this.flush();
        }
        await yieldToEventLoop();
      }
    } catch (error) {
      this.status = 'failed';
      this.error = (error as Error).message ?? String(error);
    }
    this.flush();
  }
}
