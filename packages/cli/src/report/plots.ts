import { analyzeProfile } from '@tbptt/estimators';
import type { TopLevelSpec } from 'vega-lite';
import type { MetricsLine } from '../io/run-files';
import type { StepRecord } from '../run-events';
import { isPointProcessReport, methodOrder, type RunRecord } from './collect-runs';
import { lineChart } from './vega-svg';

/**
 * The report's plots: file name → Vega-Lite spec. Series are the methods (`fixed:10`, `adaptive:0.1`, …).
 * Validation curves are of perplexity (log scale), or of the NLL per event when every run is a point process.
 */
export function reportPlots(runs: readonly RunRecord[]): Record<string, TopLevelSpec> {
  const pointProcess = isPointProcessReport(runs);
  const sorted = [...runs].sort((a, b) => methodOrder(a.method, b.method) || a.seed - b.seed);
  const valid: Record<string, unknown>[] = [];
  const ks: Record<string, unknown>[] = [];
  const deltas: Record<string, unknown>[] = [];
  // δ̂ = ∞ (the profile's tail does not decay, β̂ ≥ 1; null in metrics.jsonl): drawn at the plot's top edge.
  const unbounded: Record<string, unknown>[] = [];
  for (const run of sorted) {
    const series = { method: run.method, seed: `${run.method} seed ${run.seed}` };
    const steps = run.metrics.filter((m): m is StepRecord & MetricsLine => m.type === 'step');
    const atUpdate = new Map(steps.map((s) => [s.update, s]));
    for (const m of run.metrics) {
      const score = m.type === 'evaluate' ? (pointProcess ? m.loss : m.perplexity) : Number.NaN;
      if (m.type === 'evaluate' && m.split === 'valid' && Number.isFinite(score)) {
        const step = atUpdate.get(m.update);
        valid.push({
          ...series,
          epoch: step ? step.epoch + step.position / step.steps : m.epoch,
          seconds: step?.elapsedSeconds ?? m.elapsedSeconds ?? 0,
          score,
        });
      } else if (m.type === 'estimate' || m.type === 'bias') {
        const delta = m.type === 'estimate' ? m.deltaAtCurrent : m.deltaAtK;
        if (Number.isFinite(delta) && delta > 0) deltas.push({ ...series, update: m.update, delta });
        else if (delta === null || delta === Number.POSITIVE_INFINITY)
          unbounded.push({ ...series, update: m.update });
      }
    }
    // K against updates, exact from the K history (whatever steps were logged): each change and the end.
    const history = run.summary.truncationHistory as { update: number; K: number }[] | undefined;
    const updates = Number(run.summary.updates);
    if (history && history.length > 0 && Number.isFinite(updates)) {
      for (const h of history) if (h.update < updates) ks.push({ ...series, update: h.update, K: h.K });
      const last = history.filter((h) => h.update < updates).at(-1) ?? history[0]!;
      ks.push({ ...series, update: updates, K: last.K });
    } else {
      // Runs without a history: the logged steps, at most ~300 points per run.
      const every = Math.max(1, Math.ceil(steps.length / 300));
      let last = -1;
      steps.forEach((s, i) => {
        if (i % every === 0 || s.truncation !== last || i === steps.length - 1)
          ks.push({ ...series, update: s.update, K: s.truncation });
        last = s.truncation;
      });
    }
  }
  // Profiles: the first seed of each method.
  const phi: Record<string, unknown>[] = [];
  const tail: Record<string, unknown>[] = [];
  const bias: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const run of sorted) {
    if (!run.profile || seen.has(run.method)) continue;
    seen.add(run.method);
    let analysis: ReturnType<typeof analyzeProfile>;
    try {
      analysis = analyzeProfile(run.profile.total, { estimator: 'ols' });
    } catch {
      continue;
    }
    const values = run.profile.total.phi;
    values.forEach((v, k) => {
      if (v > 0) phi.push({ method: run.method, lag: k, phi: v });
    });
    const tau = analysis.tau;
    const phiTau = values[tau]!;
    for (let k = tau; k < values.length; k++)
      tail.push({ method: run.method, lag: k, phi: phiTau * analysis.beta ** (k - tau) });
    analysis.relativeBias.forEach((d, i) => {
      if (Number.isFinite(d) && d > 0) bias.push({ method: run.method, K: i + 1, delta: d });
    });
  }
  // The top edge: the decade above the largest finite δ̂ (at least 1).
  const largest = Math.max(1, ...deltas.map((d) => d.delta as number));
  const edge = 10 ** Math.ceil(Math.log10(largest * 1.001));
  const unboundedAtEdge = unbounded.map((u) => ({ ...u, delta: edge }));
  const method = { field: 'method', title: 'method' };
  const name = pointProcess ? 'nll' : 'perplexity';
  const label = pointProcess ? 'NLL per event' : 'perplexity';
  const y = pointProcess
    ? { field: 'score', title: 'valid NLL per event' }
    : { field: 'score', title: 'valid perplexity', scale: 'log' as const };
  return {
    [`valid-${name}-epoch.svg`]: lineChart({
      title: `Validation ${label} against epoch`,
      values: valid,
      x: { field: 'epoch', title: 'epoch' },
      y,
      series: method,
      detail: 'seed',
      points: true,
    }),
    [`valid-${name}-time.svg`]: lineChart({
      title: `Validation ${label} against wall time`,
      values: valid,
      x: { field: 'seconds', title: 'training time (s)' },
      y,
      series: method,
      detail: 'seed',
      points: true,
    }),
    'truncation-updates.svg': lineChart({
      title: 'Truncation K against updates',
      values: ks,
      x: { field: 'update', title: 'update' },
      y: { field: 'K', title: 'K' },
      series: method,
      detail: 'seed',
      step: true,
    }),
    'bias-updates.svg': lineChart({
      title:
        unbounded.length > 0
          ? `Relative bias bound δ̂ at the current K against updates (△ at ${edge}: δ̂ = ∞, no decay)`
          : 'Relative bias bound δ̂ at the current K against updates',
      values: deltas,
      markers: unboundedAtEdge,
      x: { field: 'update', title: 'update' },
      y: { field: 'delta', title: 'δ̂(K)', scale: 'log' },
      series: method,
      detail: 'seed',
      points: true,
    }),
    'profile.svg': lineChart({
      title: 'Gradient-norm profile φ̂ at the final weights (dashed: fitted geometric tail)',
      values: phi,
      dashed: tail,
      x: { field: 'lag', title: 'lag k' },
      y: { field: 'phi', title: 'φ̂_k', scale: 'log' },
      series: method,
    }),
    'relative-bias.svg': lineChart({
      title: 'Relative bias bound δ̂(K) at the final weights',
      values: bias,
      x: { field: 'K', title: 'K' },
      y: { field: 'delta', title: 'δ̂(K)', scale: 'log' },
      series: method,
    }),
  };
}
