/**
 * Learning-rate scaling with the truncation length K (the paper's `scale_lr_K`): 'none' → lr,
 * 'sqrt' → lr·√K, 'K' → lr·K. With a loss averaged over K steps, 'K' keeps the per-step gradient scale
 * of a summed loss.
 */
export type LrScaling = 'none' | 'sqrt' | 'K';

export function scaledLearningRate(learningRate: number, truncation: number, scaling: LrScaling): number {
  switch (scaling) {
    case 'none':
      return learningRate;
    case 'sqrt':
      return learningRate * Math.sqrt(truncation);
    case 'K':
      return learningRate * truncation;
    default:
      throw new Error(
        `scaledLearningRate: lrScaling must be 'none', 'sqrt' or 'K', got ${JSON.stringify(scaling)}`,
      );
  }
}
