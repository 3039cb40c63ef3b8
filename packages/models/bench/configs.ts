import type { ModelSpec } from '../src/types.js';

/** A benchmark configuration: a model spec, a batch and a window. */
export interface BenchConfig {
  name: 'copy' | 'lm';
  description: string;
  spec: ModelSpec;
  batch: number;
  window: number;
}

/** The two configurations of issue 3 (targets of issue 12: copy ≥ 1.0× PyTorch, word LM ≥ 0.5×). */
export const CONFIGS: readonly BenchConfig[] = [
  {
    name: 'copy',
    description: 'copy task: 2-layer LSTM H=50, one-hot input 6, 6 classes, B=64, window 20',
    spec: {
      cell: 'lstm',
      input: 'dense',
      featureSize: 6,
      hiddenSize: 50,
      numLayers: 2,
      outputSize: 6,
      seed: 1,
    },
    batch: 64,
    window: 20,
  },
  {
    name: 'lm',
    description: 'word LM: vocab 10,000, embedding 200, 2-layer LSTM 200, B=20, window 35',
    spec: {
      cell: 'lstm',
      input: 'embedding',
      vocabSize: 10000,
      embeddingSize: 200,
      hiddenSize: 200,
      numLayers: 2,
      outputSize: 10000,
      seed: 1,
    },
    batch: 20,
    window: 35,
  },
];

/** Targets: tokens/s as a fraction of PyTorch's, and as a multiple of the tfjs-layers LSTM's. */
export const TARGETS: Record<BenchConfig['name'], { torch: number; layers: number }> = {
  copy: { torch: 1.0, layers: 3 },
  lm: { torch: 0.5, layers: 3 },
};

/**
 * Matrix-product FLOPs of one training step (forward + backward ≈ 3 x forward: each forward product
 * has two backward products of the same size). Per layer, T·B rows: input projection 2·in·4H and
 * recurrence 2·H·4H per row; decoder 2·H·O per row. One-hot inputs count as a dense product.
 */
export function stepFlops(config: BenchConfig): number {
  const { spec, batch, window } = config;
  const rows = batch * window;
  const gates = 4 * spec.hiddenSize;
  let forward = 0;
  for (let l = 0; l < spec.numLayers; l++) {
    const input =
      l === 0 ? (spec.input === 'embedding' ? spec.embeddingSize! : spec.featureSize) : spec.hiddenSize;
    forward += 2 * rows * (input + spec.hiddenSize) * gates;
  }
  forward += 2 * rows * spec.hiddenSize * spec.outputSize;
  return 3 * forward;
}
