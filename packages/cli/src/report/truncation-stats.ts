/** K over a run: its mean over updates, smallest and largest, from the K history (exact, whatever was logged). */
export interface TruncationStats {
  kMean: number;
  kMin: number;
  kMax: number;
}

/**
 * The K statistics of a run from its K history — `[{ update: 0, K: K₀ }, { update: u₁, K: K₁ }, …]`, where K₁
 * is used from update u₁ + 1 on — and its number of updates. Null when the run made no update.
 */
export function truncationStats(
  history: readonly { update: number; K: number }[],
  updates: number,
): TruncationStats | null {
  if (updates <= 0 || history.length === 0) return null;
  let sum = 0;
  let kMin = Number.POSITIVE_INFINITY;
  let kMax = 0;
  for (let i = 0; i < history.length; i++) {
    const from = history[i]!.update;
    const to = Math.min(i + 1 < history.length ? history[i + 1]!.update : updates, updates);
    if (to <= from) continue;
    const K = history[i]!.K;
    sum += K * (to - from);
    kMin = Math.min(kMin, K);
    kMax = Math.max(kMax, K);
  }
  return { kMean: sum / updates, kMin, kMax };
}
