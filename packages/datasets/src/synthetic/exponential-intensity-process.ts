import { createPrng } from '@tbptt/random';
import type { EventSequence, EventSequences } from '../events/event-sequences';
import { checkInteger, checkSeed } from '../internal/check-options';

/**
 * Parameters of the synthetic process (see {@link exponentialIntensityProcess}). Defaults give gaps of
 * mean ≈ 1 and a memory of a few events.
 */
export interface ExponentialIntensityParameters {
  /** μ: baseline log intensity (default 0). */
  base?: number;
  /** α: how much the mark history s_j moves the log intensity (default 0.6). */
  excitation?: number;
  /** ρ in [0, 1): decay of the mark history per event (default 0.7). */
  memory?: number;
  /** w ≥ 0: rate of change of the log intensity after an event (default 0.4; w < 0 could end a sequence). */
  w?: number;
  /** γ: how much the mark history favours mark 0 next (default 1.2). */
  markCoupling?: number;
}

export interface ExponentialIntensityOptions extends ExponentialIntensityParameters {
  /** Number of sequences. */
  sequences: number;
  /** Events per sequence (≥ 2). */
  events: number;
  /** Same seed and options → same sequences. */
  seed: number;
}

/** What generated each row j (predicting event j+1 of a sequence from its events 0..j), per sequence. */
export interface ExponentialIntensityTruth {
  /** Per sequence, [n − 1, 2] row-major: the log-probabilities' logits (γ s_j, 0) of the next mark. */
  readonly markLogits: readonly Float64Array[];
  /** Per sequence, [n − 1]: b_j = μ + α s_j, the log intensity right after event j. */
  readonly logIntensity: readonly Float64Array[];
  /** w of the intensity exp(b_j + w τ). */
  readonly w: number;
  /** Per sequence, [n − 1]: −log p(m_{j+1}, Δ_{j+1} | events 0..j), the exact negative log-likelihood. */
  readonly nll: readonly Float64Array[];
}

/**
 * A marked temporal point process of the RMTPP form (Du et al. 2016) with known parameters, for tests: two
 * marks, a history state
 *
 *     s_j = ρ s_{j−1} + (+1 if m_j = 0 else −1),          s_{−1} = 0 at the start of each sequence
 *
 * (an exponentially weighted mark imbalance, self-exciting like a Hawkes process), the intensity after event j
 *
 *     λ(t_j + τ) = exp(b_j + w τ),   b_j = μ + α s_j,     τ ≥ 0
 *
 * so the gap Δ_{j+1} has density f(τ) = exp(b_j + w τ − e^{b_j} (e^{wτ} − 1) / w) (sampled by inverting
 * Λ(τ) = e^{b_j}(e^{wτ} − 1)/w = E, E ~ Exp(1)), and the next mark is 0 with probability σ(γ s_j). The first
 * mark of a sequence is uniform and its time 0. An RNN reading (m_j, new-sequence flag, Δ_j) can represent
 * s_j exactly, so a trained model's NLL can approach the truth's, which is returned row by row.
 */
export function exponentialIntensityProcess(options: ExponentialIntensityOptions): {
  data: EventSequences;
  truth: ExponentialIntensityTruth;
} {
  const fn = 'exponentialIntensityProcess';
  checkInteger(fn, 'sequences', options.sequences, 1);
  checkInteger(fn, 'events', options.events, 2);
  checkSeed(fn, options.seed);
  const base = options.base ?? 0;
  const excitation = options.excitation ?? 0.6;
  const memory = options.memory ?? 0.7;
  const w = options.w ?? 0.4;
  const coupling = options.markCoupling ?? 1.2;
  for (const [name, value] of [
    ['base', base],
    ['excitation', excitation],
    ['markCoupling', coupling],
  ] as const) {
    if (!Number.isFinite(value)) throw new Error(`${fn}: ${name} must be a finite number, got ${value}`);
  }
  if (!(memory >= 0 && memory < 1)) throw new Error(`${fn}: memory must be in [0, 1), got ${memory}`);
  if (!(w >= 0 && Number.isFinite(w))) {
    throw new Error(
      `${fn}: w must be a finite number ≥ 0 (with w < 0 the next event may never come), got ${w}`,
    );
  }
  const rng = createPrng(options.seed, 'data');
  const exponential = () => -Math.log(1 - rng.nextFloat()); // nextFloat in [0, 1): 1 − u in (0, 1]
  const n = options.events;
  const sequences: EventSequence[] = [];
  const markLogits: Float64Array[] = [];
  const logIntensity: Float64Array[] = [];
  const nll: Float64Array[] = [];
  for (let i = 0; i < options.sequences; i++) {
    const marks = new Int32Array(n);
    const times = new Float64Array(n);
    const logits = new Float64Array((n - 1) * 2);
    const b = new Float64Array(n - 1);
    const rowNll = new Float64Array(n - 1);
    marks[0] = rng.nextFloat() < 0.5 ? 0 : 1;
    let s = 0;
    for (let j = 0; j + 1 < n; j++) {
      s = memory * s + (marks[j] === 0 ? 1 : -1);
      const logLambda = base + excitation * s;
      const score = coupling * s;
      const p0 = 1 / (1 + Math.exp(-score));
      const next = rng.nextFloat() < p0 ? 0 : 1;
      // Λ(τ) = e^b (e^{wτ} − 1)/w = E  ⇒  τ = log1p(w E e^{−b}) / w   (w → 0: τ = E e^{−b})
      const e = exponential();
      const gap = w === 0 ? e * Math.exp(-logLambda) : Math.log1p(w * e * Math.exp(-logLambda)) / w;
      marks[j + 1] = next;
      times[j + 1] = times[j]! + gap;
      logits[2 * j] = score;
      b[j] = logLambda;
      // −log p(mark) − log f(gap): log σ(±score) = −log1p(e^{∓score}); the integrated intensity is E itself.
      const markNll = next === 0 ? Math.log1p(Math.exp(-score)) : Math.log1p(Math.exp(score));
      rowNll[j] = markNll - (logLambda + w * gap - e);
    }
    sequences.push({ marks, times });
    markLogits.push(logits);
    logIntensity.push(b);
    nll.push(rowNll);
  }
  return {
    data: { sequences, markCount: 2, events: n * options.sequences },
    truth: { markLogits, logIntensity, w, nll },
  };
}
