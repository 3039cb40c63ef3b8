import { hasOptimizerUpdate, optimizerUpdate } from '@tbptt/models/kernels';
import type * as tf from '@tensorflow/tfjs-core';
import { type ClipOptions, clipThreshold } from './clip';
import type { ChainState, NamedParameter, TransformState } from './gradient-transformation';
import type { Optimizer } from './optimizer';

/**
 * The training loop's chain — clip by global norm (optional) → built-in optimiser → −lr — as one kernel per
 * parameter (`optimizerUpdate` of `@tbptt/models/kernels`: SIMD on wasm, a loop on cpu) that also applies
 * the update: θ ← θ − lr·u(s·g + λθ) with the clipping scale s = c'/(‖g‖ + 10⁻⁶) when ‖g‖ > c', else 1.
 * The same math as `chain(clipByGlobalNorm, optimizer, scaleByLearningRate)` + `applyUpdates`, to float32
 * rounding, in one pass over each parameter instead of 5–12 tfjs ops and their temporaries.
 *
 * Returns undefined (nothing done) when the optimiser has no fused rule or the backend has no kernel; the
 * caller then runs the chain. Consumes `state` (its replaced slots are disposed) and never disposes `grads`.
 */
export function fusedChainUpdate(
  optimizer: Optimizer,
  clip: Required<ClipOptions> | undefined,
  parameters: readonly NamedParameter[],
  grads: readonly tf.Tensor[],
  state: ChainState,
  context: { lossPositions: number; learningRate: number; gradNorm: number },
): ChainState | undefined {
  const fused = optimizer.fused;
  if (fused == null || !hasOptimizerUpdate()) return undefined;
  if (parameters.some((p) => p.variable.dtype !== 'float32')) return undefined;
  const index = clip ? 1 : 0;
  const stage = state[index];
  if (stage == null || state.length !== index + 2) return undefined;
  let gradScale = 1;
  if (clip) {
    const threshold = clipThreshold(clip, context.lossPositions);
    if (context.gradNorm > threshold) gradScale = threshold / (context.gradNorm + 1e-6);
  }
  const step = stage.step + 1;
  const rule = fused.rule(step);
  const scalars = { learningRate: context.learningRate, gradScale, weightDecay: fused.weightDecay };
  const slots = new Map<string, tf.Tensor>();
  parameters.forEach((p, i) => {
    const old = fused.slots.map((slot) => {
      const t = stage.slots.get(`${p.name}.${slot}`);
      if (t == null) {
        throw new Error(
          `fusedChainUpdate: the optimiser state has no slot ${p.name}.${slot}; init the optimiser for these parameters`,
        );
      }
      return t;
    });
    const out = optimizerUpdate(rule, scalars, p.variable, grads[i]!, old);
    p.variable.assign(out.theta);
    out.theta.dispose();
    fused.slots.forEach((slot, k) => {
      slots.set(`${p.name}.${slot}`, out.slots[k]!);
    });
  });
  for (const t of stage.slots.values()) t.dispose();
  const next: TransformState = { step, slots };
  return state.map((s, k) => (k === index ? next : s));
}
