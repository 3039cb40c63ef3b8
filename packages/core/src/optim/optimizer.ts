import type { OptimizerRule } from '@tbptt/models/kernels';
import type { GradientTransformation } from './gradient-transformation';

export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adadelta';

/**
 * An optimiser: a gradient transformation that turns g into the update direction u (θ moves by −lr·u), with
 * its own default learning rate. Weight decay λ is coupled (PyTorch's `weight_decay`): g ← g + λθ first.
 */
export interface Optimizer extends GradientTransformation {
  readonly name: OptimizerName;
  /** The base learning rate (before scaling with K). */
  readonly learningRate: number;
  /**
   * The built-in optimisers' rule as one fused kernel per parameter (`optimizerUpdate` of
   * `@tbptt/models/kernels`), which the training loop runs instead of the chain when it can
   * (fused-update.ts); the chain stays the definition. Absent on user-made optimisers.
   */
  readonly fused?: FusedRule;
}

/** What the fused update needs of an optimiser: its slot names, λ, and its rule at update t (1-based). */
export interface FusedRule {
  readonly slots: readonly string[];
  readonly weightDecay: number;
  rule(step: number): OptimizerRule;
}

export interface OptimizerSpec {
  name: OptimizerName;
  /** Base learning rate. Defaults: sgd 1 (the paper's SGD runs), momentum 0.1, adam 0.001, adadelta 1. */
  learningRate?: number;
  /** Coupled L2 weight decay λ ≥ 0. Default 0. */
  weightDecay?: number;
  /** Momentum μ (momentum). Default 0.9: the usual heavy-ball value. */
  momentum?: number;
  /** Adam β₁, β₂. Defaults 0.9, 0.999 (Kingma & Ba). */
  beta1?: number;
  beta2?: number;
  /** ε for Adam (default 1e-8) and Adadelta (default 1e-6, PyTorch's). */
  epsilon?: number;
  /** Adadelta ρ. Default 0.9 (PyTorch's). */
  rho?: number;
}

/** Each optimiser's default base learning rate, with the reason. */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = {
  /** The paper's runs: SGD at 1 on the window-averaged loss (× √K). */
  sgd: 1,
  /** Heavy ball with μ = 0.9 moves ≈ 10× a plain step: 0.1 matches SGD at 1. */
  momentum: 0.1,
  /** Kingma & Ba's default. */
  adam: 0.001,
  /** Zeiler's Adadelta has no learning rate: 1 recovers it (PyTorch's default). */
  adadelta: 1,
};

/** Checks the options every optimiser shares; errors name the optimiser and the field. */
export function checkCommon(
  name: OptimizerName,
  options: { learningRate?: number; weightDecay?: number },
): { learningRate: number; weightDecay: number } {
  const learningRate = options.learningRate ?? DEFAULT_LEARNING_RATES[name];
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || !(learningRate > 0)) {
    throw new Error(`${name}: learningRate must be a finite number > 0, got ${String(learningRate)}`);
  }
  const weightDecay = options.weightDecay ?? 0;
  if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || !(weightDecay >= 0)) {
    throw new Error(`${name}: weightDecay must be a finite number ≥ 0, got ${String(weightDecay)}`);
  }
  return { learningRate, weightDecay };
}

export function checkUnit(name: string, field: string, value: number, open: boolean): number {
  const ok = typeof value === 'number' && value >= 0 && (open ? value < 1 : value <= 1);
  if (!ok) throw new Error(`${name}: ${field} must be in [0, 1${open ? ')' : ']'}, got ${String(value)}`);
  return value;
}
