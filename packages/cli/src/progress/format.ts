/** Small number and time formats shared by the progress view and the summary. */

export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function rate(x: number): string {
  if (!Number.isFinite(x)) return '?';
  return x >= 10_000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0);
}

export function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A perplexity: 2 decimals, or 4 near 1 (the copy task). */
export function ppl(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return '–';
  return p < 10 ? p.toFixed(4) : p.toFixed(2);
}

export function bias(d: number): string {
  if (!Number.isFinite(d)) return '∞';
  return d < 0.001 ? d.toExponential(1) : d.toFixed(3);
}
