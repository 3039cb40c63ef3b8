import cliProgress from 'cli-progress';
import type { RunEvent, RunInfo, RunResult, StepRecord } from '../run-events';
import { bias, grouped, ppl, rate, seconds } from './format';

/** bar: a progress bar (TTY); lines: word_language_model-style lines; json: one object per line; quiet: summary only. */
export type ViewMode = 'bar' | 'lines' | 'json' | 'quiet';

export interface Budget {
  epochs?: number;
  updates?: number;
  /** Training tokens (the step events' `tokens`). */
  tokens?: number;
  maxTime?: number;
}

/**
 * Shows a run as it trains. `bar` keeps one progress bar at the bottom (epoch, windows of the epoch, ETA,
 * loss, perplexity, K, tokens/s) and prints evaluations and K changes above it; `lines` prints a line every
 * `logInterval` updates, as PyTorch's word_language_model does; `json` prints every event as a JSON line.
 */
export class ProgressView {
  private multibar?: cliProgress.MultiBar;
  private bar?: cliProgress.SingleBar;
  private epochStartUpdate = 0;
  private epoch = -1;
  private lossSum = 0;
  private lossCount = 0;
  private lastLineAt = { update: 0, seconds: 0 };
  private lastStep?: StepRecord;
  /** Point-process tasks show NLL, RMSE(Δt) and 0-1 loss instead of perplexity. */
  private pointProcess = false;

