/**
 * The demo's Vega-Lite charts. Titles, fields and scales follow the CLI's report (`tbptt report`) where the
 * two overlap: K against updates, δ̂ at the current K against updates (log), the φ̂ profile against the lag
 * (log) with the fitted geometric tail φ̂_τ β̂^(k−τ) dashed. Data arrive through named datasets, so a chart
 * is embedded once and then only fed new values.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { SessionSnapshot } from './demo-session';

export type ChartName = 'loss' | 'valid' | 'truncation' | 'bias' | 'profile';

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 'container',
  height: 180,
  autosize: { type: 'fit', contains: 'padding' },
} as const;

export function chartSpecs(delta: number | undefined): Record<ChartName, TopLevelSpec> {
  return {
    loss: {
      ...base,
      title: 'Training loss against updates',
      data: { name: 'values' },
      mark: { type: 'line', interpolate: 'linear' },
      encoding: {
        x: { field: 'update', type: 'quantitative', title: 'update' },
        y: { field: 'loss', type: 'quantitative', title: 'loss (nats per step)', scale: { zero: false } },
      },
    } as TopLevelSpec,
    valid: {
      ...base,
      title: 'Validation perplexity against updates',
      data: { name: 'values' },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'update', type: 'quantitative', title: 'update' },
        y: { field: 'perplexity', type: 'quantitative', title: 'valid perplexity', scale: { type: 'log' } },
      },
    } as TopLevelSpec,
    truncation: {
      ...base,
      title: 'Truncation K against updates',
      data: { name: 'values' },
      mark: { type: 'line' },
      encoding: {
        x: { field: 'update', type: 'quantitative', title: 'update' },
        y: { field: 'K', type: 'quantitative', title: 'K', scale: { zero: true } },
      },
    } as TopLevelSpec,
    bias: {
      ...base,
      title: 'Relative bias bound δ̂ at the current K against updates',
      layer: [
        {
          data: { name: 'values' },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'update', type: 'quantitative', title: 'update' },
            y: { field: 'delta', type: 'quantitative', title: 'δ̂(K)', scale: { type: 'log' } },
          },
        },
        ...(delta === undefined
          ? []
          : [
              {
                data: { values: [{ delta }] },
                mark: { type: 'rule', strokeDash: [4, 4], color: '#d62728' },
                encoding: { y: { field: 'delta', type: 'quantitative' } },
              },
            ]),
      ],
    } as TopLevelSpec,
    profile: {
      ...base,
      title: 'Gradient-norm profile φ̂ (dashed: fitted geometric tail)',
      layer: [
        {
          data: { name: 'phi' },
          mark: { type: 'line' },
          encoding: {
            x: { field: 'lag', type: 'quantitative', title: 'lag k' },
            y: { field: 'phi', type: 'quantitative', title: 'φ̂_k', scale: { type: 'log' } },
          },
        },
        {
          data: { name: 'tail' },
          mark: { type: 'line', strokeDash: [6, 4], color: '#d62728' },
          encoding: {
            x: { field: 'lag', type: 'quantitative' },
            y: { field: 'phi', type: 'quantitative' },
          },
        },
        {
          data: { name: 'marker' },
          mark: { type: 'rule', strokeDash: [2, 2], color: '#888' },
          encoding: { x: { field: 'lag', type: 'quantitative' } },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Mean over consecutive groups so that a chart holds at most `points` points. */
function thin<T extends { update: number }>(rows: readonly T[], points: number, field: keyof T): object[] {
  if (rows.length <= points) return rows.map((r) => ({ ...r }));
  const size = Math.ceil(rows.length / points);
  const out: object[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const group = rows.slice(i, i + size);
    const mean = group.reduce((sum, r) => sum + (r[field] as number), 0) / group.length;
    out.push({ update: group[group.length - 1]!.update, [field]: mean });
  }
  return out;
}

/** Each chart's named datasets from a snapshot. */
export function chartData(snapshot: SessionSnapshot): Record<ChartName, Record<string, object[]>> {
  const phi: object[] = [];
  const tail: object[] = [];
  const marker: object[] = [];
  const p = snapshot.profile;
  if (p) {
    const values = p.profile.phi;
    for (let k = 0; k < values.length; k++) if (values[k]! > 0) phi.push({ lag: k, phi: values[k] });
    const phiTau = values[p.tau]!;
    if (phiTau > 0 && p.beta < 1) {
      for (let k = p.tau; k < values.length; k++) tail.push({ lag: k, phi: phiTau * p.beta ** (k - p.tau) });
    }
    marker.push({ lag: p.truncation });
  }
  return {
    loss: { values: thin(snapshot.losses, 400, 'loss') },
    valid: { values: snapshot.valid.map((v) => ({ ...v })) },
    truncation: { values: snapshot.ks.map((k) => ({ ...k })) },
    bias: { values: snapshot.deltas.map((d) => ({ ...d })) },
    profile: { phi, tail, marker },
  };
}