  constructor(
    private readonly mode: ViewMode,
    private readonly budget: Budget,
    private readonly logInterval: number,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  /** The first lines: what is trained, and chance level. */
  start(info: RunInfo, outDir: string): void {
    this.pointProcess = info.metrics === 'point-process';
    if (this.mode === 'json') {
      this.json({ type: 'start', ...info, out: outDir });
      return;
    }
    if (this.mode === 'quiet') return;
    this.print(`tbptt train: ${info.description}`);
    this.print(
      `model: ${info.model}, ${grouped(info.parameters)} parameters; backend ${info.backend}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`,
    );
    this.print(
      this.pointProcess
        ? `truncation: ${info.truncation}; scored by NLL per event, RMSE of the next gap and 0-1 loss of the next mark (${info.vocabSize} marks)`
        : `truncation: ${info.truncation}; chance perplexity ${info.chancePerplexity.toFixed(2)} (uniform over ${grouped(info.vocabSize)} tokens)`,
    );
    this.print(
      `run directory: ${outDir}${info.resumedAt === undefined ? '' : ` (resumed at update ${info.resumedAt})`}`,
    );
    if (this.mode === 'bar') {
      this.multibar = new cliProgress.MultiBar(
        {
          format: this.pointProcess
            ? 'epoch {epoch} {bar} {windows} windows | ETA {eta_text} | NLL {loss} | K {K} | {rate} events/s'
            : 'epoch {epoch} {bar} {windows} windows | ETA {eta_text} | loss {loss} | ppl {ppl} | K {K} | {rate} tok/s',
          barCompleteChar: '█',
          barIncompleteChar: '░',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          stopOnComplete: false,
          fps: 5,
          stream: this.out,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.multibar.create(1000, 0, this.payload());
    }
  }

  event(event: RunEvent): void {
    if (this.mode === 'json') {
      this.json(event);
      return;
    }
    if (this.mode === 'quiet') return;
    switch (event.type) {
      case 'step':
        this.step(event);
        break;
      case 'evaluate': {
        const scores = this.pointProcess
          ? `${event.split} NLL ${event.loss.toFixed(4)} | RMSE(Δt) ${gap(event.rmse)} | 0-1 loss ${fractionText(event.errorRate)}`
          : `${event.split} loss ${event.loss.toFixed(4)} | ${event.split} ppl ${ppl(event.perplexity)}`;
        if (event.split === 'test') {
          this.print(`| end of training | ${scores} | (weights of the best valid) |`);
          break;
        }
        this.print(
          `| update ${pad(event.update, 6)} | epoch ${pad(event.epoch + 1, 3)} | ${scores} |${event.best ? ' best |' : ''}`,
        );
        break;
      }
      case 'estimate': {
        const change =
          event.chosen === event.truncation
            ? `K stays ${event.chosen}`
            : `K ${event.truncation} → ${event.chosen}`;
        const at = `δ̂(${event.truncation}) ${bias(event.deltaAtCurrent)}${event.chosen === event.truncation ? '' : ` | δ̂(${event.chosen}) ${bias(event.deltaAtChosen)}`}`;
        this.print(
          `| update ${pad(event.update, 6)} | ${change} | β̂ ${event.beta.toFixed(4)} | ${at} | estimated in ${event.seconds.toFixed(1)} s |`,
        );
        break;
      }
      case 'bias':
        this.print(
          `| update ${pad(event.update, 6)} | bias at K ${event.truncation}: δ̂ ${bias(event.deltaAtK)}, β̂ ${event.beta.toFixed(4)} | κ̂ ${event.kappa.map((k) => `${k.delta}→${k.K}`).join(' ')} |`,
        );
        break;
      case 'learningRate':
        this.print(
          `| update ${pad(event.update, 6)} | validation did not improve: learning rate ${event.from} → ${event.to} |`,
        );
        break;
      case 'nonFinite':
        this.print(
          `| update ${pad(event.update, 6)} | non-finite loss or gradient (${event.consecutive} in a row): update skipped |`,
        );
        break;
      case 'checkpointFailed':
        this.print(`| update ${pad(event.update, 6)} | checkpoint failed: ${event.message} |`);
        break;
      default:
        break;
    }
  }

  private step(step: StepRecord): void {
    if (step.epoch !== this.epoch) {
      this.epoch = step.epoch;
      this.epochStartUpdate = this.lastStep?.update ?? step.update - 1;
    }
    this.lastStep = step;
    this.lossSum += step.loss;
    this.lossCount++;
    if (this.mode === 'bar') {
      this.bar?.update(Math.round(1000 * this.fraction(step)), this.payload(step));
      return;
    }
    if (step.update % this.logInterval !== 0) return;
    const loss = this.lossSum / this.lossCount;
    const msPerUpdate =
      (1000 * (step.elapsedSeconds - this.lastLineAt.seconds)) /
      Math.max(1, step.update - this.lastLineAt.update);
    const { done, total } = this.windows(step);
    const scores = this.pointProcess
      ? `NLL ${loss.toFixed(4)}`
      : `loss ${loss.toFixed(4)} | ppl ${ppl(Math.exp(loss))}`;
    this.print(
      `| epoch ${pad(step.epoch + 1, 3)} | ${pad(done, 5)}/${pad(total, 5)} windows | lr ${step.learningRate.toPrecision(3)} | ms/update ${msPerUpdate.toFixed(1)} | ${scores} | K ${pad(step.truncation, 3)} | ${rate(step.tokens / step.elapsedSeconds)} ${this.pointProcess ? 'events' : 'tok'}/s |`,
    );
    this.lossSum = 0;
    this.lossCount = 0;
    this.lastLineAt = { update: step.update, seconds: step.elapsedSeconds };
  }

  /** Windows of this epoch so far, and the epoch's total at the current K. */
  private windows(step: StepRecord): { done: number; total: number } {
    const done = step.update - this.epochStartUpdate;
    return { done, total: done + Math.ceil((step.steps - step.position) / step.truncation) };
  }

  /** How far the run is, 0..1, by whichever budget ends it first. */
  private fraction(step: StepRecord): number {
    const parts: number[] = [];
    if (this.budget.epochs !== undefined)
      parts.push((step.epoch + step.position / step.steps) / this.budget.epochs);
    if (this.budget.updates !== undefined) parts.push(step.update / this.budget.updates);
    if (this.budget.tokens !== undefined) parts.push(step.tokens / this.budget.tokens);
    if (this.budget.maxTime !== undefined) parts.push(step.elapsedSeconds / this.budget.maxTime);
    return Math.min(1, parts.length === 0 ? 0 : Math.max(...parts));
  }

  private payload(step?: StepRecord): Record<string, string> {
    if (!step) return { epoch: '1', windows: '0/?', eta_text: '?', loss: '–', ppl: '–', K: '–', rate: '–' };
    const loss = this.lossSum / Math.max(1, this.lossCount);
    if (this.lossCount >= 50) {
      this.lossSum = loss * 10;
      this.lossCount = 10;
    }
    const f = this.fraction(step);
    const eta = f > 0 ? (step.elapsedSeconds * (1 - f)) / f : Number.NaN;
    const { done, total } = this.windows(step);
    return {
      epoch: String(step.epoch + 1),
      windows: `${done}/${total}`,
      eta_text: seconds(eta),
      loss: loss.toFixed(4),
      ppl: ppl(Math.exp(loss)),
      K: String(step.truncation),
      rate: rate(step.tokens / step.elapsedSeconds),
    };
  }

  /** A line above the bar (or a plain line). */
  print(line: string): void {
    if (this.mode === 'json' || this.mode === 'quiet') return;
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.out.write(`${line}\n`);
  }

  /** Stops the bar (before the summary, or on error). */
  stop(): void {
    this.multibar?.stop();
    this.multibar = undefined;
    this.bar = undefined;
  }

  /** The closing summary (printed in every mode; JSON in json mode). */
  summary(
    result: RunResult,
    outDir: string,
    summary: Record<string, unknown>,
    pointProcess = this.pointProcess,
  ): void {
    this.stop();
    if (this.mode === 'json') {
      this.json({ type: 'summary', ...summary });
      return;
    }
    const lines = summaryLines(result, outDir, pointProcess);
    for (const line of lines) this.out.write(`${line}\n`);
  }

  json(value: unknown): void {
    this.out.write(`${JSON.stringify(value)}\n`);
  }
}

/** An RMSE of gaps: 4 significant digits. */
function gap(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toPrecision(4);
}

/** A fraction (the 0-1 loss): 4 decimals. */
function fractionText(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(4);
}

/** An NLL per event: 4 decimals. */
function nll(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(4);
}

/** The closing summary, one fact a line (point processes: NLL, RMSE(Δt) and 0-1 loss instead of perplexity). */
export function summaryLines(result: RunResult, outDir: string, pointProcess = false): string[] {
  const history = result.truncationHistory.map((h) => `${h.K} (update ${h.update})`).join(' → ');
  const share = result.wallSeconds > 0 ? (100 * result.estimateSeconds) / result.wallSeconds : 0;
  const at = result.bestValid ? ` (update ${result.bestValid.update})` : '';
  const scores = pointProcess
    ? [
        `best valid NLL            ${nll(result.bestValid?.loss)}${at}`,
        `  valid RMSE(Δt), 0-1     ${gap(result.bestValid?.rmse)}, ${fractionText(result.bestValid?.errorRate)}`,
        `test NLL at best          ${nll(result.testAtBest?.loss)}`,
        `  test RMSE(Δt), 0-1      ${gap(result.testAtBest?.rmse)}, ${fractionText(result.testAtBest?.errorRate)}`,
      ]
    : [
        `best valid perplexity     ${ppl(result.bestValid?.perplexity)}${at}`,
        `test perplexity at best   ${ppl(result.testAtBest?.perplexity)}`,
      ];
  return [
    '',
    `stopped by ${result.stoppedBy} after ${grouped(result.updates)} updates, ${grouped(result.tokens)} ${pointProcess ? 'events' : 'tokens'}, ${result.epochs} epochs, ${seconds(result.wallSeconds)}`,
    ...scores,
    `K settled at              ${result.finalTruncation}`,
    `K history                 ${history}`,
    `throughput                ${grouped(result.tokensPerSecond)} ${pointProcess ? 'events' : 'tokens'}/s`,
    `estimating K              ${result.estimateSeconds.toFixed(1)} s (${share.toFixed(1)} % of the time)`,
    `run directory             ${outDir}`,
  ];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width);
}
